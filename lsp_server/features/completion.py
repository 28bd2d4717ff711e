"""`textDocument/completion`: the suggestion as one completion item, for editors without
inline completion (Neovim's built-in client, Helix, Emacs eglot)."""

from __future__ import annotations

from lsprotocol import types

from lsp_server.suggestions import Trigger, suggest
from lsp_server.text_format import cost_summary
from lsp_server.wattcode_server import WattcodeServer

LABEL_CHARS = 60


async def completion(
    server: WattcodeServer, params: types.CompletionParams
) -> types.CompletionList:
    # Typing opens the completion menu too (TriggerForIncompleteCompletions, trigger
    # characters); only an explicit invocation counts as the user asking.
    context = params.context
    invoked = context is None or context.trigger_kind == types.CompletionTriggerKind.Invoked
    trigger = Trigger.MANUAL if invoked else Trigger.AUTOMATIC
    shown = await suggest(server, params.text_document.uri, params.position, trigger)
    if shown is None:
        return types.CompletionList(is_incomplete=True, items=[])
    text = shown.suggestion.text
    first_line = text.strip().split("\n", 1)[0]
    label = first_line if len(first_line) <= LABEL_CHARS else first_line[:LABEL_CHARS] + "…"
    item = types.CompletionItem(
        label=label,
        kind=types.CompletionItemKind.Text,
        detail="wattcode · " + cost_summary(shown.suggestion.stats),
        documentation=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value=f"```\n{text}\n```"
        ),
        # An empty range at the cursor: the item inserts exactly the suggestion there.
        text_edit=types.TextEdit(
            range=types.Range(start=shown.position, end=shown.position), new_text=text
        ),
        insert_text_format=types.InsertTextFormat.PlainText,
        filter_text="",
        sort_text="0",
        preselect=True,
    )
    # Incomplete: the next keystroke asks again instead of filtering this one item.
    return types.CompletionList(is_incomplete=True, items=[item])
