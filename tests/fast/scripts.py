"""Scripts for `python -m tests.fake_server --script tests.fast.scripts:NAME`: models written as
Python, for what a rule table cannot say."""

from __future__ import annotations

import re

from tests.scripted_model import Prompt, Reply

_SIGNATURE = re.compile(r"def \w+\(([^)]*)\):\n\s*return$")


def adding_model(prompt: Prompt) -> Reply | str:
    """After `def f(a, b, ...):` and `return`, the sum of the parameters; else nothing."""
    match = _SIGNATURE.search(prompt.prefix)
    if match is None:
        return Reply()
    names = [name.strip() for name in match.group(1).split(",") if name.strip()]
    return " " + " + ".join(names)
