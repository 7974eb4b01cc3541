"""One counter for every factory, so made-up names and emails never collide across domains."""

from __future__ import annotations

import itertools

_seq = itertools.count(1)


def next_n() -> int:
    return next(_seq)
