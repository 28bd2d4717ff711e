"""What a request knows about its cursor: the text around it, and the documents beside it.

One object travels whole from the model thread through the engine to the trimmer and the
syntax guard, so that no layer passes a document's name, language, prefix and suffix apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class OpenDocument:
    """Another document the editor has open, a candidate for cross-file signatures."""

    uri: str
    language_id: str
    text: str


@dataclass(frozen=True)
class CursorText:
    """The text around one cursor, and what names it."""

    prefix: str
    suffix: str
    document: str | None = None
    """A URI or path: keys the document's saved KV state and parse tree."""
    language_id: str | None = None
    """An LSP language identifier (else the document's extension) picks the trimmer's grammar."""
    open_documents: Sequence[OpenDocument] = ()
    """Other documents, which may lend signatures of what this one imports."""

    @property
    def text(self) -> str:
        """The whole document as the editor has it."""
        return self.prefix + self.suffix
