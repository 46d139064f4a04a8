"""What screening produces: findings that explain themselves, and the result of one sale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from pydantic import Field

from exportcheck.domain.base import Model
from exportcheck.domain.rules import ReviewPolicy, Verdict
from exportcheck.domain.sale import Role

RESULT_SCHEMA_VERSION = 1
# The columns batch output adds after the input's own (interface.md), in order.
OUTPUT_COLUMNS = ("verdict", "reasons", "matched_entries", "top_score", "error")


def format_score(score: float | None) -> str:
    return "" if score is None else f"{score:.4f}"


def output_cells(
    verdict: str,
    reasons: Sequence[str],
    matched_entries: Sequence[str],
    top_score: float | None,
    error: str | None,
) -> list[str]:
    """The text of the OUTPUT_COLUMNS of one row: codes and ids joined by ``;``."""
    return [
        verdict,
        ";".join(reasons),
        ";".join(matched_entries),
        format_score(top_score),
        error or "",
    ]


class Finding(Model):
    """One reason behind a verdict: the check, the rule, the fact that fired it and the citation."""

    check: str
    verdict: Verdict
    message: str
    citation: str
    code: str
    rule_id: str | None = None
    item: int | None = None  # 1-based position in the sale's items
    field: str | None = None
    value: str | None = None
    destination: str | None = None
    policy: ReviewPolicy | None = None
    sensitivity: str | None = None
    outlook: str | None = None
    authorization: str | None = None
    party_role: Role | None = None
    party_name: str | None = None
    list: str | None = None
    entry_id: str | None = None
    entry_name: str | None = None
    matched_name: str | None = None
    score: float | None = Field(default=None, ge=0, le=1)
    explanation: str | None = None

    def sort_key(self) -> tuple[int, str, int, str, str, float, str, str]:
        return (
            -self.verdict.severity,
            self.check,
            self.item or 0,
            self.party_role or "",
            self.party_name or "",
            -(self.score or 0.0),  # the best match of a party first
            self.entry_id or "",
            self.code,
        )


class ScreeningResult(Model):
    schema_version: int = RESULT_SCHEMA_VERSION
    sale_id: str
    verdict: Verdict
    # The engine's internal state (ear-brief §0): NOT_SUBJECT, NLR, GENERAL_AUTH:<symbol>,
    # LICENCE_EXCEPTION:<symbol>, LICENCE_REQUIRED:<policy> or PROHIBITED.
    outcome: str
    as_of: dt.date
    rules_version: str
    destination: str
    findings: tuple[Finding, ...]

    @property
    def reasons(self) -> list[str]:
        """Short codes of the findings that carry the verdict, in order, without repeats."""
        return list(verdict_reasons(self.findings, self.verdict))

    @property
    def matched_entries(self) -> list[str]:
        return list(matched_entries(self.findings))

    @property
    def top_score(self) -> float | None:
        return top_score(self.findings)


class ScreeningSummary(NamedTuple):
    """What a batch row reports of a ScreeningResult, from the same sorted findings."""

    verdict: Verdict
    reasons: tuple[str, ...]
    matched_entries: tuple[str, ...]
    top_score: float | None


def verdict_reasons(findings: Iterable[Finding], verdict: Verdict) -> tuple[str, ...]:
    """Codes of the findings that carry the verdict, in order, without repeats."""
    return tuple(dict.fromkeys(f.code for f in findings if f.verdict is verdict))


def matched_entries(findings: Iterable[Finding]) -> tuple[str, ...]:
    """Ids of the list entries the findings name, in order, without repeats."""
    return tuple(dict.fromkeys(f.entry_id for f in findings if f.entry_id))


def top_score(findings: Iterable[Finding]) -> float | None:
    """The best name-match score of the findings; None when no finding has one."""
    scores = [f.score for f in findings if f.score is not None]
    return max(scores) if scores else None
