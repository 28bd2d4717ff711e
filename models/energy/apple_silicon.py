"""Apple Silicon energy (IOReport energy channels, readable without sudo): not implemented.

No Mac was available to build and test this against, so wattcode does not pretend: on macOS
the CPU-time model is used and labelled an estimate.
"""

from __future__ import annotations

import platform

from models.energy.meters import MeterProbe

SOURCE = "Apple Silicon"


def probe_apple_silicon() -> MeterProbe:
    if platform.system() != "Darwin":
        return MeterProbe(SOURCE, reason="not macOS")
    return MeterProbe(
        SOURCE,
        reason="IOReport energy channels are not implemented yet (untested: no Mac to test on)",
    )
