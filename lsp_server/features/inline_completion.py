"""`textDocument/inlineCompletion` (LSP 3.18): the ghost-text suggestion, wattcode's main surface.

pygls advertises the capability only when the feature is registered with
`InlineCompletionOptions` (as `server.py`'s table does).
"""

from __future__ import annotations

from lsprotocol import types

from lsp_server.suggestions import Trigger, suggest
from lsp_server.wattcode_server import WattcodeServer


async def inline_completion(
    server: WattcodeServer, params: types.InlineCompletionParams
) -> types.InlineCompletionList | None:
    invoked = params.context.trigger_kind == types.InlineCompletionTriggerKind.Invoked
    trigger = Trigger.MANUAL if invoked else Trigger.AUTOMATIC
    shown = await suggest(server, params.text_document.uri, params.position, trigger)
    if shown is None:
        return types.InlineCompletionList(items=[])
    item = types.InlineCompletionItem(
        insert_text=shown.suggestion.text,
        range=types.Range(start=shown.position, end=shown.position),
    )
    return types.InlineCompletionList(items=[item])
