"""`textDocument/inlineCompletion` (LSP 3.18): the ghost-text suggestion, wattcode's main surface.

pygls advertises the capability only when the feature is registered with
`InlineCompletionOptions`.
"""

from __future__ import annotations

from lsprotocol import types

from lsp_server.server import WattcodeServer
from lsp_server.suggestions import suggest


def register(server: WattcodeServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def inline_completion(
        params: types.InlineCompletionParams,
    ) -> types.InlineCompletionList | None:
        manual = params.context.trigger_kind == types.InlineCompletionTriggerKind.Invoked
        shown = await suggest(server, params.text_document.uri, params.position, manual)
        if shown is None:
            return types.InlineCompletionList(items=[])
        item = types.InlineCompletionItem(
            insert_text=shown.suggestion.text,
            range=types.Range(start=shown.position, end=shown.position),
        )
        return types.InlineCompletionList(items=[item])
