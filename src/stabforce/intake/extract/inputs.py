"""Turning what users upload or paste into plain text, with clear errors."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .model import IntakeInputError

#: Default upload limit: 2 MiB of text is far more than any statement or wire report.
DEFAULT_LIMIT_BYTES = 2 * 1024 * 1024

_SKIP = {"script", "style", "noscript", "template", "head", "svg"}
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "main",
    "blockquote",
    "li",
    "ul",
    "ol",
    "table",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "figure",
    "figcaption",
    "dd",
    "dt",
    "hr",
    "title",
}
_VOID_SKIP = {"meta", "link", "img", "input"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_SKIP:
            return
        if tag in _SKIP:
            self.skip_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(re.sub(r"[ \t\r\f\v\n]+", " ", data))


def text_from_html(html: str) -> str:
    """Visible text of an HTML page: tags stripped, <script>/<style> dropped, entities
    unescaped, one blank line between paragraphs and other blocks, <br> as a line break."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    raw = "".join(parser.parts)
    lines = [line.strip() for line in raw.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def decode_upload(data: bytes, limit_bytes: int = DEFAULT_LIMIT_BYTES) -> str:
    """Decode an uploaded text file (UTF-8, optional BOM) or raise :class:`IntakeInputError`.

    Refuses, with a message fit for the user: an empty file, a file over ``limit_bytes``
    (the message says the limit), binary content (NUL bytes, or more than 10 % control
    characters in the first 8 KiB), and bytes that are not UTF-8 (the message gives the byte
    offset of the first bad byte).
    """
    if not data or not data.strip():
        raise IntakeInputError("The upload is empty; paste or upload the text of a statement.")
    if len(data) > limit_bytes:
        raise IntakeInputError(
            f"The upload is {len(data):,} bytes; the limit is {limit_bytes:,} bytes. "
            "Split the document or upload only the relevant part."
        )
    if b"\x00" in data:
        nul = data.index(b"\x00")
        raise IntakeInputError(
            f"The upload looks binary (NUL byte at offset {nul}); upload a plain "
            "text (.txt, UTF-8) or HTML file, not a PDF, image or word-processor file."
        )
    head = data[:8192]
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if control / len(head) > 0.10:
        raise IntakeInputError(
            f"The upload looks binary ({control} control bytes in the first {len(head)}); "
            "upload a plain text (.txt, UTF-8) or HTML file."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IntakeInputError(
            f"The upload is not valid UTF-8: byte 0x{data[exc.start]:02x} at byte offset "
            f"{exc.start} cannot be decoded. Save the file as UTF-8 and upload it again."
        ) from None
    return text.removeprefix("\ufeff")
