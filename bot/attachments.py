"""A file that travels with a reply: a chart (sent as a photo) or a spreadsheet (a document)."""

from __future__ import annotations

from dataclasses import dataclass

PHOTO = "photo"
DOCUMENT = "document"


@dataclass(frozen=True, slots=True)
class Attachment:
    """``data`` in memory (PNG or .xlsx); the reply's text is its caption."""

    data: bytes
    filename: str
    kind: str = DOCUMENT

    def __post_init__(self) -> None:
        if self.kind not in (PHOTO, DOCUMENT):
            raise ValueError(f"attachment kind {self.kind!r}")
