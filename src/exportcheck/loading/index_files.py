"""Name-index pieces: each list file's analysed names, kept beside the file or in the cache.

Analysing every name and alias of the full lists is most of the cost of building the name
index (about a second for the consolidated list). That analysis depends only on the list file
and the matcher, so ``rules import`` writes it beside each file it produces (``NAME.yaml`` ->
``NAME.yaml.index``), and a file without one has its piece kept in the user cache. A piece is
used only when it was made from exactly this file's bytes (SHA-256) by this matcher
(``analysis_format``); anything else is ignored and rebuilt, so a piece can make loading faster
but never change an answer.

Pieces are JSON: a rules folder may be shared or kept under version control, and JSON reads the
same on every platform and Python version and cannot run code.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exportcheck.domain.engine import index_entry
from exportcheck.domain.matching import (
    AnalysedEntry,
    IndexEntry,
    NameForm,
    NameIndex,
    analyse_entries,
    analysis_format,
    spelling_skeletons,
)
from exportcheck.domain.rules import RuleSet, ScreeningListFile

INDEX_SUFFIX = ".index"
_PIECE_FORMAT = "exportcheck-name-index-piece"


@dataclass(frozen=True, slots=True)
class IndexPiece:
    """One list file's part of the name index."""

    entries: list[AnalysedEntry]  # see analyse_entries
    skeletons: dict[str, str]  # see spelling_skeletons

    @classmethod
    def analyse(cls, entries: Iterable[IndexEntry]) -> IndexPiece:
        analysed = analyse_entries(entries)
        return cls(analysed, spelling_skeletons(analysed))


def index_file(rule_file: Path) -> Path:
    """Where the piece of a list file is kept: beside it, with ``.index`` appended."""
    return rule_file.with_name(rule_file.name + INDEX_SUFFIX)


def list_entries(rule_file: ScreeningListFile) -> list[IndexEntry]:
    return [index_entry(e) for e in rule_file.rules]


def write_index_file(rule_file: Path, data: bytes, entries: Iterable[IndexEntry]) -> Path:
    """Write the piece of the list file whose bytes are ``data`` (atomically, like the file)."""
    target = index_file(rule_file)
    piece = IndexPiece.analyse(entries)
    document = {
        "format": _PIECE_FORMAT,
        "matcher": analysis_format(),
        "rule_file_sha256": hashlib.sha256(data).hexdigest(),
        "entries": piece.entries,
        "skeletons": piece.skeletons,
    }
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(
            json.dumps(document, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def read_index_file(rule_file: Path, data: bytes) -> IndexPiece | None:
    """The piece beside ``rule_file`` if it was made from these bytes by this matcher."""
    try:
        document = json.loads(index_file(rule_file).read_bytes())
    except (OSError, ValueError):
        return None
    if (
        not isinstance(document, dict)
        or document.get("format") != _PIECE_FORMAT
        or document.get("matcher") != analysis_format()
        or document.get("rule_file_sha256") != hashlib.sha256(data).hexdigest()
    ):
        return None
    try:
        skeletons = document["skeletons"]
        if not isinstance(skeletons, dict):
            return None
        return IndexPiece([_entry_row(row) for row in document["entries"]], skeletons)
    except (KeyError, TypeError, ValueError):
        return None


def _entry_row(row: Any) -> AnalysedEntry:
    key, names, countries, forms = row
    return (
        str(key),
        tuple(names),
        tuple(countries),
        tuple(_form_row(*form) for form in forms),
    )


def _form_row(number: Any, how: Any, tokens: Any, surfaces: Any, legal: Any) -> NameForm:
    words = tuple(tokens)
    return (
        int(number),
        str(how),
        words,
        words if surfaces == tokens else tuple(surfaces),
        tuple(legal),
    )


def index_from_pieces(ruleset: RuleSet, pieces: Sequence[IndexPiece]) -> NameIndex | None:
    """The index of ``ruleset`` from its list files' pieces (in load order), or None when they
    do not add up to the rule set's entries in its order."""
    merged: dict[str, AnalysedEntry] = {}
    skeletons: dict[str, str] = {}
    for piece in pieces:
        skeletons.update(piece.skeletons)
        for row in piece.entries:
            # As in RuleSet: a later entry with the same id replaces the earlier one.
            merged.pop(row[0], None)
            merged[row[0]] = row
    if len(merged) != len(ruleset.entries) or list(merged) != list(ruleset.entries):
        return None
    return NameIndex(list(merged.values()), skeletons)
