"""Word splitting for search matches a plain reading of its rule on any text."""

import random
import unicodedata

from app.services import search_snippets
from app.services.search_index import MAX_TERM_LENGTH, text_terms, word_spans, word_terms


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


def _marked_by_rule(text: str, tokens: list[str]) -> list[tuple[int, int]]:
    """Every word one of whose terms is a token but the last, or starts with the last."""
    whole, prefix = set(tokens[:-1]), tokens[-1]
    return [
        (start, end)
        for start, end in word_spans(text)
        if any(t in whole or t.startswith(prefix) for t in word_terms(text[start:end]))
    ]


PLAIN = "aZzLu9_ -·'\"—’\n"  # ASCII letters and digits, and punctuation of both kinds


def test_snippet_marks_follow_the_rule_on_random_text() -> None:
    """The regular expression for texts whose letters are all ASCII marks what reading each
    word marks; other texts are read word by word."""
    rng = random.Random(7)
    plain = 0
    for _ in range(4000):
        alphabet = PLAIN if rng.random() < 0.8 else PLAIN + ALPHABET
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        words = text_terms(text) or ["lu"]
        tokens = [rng.choice(words)[: rng.randrange(1, 4)] for _ in range(rng.randrange(1, 4))]
        if rng.random() < 0.5:
            tokens[0] = rng.choice(words)
        tokens = [t.lower() for t in tokens]
        plain += search_snippets._plain(text)
        assert list(search_snippets._marked(text, tokens)) == _marked_by_rule(text, tokens), (
            text,
            tokens,
        )
    assert plain > 2000  # the regular expression was what was checked, mostly
    long = "a" * (MAX_TERM_LENGTH + 1)
    text = f"{long} ab"  # the long word has no term (MAX_TERM_LENGTH)
    assert (
        list(search_snippets._marked(text, ["a"])) == _marked_by_rule(text, ["a"]) == [(202, 204)]
    )
