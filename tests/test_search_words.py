"""Word splitting for search matches a plain reading of its rule on any text."""

import random
import unicodedata

from app.services.search_index import word_spans


def _reference(text: str) -> list[tuple[int, int]]:
    # The rule spelled out character by character: a word starts at a letter or digit and goes
    # on over letters, digits and combining marks.
    spans, start = [], None
    for index, char in enumerate(text):
        mark = unicodedata.category(char).startswith("M")
        if char.isalnum() or (start is not None and mark):
            start = index if start is None else start
        elif start is not None:
            spans.append((start, index))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return spans


ALPHABET = "aZ9_ -·é\u0301\u0308\u0670İß٣\u20dd\U0001d7d8\u3000\u093f\u0915\ufe0f'\"—\n"


def test_word_spans_follow_the_rule_on_random_text() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30)))
        assert list(word_spans(text)) == _reference(text), repr(text)


def test_word_spans_on_every_code_point() -> None:
    text = "".join(chr(c) for c in range(0x30000) if not 0xD800 <= c < 0xE000)
    assert list(word_spans(text)) == _reference(text)
