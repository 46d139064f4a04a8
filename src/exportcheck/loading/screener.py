"""Putting a screener together: rules, the cached name index, and list freshness checks."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from exportcheck.domain.engine import Screener, build_index, index_entry
from exportcheck.domain.matching import DEFAULT_THRESHOLD, NameIndex
from exportcheck.domain.matching.normalise import transliterator_name
from exportcheck.domain.rules import RuleSet
from exportcheck.errors import RulesError
from exportcheck.loading.index_files import (
    IndexPiece,
    index_from_pieces,
    read_index_file,
)
from exportcheck.loading.rules import (
    cache_load,
    cache_store,
    load_rules,
    paused_gc,
    rule_sources,
    rules_version,
)

FRESHNESS_WARNING_DAYS = 7


def load_index(ruleset: RuleSet, directories: Sequence[Path] | None = None) -> NameIndex:
    """The name index for a rules version, from the cache when it was built before.

    The index's pickle state is plain tuples and dicts, which marshal reads about twice as
    fast as pickle; that is most of a warm start with the full lists. Otherwise, given the
    folders the rules came from, it is put together from each list file's analysed names (see
    `index_files`), which `rules import` writes beside the files it produces.
    """
    with paused_gc():
        return _load_index(ruleset, directories)


def _load_index(ruleset: RuleSet, directories: Sequence[Path] | None) -> NameIndex:
    what = f"index-{transliterator_name()}"
    state = cache_load(ruleset.version, what, raw=True)
    if isinstance(state, dict):
        index = NameIndex.__new__(NameIndex)
        index.__setstate__(state)
        return index
    built = None
    if directories is not None:
        built = index_from_pieces(ruleset, _pieces(ruleset, directories))
    index = built if built is not None else build_index(ruleset)
    cache_store(ruleset.version, what, index.__getstate__(), raw=True)
    return index


def _pieces(ruleset: RuleSet, directories: Sequence[Path]) -> list[IndexPiece]:
    """Each list file's part of the index: from beside the file, the cache, or analysed now."""
    sources = {source.name: source for source in rule_sources(directories)}
    if rules_version((s.name, s.data) for s in sources.values()) != ruleset.version:
        return []  # the files changed since the rules were loaded: build from the rules
    lists = [info for info in ruleset.file_info if info.kind == "screening-list"]
    # When no entry replaces another, each file's entries are in the rule set as the file has
    # them, and a piece analysed from them can be kept for the file.
    exact = sum(len(info.entry_ids) for info in lists) == len(ruleset.entries)
    pieces = []
    for info in lists:
        source = sources[info.name]
        piece = read_index_file(source.path, source.data)
        if piece is None:
            version = "sha256:" + hashlib.sha256(source.data).hexdigest()
            what = f"piece-{transliterator_name()}"
            cached = cache_load(version, what, raw=True)
            if isinstance(cached, tuple) and len(cached) == 2:
                piece = IndexPiece(*cached)
            else:
                entries = (ruleset.entries.get(key) for key in info.entry_ids)
                piece = IndexPiece.analyse(index_entry(e) for e in entries if e is not None)
                if exact:
                    cache_store(version, what, (piece.entries, piece.skeletons), raw=True)
        pieces.append(piece)
    return pieces


def stale_lists(ruleset: RuleSet, today: dt.date, max_age_days: int) -> list[str]:
    """A message for every imported list older than max_age_days (or of unknown age)."""
    messages = []
    for name, source, _ in ruleset.sources:
        as_of = source.as_of or source.imported_at.date()
        age = (today - as_of).days
        if age > max_age_days:
            messages.append(
                f"{name}: list {source.file} is {age} days old (as of {as_of}), older than "
                f"--max-age {max_age_days}: re-download and re-import it before screening"
            )
    return messages


def load_screener(
    directories: Sequence[Path],
    *,
    max_age_days: int | None = None,
    match_threshold: float | None = None,
    today: dt.date | None = None,
) -> Screener:
    ruleset = load_rules(directories)
    if max_age_days is not None:
        stale = stale_lists(ruleset, today or dt.date.today(), max_age_days)
        if stale:
            raise RulesError(stale[0])
    return Screener(
        ruleset,
        index=load_index(ruleset, directories),
        match_threshold=DEFAULT_THRESHOLD if match_threshold is None else match_threshold,
    )


def describe_rules(ruleset: RuleSet, today: dt.date) -> dict[str, Any]:
    """What `rules info` shows: version, files, counts per kind and list, ages and warnings."""
    counts: Counter[str] = Counter(type(rule).__name__ for rule in ruleset.rules)
    counts["ListEntry"] = len(ruleset.entries)
    per_list: Counter[str] = Counter(ruleset.entry_list.values())
    files = []
    warnings = []
    for file in ruleset.file_info:
        name, source = file.name, file.source
        entry: dict[str, Any] = {"file": name, "kind": file.kind, "rules": file.rules}
        if source is not None:
            as_of = source.as_of or source.imported_at.date()
            age = (today - as_of).days
            entry.update(
                source=source.file,
                sha256=source.sha256,
                imported_at=source.imported_at.isoformat(),
                as_of=as_of.isoformat(),
                age_days=age,
            )
            if age > FRESHNESS_WARNING_DAYS:
                warnings.append(
                    f"{name}: {source.file} is {age} days old (as of {as_of}); "
                    "download the current list and re-import it"
                )
        files.append(entry)
    return {
        "rules_version": ruleset.version,
        "files": files,
        "counts": dict(sorted(counts.items())),
        "lists": {
            list_id: {"name": info.name, "entries": per_list.get(list_id, 0)}
            for list_id, info in sorted(ruleset.lists.items())
        },
        "warnings": warnings,
    }
