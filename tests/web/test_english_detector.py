"""The detector the Vietnamese page walk relies on catches the English pages showed."""

from __future__ import annotations

import pytest
from tests.web.english_detector import english_words, visible_text


@pytest.mark.parametrize(
    "message",
    [
        "numerator 150 exceeds the denominator 139",
        "row 4, column 'value': 'abc' is not a number",
        "field 'years': is required but missing",
        "<h1>403 Forbidden</h1>",
        "The data were refused.",
    ],
)
def test_it_catches_the_english_messages_pages_showed(message: str) -> None:
    assert english_words(visible_text(f"<p>{message}</p>"))


@pytest.mark.parametrize(
    "text",
    [
        "dòng 4, cột “value”: tử số 1.500 lớn hơn mẫu số 139,5",
        "Sở Giao thông vận tải · 2023",
        "Huyện Núi Thành, admin, reporter, so-a",
    ],
)
def test_it_passes_vietnamese_codes_and_names(text: str) -> None:
    assert english_words(visible_text(f"<p>{text}</p>")) == []


def test_scripts_styles_and_code_are_not_visible_text() -> None:
    html = "<style>.x{}</style><script>if (the) {}</script><code>the_field</code><p>Xin chào</p>"
    assert visible_text(html) == "Xin chào"
