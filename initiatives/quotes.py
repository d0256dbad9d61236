"""Finding a quote in its source text: the one rule every citation obeys, wherever it is typed."""

from __future__ import annotations

import re


def fold_whitespace(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` stands in `text`, comparing with whitespace folded: (start, end) offsets in
    the original text, or None. Characters are compared exactly (’ is not ')."""
    words = fold_whitespace(quote).split(" ")
    if words == [""]:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    # Whole words only: "ouvernement" is not a quote of "gouvernement".
    if words[0][0].isalnum():
        pattern = r"(?<!\w)" + pattern
    if words[-1][-1].isalnum():
        pattern += r"(?!\w)"
    match = re.search(pattern, text)
    return (match.start(), match.end()) if match else None
