"""JSON Pointers (RFC 6901) into a request body, as problems name the member at fault."""

import re
from collections.abc import Iterable, Sequence
from typing import Any

MAX_POINTER = 500  # the Problem schema's bound on `errors[].location`
MAX_TOKEN = 100  # characters of one key shown in a message
# What a problem cannot carry: NUL (the schema refuses it) and half a surrogate pair (no
# Unicode character; a JSON \ud800 escape in a key makes one).
_UNSHOWABLE = re.compile("[\x00\ud800-\udfff]")


def json_pointer(tokens: Iterable[str | int]) -> str:
    """The pointer to the member reached by `tokens` ("" is the whole document)."""
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in tokens)


def shown(pointer: str, limit: int = MAX_POINTER) -> str:
    """A pointer (or any text) as a problem may carry it: no NUL, at most `limit` characters.

    Keys are the client's own text; only a pathological one (a NUL, half a surrogate pair, or
    hundreds of characters) is altered, and then visibly (U+FFFD, a trailing ellipsis).
    """
    pointer = _UNSHOWABLE.sub("\ufffd", pointer)
    if len(pointer) > limit:
        pointer = pointer[: limit - 1] + "…"
    return pointer


def key_shown(key: str) -> str:
    """A key quoted in a message, bounded like a pointer."""
    key = _UNSHOWABLE.sub("\ufffd", key)
    return key if len(key) <= MAX_TOKEN else key[: MAX_TOKEN - 1] + "…"


def body_pointer(loc: Sequence[str | int], body: Any) -> str:
    """The pointer for a validation error's `loc` (without its leading "body"), read against
    the body as sent.

    pydantic's locations also name the union member or validator that failed ("int", "str",
    "function-after[...]"), which are not members of the body: a step is kept when the body
    has it, or when it is the last one (a missing member is pointed at where it belongs).
    """
    tokens: list[str | int] = []
    node = body
    for index, step in enumerate(loc):
        if _has(node, step):
            node = node[step]
        elif index == len(loc) - 1 and isinstance(node, dict):
            node = None
        else:
            continue
        tokens.append(step)
    return json_pointer(tokens)


def _has(node: Any, step: str | int) -> bool:
    if isinstance(node, dict):
        return isinstance(step, str) and step in node
    return isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
