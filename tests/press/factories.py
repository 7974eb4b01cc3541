"""Kept so imports written before tests/factories/ still work: use tests.factories instead."""

from tests.factories.press import (
    make_coverage,
    make_inquiry,
    make_page,
    make_spokesperson,
    make_statement,
)

__all__ = ["make_coverage", "make_inquiry", "make_page", "make_spokesperson", "make_statement"]
