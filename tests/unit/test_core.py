"""Table-driven tests of the pure core: ECCNs, countries, exit codes, dates in force."""

from __future__ import annotations

import datetime as dt

import pytest

from exportcheck.domain.countries import resolve_country
from exportcheck.domain.eccn import eccn_matches, normalise_eccn, paragraph_applies
from exportcheck.domain.rules import ChartRow, ReviewPolicy, Verdict
from exportcheck.exit_codes import ExitCode, decide_exit_code

LF, LR, PR = Verdict.LICENCE_FREE, Verdict.LICENCE_REQUIRED, Verdict.PROHIBITED


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("5a002", "5A002"),
        ("3A001.A.1", "3A001.a.1"),
        (" ear99 ", "EAR99"),
        ("5A992.c", "5A992.c"),
        ("0A919", "0A919"),
    ],
)
def test_normalise_eccn(given: str, expected: str) -> None:
    assert normalise_eccn(given) == expected


@pytest.mark.parametrize("bad", ["5A02", "5F002", "EAR9", "A5002", "5A002..a", "", "3A001 a"])
def test_malformed_eccn(bad: str) -> None:
    with pytest.raises(ValueError, match="malformed ECCN"):
        normalise_eccn(bad)


@pytest.mark.parametrize(
    ("pattern", "eccn", "expected"),
    [
        ("3A001", "3A001.b.2", True),
        ("3A001.b", "3A001.b.2", True),
        ("3A001.b", "3A001.a", False),
        ("9x515", "9A515.a", True),
        ("9x515", "9A516", False),
        ("EAR99", "EAR99", True),
        ("3A001.b.2", "3A001", False),
    ],
)
def test_eccn_patterns(pattern: str, eccn: str, expected: bool) -> None:
    assert eccn_matches(pattern, eccn) is expected


@pytest.mark.parametrize(
    ("paragraph", "eccn", "expected"),
    [
        ("b.2", "3A001.b.2", True),
        ("b.2", "3A001.b.2.a", True),
        ("b.2", "3A001.b", False),
        ("b.2", "3A001", False),
        ("z", "5D992.c", False),
    ],
)
def test_paragraph_controls_apply_to_the_paragraph_named(
    paragraph: str, eccn: str, expected: bool
) -> None:
    assert paragraph_applies(paragraph, eccn) is expected


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("CN", "CN"),
        ("chn", "CN"),
        ("China", "CN"),
        ("Russia", "RU"),
        ("Türkiye", "TR"),
        ("turkey", "TR"),
        ("Hong Kong", "HK"),
        ("NO", "NO"),
        ("Korea, North", "KP"),
        ("United Kingdom", "GB"),
        ("Viet Nam", "VN"),
        ("Côte d'Ivoire", "CI"),
    ],
)
def test_resolve_country(given: str, code: str) -> None:
    assert resolve_country(given) == code


@pytest.mark.parametrize("bad", ["XX", "Atlantis", "", "C"])
def test_unknown_country(bad: str) -> None:
    with pytest.raises(ValueError):
        resolve_country(bad)


@pytest.mark.parametrize(
    ("verdicts", "errors", "fail_on", "code"),
    [
        ([], 0, LR, ExitCode.OK),
        ([LF, LF], 0, LR, ExitCode.OK),
        ([LF, LR], 0, LR, ExitCode.LICENCE_REQUIRED),
        ([LR, PR], 0, LR, ExitCode.PROHIBITED),
        ([LR], 0, PR, ExitCode.OK),
        ([LR, PR], 0, PR, ExitCode.PROHIBITED),
        ([LF], 2, LR, ExitCode.ROW_ERRORS),
        ([LR], 2, LR, ExitCode.LICENCE_REQUIRED),
        ([LR], 2, PR, ExitCode.ROW_ERRORS),  # errors are never masked by --fail-on
        ([PR], 2, LR, ExitCode.PROHIBITED),
    ],
)
def test_exit_codes(verdicts: list[Verdict], errors: int, fail_on: Verdict, code: ExitCode) -> None:
    assert decide_exit_code(verdicts, row_errors=errors, fail_on=fail_on) is code


def test_policies_map_to_verdicts() -> None:
    prohibited = {p for p in ReviewPolicy if p.verdict is PR}
    assert prohibited == {
        ReviewPolicy.POLICY_OF_DENIAL,
        ReviewPolicy.DENIAL_ORDER,
        ReviewPolicy.SANCTIONS,
    }
    assert ReviewPolicy.UNKNOWN.verdict is LR  # text not understood never clears a sale


def test_dates_in_force_are_inclusive() -> None:
    row = ChartRow.model_validate(
        {"id": "r", "citation": "c", "country": "HK", "from": "2019-01-01", "until": "2020-12-22"}
    )
    assert row.in_force(dt.date(2019, 1, 1)) and row.in_force(dt.date(2020, 12, 22))
    assert not row.in_force(dt.date(2018, 12, 31)) and not row.in_force(dt.date(2020, 12, 23))
