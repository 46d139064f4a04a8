"""Engine behaviour on a small hand-written rule set: one behaviour per case, with its reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from exportcheck.domain.engine import Screener
from exportcheck.domain.rules import RuleSet
from exportcheck.domain.sale import Sale
from exportcheck.loading.rules import load_rules

RULES = Path(__file__).resolve().parents[1] / "fixtures" / "rules_small"


@pytest.fixture(scope="module")
def small() -> Screener:
    return Screener(load_rules([RULES]))


def sale(*, date: str = "2021-06-01", parties: Any = None, **item: Any) -> Sale:
    base = {"classification": "1A991", "origin": "US", "value": 1000}
    return Sale.model_validate(
        {
            "id": "T",
            "date": date,
            "parties": parties or [{"role": "buyer", "name": "Tokyo Parts KK", "country": "JP"}],
            "items": [{**base, **item}],
        }
    )


def party(name: str, country: str, role: str = "end_user") -> list[dict[str, str]]:
    return [{"role": role, "name": name, "country": country}]


CASES: list[tuple[str, Sale, str, str, set[str]]] = [
    (
        "AT-only item to a country with no AT mark needs nothing",
        sale(),
        "licence-free",
        "NLR",
        {"nlr"},
    ),
    (
        "an NS X needs a licence, with the sensitivity outlook",
        sale(classification="1A001", value=9000),
        "licence-required",
        "LICENCE_REQUIRED:unknown",
        {"country-chart:NS1"},
    ),
    (
        "LVS covers NS to group B up to the ECCN's limit",
        sale(classification="1A001", value=4000),
        "licence-free",
        "LICENCE_EXCEPTION:LVS",
        {"country-chart:NS1:LVS"},
    ),
    (
        "the Entity List reaches EAR99 items",
        sale(classification="EAR99", parties=party("ACME WIDGETS CO LTD", "CN")),
        "licence-required",
        "LICENCE_REQUIRED:presumption_of_denial",
        {"entity-list"},
    ),
    (
        "an entry is not in force before its date",
        sale(classification="EAR99", date="2019-06-01", parties=party("Acme Widgets", "CN")),
        "licence-free",
        "NLR",
        {"entity-list:not-in-force"},
    ),
    (
        "an entry is not in force after its removal",
        sale(classification="EAR99", date="2021-01-01", parties=party("Old Friends Trading", "CN")),
        "licence-free",
        "NLR",
        {"entity-list:not-in-force"},
    ),
    (
        "a CCL-only requirement does not reach EAR99",
        sale(classification="EAR99", parties=party("Zenith Optics Ltd", "CN")),
        "licence-free",
        "NLR",
        set(),
    ),
    (
        "a CCL-only requirement reaches CCL items",
        sale(classification="1A991", parties=party("Zenith Optics Ltd", "CN")),
        "licence-required",
        "LICENCE_REQUIRED:case_by_case",
        {"entity-list"},
    ),
    (
        "a policy of denial entry is prohibited",
        sale(classification="EAR99", parties=party("Borisov Repair Plant", "BY")),
        "prohibited",
        "PROHIBITED",
        {"entity-list"},
    ),
    (
        "a denied person is prohibited even for a foreign item outside the EAR",
        sale(origin="JP", us_content_percent=0, parties=party("Jonas Bad Actor", "JP")),
        "prohibited",
        "PROHIBITED",
        {"denied-persons", "not-subject"},
    ),
    (
        "the Entity List does not reach a foreign item under de minimis",
        sale(origin="JP", us_content_percent=20, parties=party("Acme Widgets Co", "CN")),
        "licence-free",
        "NOT_SUBJECT",
        {"not-subject", "entity-list:no-subject-item"},
    ),
    (
        "listed parties bar licence exceptions (744.16(b))",
        sale(classification="1A001", value=100, parties=party("Acme Widgets", "JP")),
        "licence-required",
        "LICENCE_REQUIRED:presumption_of_denial",
        {"country-chart:NS1", "entity-list"},
    ),
    (
        "a general licence covers the purposes it names, in its window",
        sale(
            classification="EAR99",
            date="2020-03-01",
            purpose="repair",
            parties=party("Acme Widgets Co., Ltd.", "CN"),
        ),
        "licence-free",
        "GENERAL_AUTH:TEST_TGL",
        {"entity-list:TEST_TGL"},
    ),
    (
        "... and not other purposes",
        sale(classification="EAR99", date="2020-03-01", parties=party("Acme Widgets", "CN")),
        "licence-required",
        "LICENCE_REQUIRED:presumption_of_denial",
        {"entity-list"},
    ),
    (
        "... nor after it ends",
        sale(
            classification="EAR99",
            date="2020-07-01",
            purpose="repair",
            parties=party("Acme Widgets", "CN"),
        ),
        "licence-required",
        "LICENCE_REQUIRED:presumption_of_denial",
        {"entity-list"},
    ),
    (
        "an embargo on any party's country applies, not only the destination's",
        sale(
            parties=[
                {"role": "buyer", "name": "Tehran Trading", "country": "IR"},
                {"role": "end_user", "name": "Tokyo Parts KK", "country": "JP"},
            ]
        ),
        "prohibited",
        "PROHIBITED",
        {"embargo-IR"},
    ),
    (
        "an embargo starts on its date",
        sale(date="2022-03-01", parties=party("Minsk Tools", "BY")),
        "licence-free",
        "NLR",
        set(),
    ),
    (
        "a CCL embargo does not reach EAR99",
        sale(classification="EAR99", parties=party("Minsk Tools", "BY")),
        "licence-free",
        "NLR",
        set(),
    ),
    (
        "10 % de minimis for E:1 counts EAR99 parts that the embargo covers",
        sale(
            origin="JP",
            value=1000,
            parties=party("Tehran Trading", "IR"),
            components=[{"classification": "EAR99", "origin": "US", "value": 150}],
        ),
        "prohibited",
        "PROHIBITED",
        {"de-minimis-exceeded", "embargo-IR"},
    ),
    (
        "de minimis counts only parts that would need a licence as-is",
        sale(
            origin="JP",
            value=1000,
            parties=party("Shanghai Tools", "CN"),
            components=[
                {"classification": "1A991", "origin": "US", "value": 900},
                {"classification": "1A001", "origin": "US", "value": 200},
            ],
        ),
        "licence-free",
        "NOT_SUBJECT",
        {"not-subject"},
    ),
    (
        "unclassified US parts count as controlled",
        sale(
            origin="JP",
            value=1000,
            parties=party("Shanghai Tools", "CN"),
            components=[{"origin": "US", "value": 300}],
        ),
        "licence-free",
        "NLR",
        {"de-minimis-exceeded"},
    ),
    (
        "a destination without a chart row fails closed",
        sale(classification="1A001", parties=party("Berlin Labs", "DE")),
        "licence-required",
        "LICENCE_REQUIRED:unknown",
        {"no-chart-row"},
    ),
]


@pytest.mark.parametrize(
    ("why", "the_sale", "verdict", "outcome", "codes"), CASES, ids=[c[0] for c in CASES]
)
def test_case(
    small: Screener, why: str, the_sale: Sale, verdict: str, outcome: str, codes: set[str]
) -> None:
    result = small.screen(the_sale)
    found = {f.code for f in result.findings}
    assert (result.verdict.value, result.outcome) == (verdict, outcome), [
        (f.code, f.message) for f in result.findings
    ]
    assert codes <= found, found


def test_sensitivity_outlook_on_licence_required_findings(small: Screener) -> None:
    result = small.screen(sale(classification="1A001", value=9000))
    (finding,) = [f for f in result.findings if f.code == "country-chart:NS1"]
    assert (finding.sensitivity, finding.outlook) == ("national-security", "hard")


def test_results_are_deterministic_and_record_the_rules_version(small: Screener) -> None:
    the_sale = sale(classification="EAR99", parties=party("Acme Widgets", "CN"))
    first, second = small.screen(the_sale), small.screen(the_sale)
    assert first == second
    assert first.rules_version == small.ruleset.version
    assert first.rules_version.startswith("sha256:")


def test_as_of_overrides_the_sale_date(small: Screener) -> None:
    the_sale = sale(classification="EAR99", parties=party("Acme Widgets", "CN"))
    assert small.screen(the_sale, dt.date(2019, 6, 1)).verdict.value == "licence-free"
    assert small.screen(the_sale).verdict.value == "licence-required"


def test_a_later_rule_with_the_same_id_replaces_an_earlier_one(tmp_path: Path) -> None:
    override = tmp_path / "override"
    override.mkdir()
    (override / "chart.yaml").write_text(
        "schema_version: 1\nkind: country-chart\nrules:\n"
        "  - {id: chart-JP, country: JP, marks: [], citation: override}\n",
        encoding="utf-8",
    )
    ruleset: RuleSet = load_rules([RULES, override])
    result = Screener(ruleset).screen(sale(classification="1A001", value=9000))
    assert result.outcome == "NLR"
    assert ruleset.version != load_rules([RULES]).version
