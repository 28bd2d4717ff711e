"""A cancellation flag that the generation loop checks between tokens.

pygls can only cancel a request that has not started; once a generation runs on the model
thread, the LSP side cancels it by setting this flag, and the loop stops within one token (or one
prompt chunk).
"""

from __future__ import annotations

import threading

from models.errors import GenerationCancelled


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise GenerationCancelled
