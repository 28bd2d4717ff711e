"""pygls' LSP protocol with one leak closed: the futures of handled notifications.

pygls 2.1 runs a notification's built-in generator handler (`didOpen`, `didChange`,
`didClose`, ...) under a fresh id in `_request_futures`, and only a response or a
`$/cancelRequest` removes an entry, so every keystroke's `didChange` stayed there for the
daemon's lifetime (about 1.3 KB each: ~100 MB an hour at 30 keys/s; found by the soak's RSS).
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from pygls.protocol import LanguageServerProtocol


class WattcodeProtocol(LanguageServerProtocol):
    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Any,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        if callback == self._check_handler_result:  # how pygls marks a notification
            check = callback

            def done(future: Future[Any]) -> None:
                self._request_futures.pop(msg_id, None)
                check(future)

            callback = done
        super()._execute_handler(msg_id, handler, callback, args, kwargs)

    @property
    def handlers_pending(self) -> int:
        """Requests and notifications whose handlers have not finished."""
        return len(self._request_futures)
