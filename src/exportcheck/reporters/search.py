"""Rendering of `search`: ranked list candidates with scores and explanations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from exportcheck.domain.matching import NameMatch
from exportcheck.domain.rules import RuleSet


def search_payload(
    name: str, country: str | None, matches: Sequence[NameMatch], ruleset: RuleSet
) -> dict[str, Any]:
    candidates = []
    for match in matches:
        entry = ruleset.entries[match.key]
        info = ruleset.lists[ruleset.entry_list[match.key]]
        candidates.append(
            {
                "entry_id": entry.id,
                "list": info.id,
                "entry_name": entry.name,
                "matched_name": match.matched_name,
                "score": round(match.score, 4),
                "explanation": match.explanation,
                "countries": sorted(entry.all_countries()),
                "policy": (entry.policy or info.policy).value,
                "citation": entry.citation,
            }
        )
    return {
        "query": name,
        "country": country,
        "rules_version": ruleset.version,
        "candidates": candidates,
    }


def render_search(
    name: str,
    country: str | None,
    matches: Sequence[NameMatch],
    ruleset: RuleSet,
    fmt: str,
    stream: TextIO,
) -> None:
    payload = search_payload(name, country, matches, ruleset)
    if fmt == "json":
        json.dump(payload, stream, indent=2, sort_keys=True, ensure_ascii=False)
        stream.write("\n")
        return
    from exportcheck.reporters.table import render_candidates

    render_candidates(payload, stream)
