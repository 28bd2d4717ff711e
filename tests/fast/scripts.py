"""Scripts for `python -m tests.fake_server --script tests.fast.scripts:NAME`: models written as
Python, for what a rule table cannot say."""

from __future__ import annotations

import re
import time

from tests.scripted_model import Prompt, Reply

_SIGNATURE = re.compile(r"def \w+\(([^)]*)\):\n\s*return$")


def adding_model(prompt: Prompt) -> Reply | str:
    """After `def f(a, b, ...):` and `return`, the sum of the parameters; else nothing."""
    match = _SIGNATURE.search(prompt.prefix)
    if match is None:
        return Reply()
    names = [name.strip() for name in match.group(1).split(",") if name.strip()]
    return " " + " + ".join(names)


COSTLY_CPU_SECONDS = 0.12
"""About 1 J by the CPU-time estimate: hundreds of times a 0.01 Wh/h budget's 0.3 J reserve."""


def costly_model(prompt: Prompt) -> Reply | str:
    """Busy on the model thread (inside the energy window) for `COSTLY_CPU_SECONDS` of CPU
    time, then writes ` 1`; nothing inside a `wattcode.exclude`d file ever gets here."""
    started = time.process_time()
    while time.process_time() - started < COSTLY_CPU_SECONDS:
        pass
    return Reply(" 1") if prompt.prefix.rstrip().endswith("=") else Reply()
