"""Finding English in a Vietnamese page: the visible text (no scripts, styles, <code> or
form values), its words of Latin letters without diacritics, checked against common English
words that no Vietnamese sentence, code or proper noun of the platform contains (text in
“quotes” is the user's own: a column header, a cell's text, a code)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["ENGLISH_WORDS", "english_words", "visible_text"]

# Words of English messages (the engine's, the readers', Django's, the platform's own). Not
# included: words that are also Vietnamese without diacritics or usual in codes and names
# (an, to, in, on, me, ma, so, ...).
ENGLISH_WORDS = frozenset(
    [
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "not",
        "no",
        "yes",
        "and",
        "or",
        "of",
        "for",
        "with",
        "without",
        "from",
        "by",
        "at",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "which",
        "who",
        "what",
        "when",
        "where",
        "must",
        "should",
        "cannot",
        "can",
        "may",
        "need",
        "needs",
        "has",
        "have",
        "had",
        "exceeds",
        "exceed",
        "missing",
        "required",
        "number",
        "numbers",
        "row",
        "rows",
        "column",
        "columns",
        "field",
        "fields",
        "value",
        "values",
        "denominator",
        "numerator",
        "forbidden",
        "error",
        "errors",
        "problem",
        "problems",
        "file",
        "files",
        "sheet",
        "sheets",
        "invalid",
        "unknown",
        "empty",
        "allowed",
        "refused",
        "failed",
        "save",
        "saved",
        "submit",
        "submitted",
        "your",
        "you",
        "please",
        "sign",
        "page",
        "found",
        "than",
        "more",
        "less",
        "between",
        "only",
        "already",
        "then",
        "there",
        "their",
        "our",
    ]
)

_SKIPPED = {"script", "style", "code", "textarea", "option", "select", "title"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


# Quoted text is the user's own (a column header, a cell, a code): not the page's language.
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


def english_words(text: str) -> list[str]:
    """The common English words in ``text`` outside quotes (in order)."""
    unquoted = _QUOTED.sub(" ", text)
    # Identifiers (valid_from, self_value) are codes, not words of a sentence.
    words = re.findall(r"[A-Za-z_]+", unquoted)
    return [w for w in words if "_" not in w and w.lower() in ENGLISH_WORDS]
