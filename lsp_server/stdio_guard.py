"""Keep stdout for JSON-RPC alone.

The LSP transport takes a private duplicate of file descriptor 1; fd 1 itself (and
`sys.stdout`) is then pointed at stderr, so a stray `print` or a native library writing to
stdout can never corrupt the protocol stream.
"""

from __future__ import annotations

import os
import sys
from typing import BinaryIO


def claim_stdout() -> BinaryIO:
    """Return a binary stream on the real stdout and send everything else written there to
    stderr."""
    sys.stdout.flush()
    transport_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(transport_fd, "wb")
