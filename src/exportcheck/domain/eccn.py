"""Export Control Classification Numbers: their shape, normal form and pattern matching."""

from __future__ import annotations

import functools
import re

EAR99 = "EAR99"
_ECCN = re.compile(r"^(?:EAR99|[0-9][A-E][0-9]{3}(?:\.[a-z0-9]+)*)$")


def normalise_eccn(value: str) -> str:
    """Canonical form of an ECCN: ``3a001.B.2`` -> ``3A001.b.2``; raises ValueError if malformed."""
    text = value.strip()
    if text.upper() == EAR99:
        return EAR99
    head, _, tail = text.partition(".")
    candidate = head.upper() + ("." + tail.lower() if tail else "")
    if not _ECCN.match(candidate):
        raise ValueError(
            f"malformed ECCN {value!r}: expected five characters such as 5A002 "
            "(digit, letter A-E, three digits), optionally with paragraphs (3A001.a), or EAR99"
        )
    return candidate


def eccn_base(eccn: str) -> str:
    """The five-character entry of an ECCN (``3A001.b.2`` -> ``3A001``)."""
    return eccn.split(".", 1)[0]


def eccn_paragraph(eccn: str) -> str:
    """The paragraph part of an ECCN (``3A001.b.2`` -> ``b.2``; empty when none)."""
    return eccn.partition(".")[2]


@functools.lru_cache(maxsize=8192)
def eccn_matches(pattern: str, eccn: str) -> bool:
    """Whether an ECCN falls under a pattern.

    A pattern names an entry or paragraph and covers everything below it (``3A001`` covers
    ``3A001.b.2``; ``3A001.b`` covers ``3A001.b.2`` but not ``3A001.a``). ``x`` in the
    five-character part is a wildcard for one character (``9x515``, ``3Axxx``).
    """
    if pattern == eccn:
        return True
    p_head, _, p_tail = pattern.partition(".")
    e_head, _, e_tail = eccn.partition(".")
    if len(p_head) != len(e_head):
        return False
    for p_char, e_char in zip(p_head, e_head, strict=True):
        if p_char not in ("x", e_char):
            return False
    if not p_tail:
        return True
    p_parts = p_tail.split(".")
    e_parts = e_tail.split(".") if e_tail else []
    return e_parts[: len(p_parts)] == p_parts


def paragraph_applies(control_paragraph: str, eccn: str) -> bool:
    """Whether a control limited to a paragraph (``b.2``) covers an item classified ``eccn``.

    It does when the classification names that paragraph or one below it (``3A001.b.2.a``).
    A classification that stops above it (``3A001`` or ``3A001.b``) is read as the
    classification given, as the worked examples of the regulation do; the engine lists the
    paragraph controls it did not apply so that a consultant can check them.
    """
    mine = eccn_paragraph(eccn).split(".") if eccn_paragraph(eccn) else []
    theirs = control_paragraph.split(".")
    return mine[: len(theirs)] == theirs
