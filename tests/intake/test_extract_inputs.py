"""Input helpers: HTML to text and upload decoding."""

from __future__ import annotations

import pytest

from stabforce.intake.extract import IntakeInputError, decode_upload, text_from_html


def test_html_strips_tags_scripts_styles_and_unescapes() -> None:
    html = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<script>var x = '<p>nope</p>';</script>"
        "<h1>Pakistan &amp; the ISF</h1><p>Islamabad is <b>weighing</b>&nbsp;3,500 troops.</p>"
        "<p>Second&#8217;s para<br>next line</p><!-- comment --></body></html>"
    )
    text = text_from_html(html)
    assert "nope" not in text and "color" not in text and "comment" not in text
    assert "Pakistan & the ISF" in text
    assert "Islamabad is weighing\xa03,500 troops." in text
    assert "\n\nSecond’s para\nnext line" in text
    assert "\n\n\n" not in text


def test_html_paragraphs_become_sentence_boundaries() -> None:
    text = text_from_html("<p>No headline punctuation</p><p>Next paragraph</p>")
    assert text == "No headline punctuation\n\nNext paragraph"


def test_decode_plain_utf8_and_bom() -> None:
    assert decode_upload("Türkiye".encode()) == "Türkiye"
    assert decode_upload(b"\xef\xbb\xbfhello") == "hello"


@pytest.mark.parametrize("data", [b"", b"   \n\t "])
def test_empty_upload(data: bytes) -> None:
    with pytest.raises(IntakeInputError, match="empty"):
        decode_upload(data)


def test_binary_upload_with_nul() -> None:
    with pytest.raises(IntakeInputError, match=r"binary \(NUL byte at offset 4\)"):
        decode_upload(b"%PDF\x00\x01\x02")


def test_binary_upload_with_control_characters() -> None:
    with pytest.raises(IntakeInputError, match="binary"):
        decode_upload(bytes(range(1, 32)) * 10)


def test_non_utf8_reports_byte_offset() -> None:
    data = b"Pakistan " + "Türkiye".encode("latin-1")
    with pytest.raises(IntakeInputError, match="byte offset 10"):
        decode_upload(data)


def test_over_limit_says_the_limit() -> None:
    with pytest.raises(IntakeInputError, match="limit is 100 bytes"):
        decode_upload(b"a" * 101, limit_bytes=100)
    assert decode_upload(b"a" * 100, limit_bytes=100) == "a" * 100


def test_extract_refuses_bytes() -> None:
    from stabforce.intake.extract import extract

    with pytest.raises(TypeError):
        extract(b"bytes")  # type: ignore[arg-type]
