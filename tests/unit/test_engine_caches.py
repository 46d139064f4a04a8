"""The engine's caches (rule views per date span, item findings, name matches) never change a
result: screening with warm caches equals screening each sale on a fresh Screener."""

from __future__ import annotations

import datetime as dt
import random

from exportcheck.domain.engine import Screener
from exportcheck.domain.rules import RuleSet
from exportcheck.domain.sale import Sale

NAMES = [
    ("Huawei Technologies Co., Ltd.", "CN"),
    ("HiSilicon Technologies Co., Ltd", "CN"),
    ("Osaka Precision Instruments K.K.", "JP"),
    ("Rheinland Automation GmbH", "DE"),
    ("Korea General Trading Corporation", "KP"),
    ("Moscow Microelectronics LLC", "RU"),
    ("Kowloon Components Trading Ltd", "HK"),
    ("Havana Medical Supplies", "CU"),
    ("Saigon Industrial Automation JSC", "VN"),
    ("Sao Paulo Metrologia Ltda", "BR"),  # group B with an NS2 X: LVS decides by value
]
ECCNS = [
    "EAR99",
    "3A991",
    "3A001.a",
    "3A001.b.2",
    "5A002",
    "5A992.c",
    "5D992",
    "4A994",
    "1C350",
    "2B001",
    "6A003",
    None,
]
DATES = [dt.date(2019, 5, 1) + dt.timedelta(days=d) for d in range(0, 2700, 37)]


def _random_sale(rng: random.Random, number: int) -> Sale:
    parties = [
        {"role": role, "name": name, "country": country}
        for role, (name, country) in zip(
            ("buyer", "end_user"), rng.sample(NAMES, rng.choice((1, 2))), strict=False
        )
    ]
    origin = rng.choice(["US", "US", "TW", "KR", "DE"])
    item: dict[str, object] = {
        "classification": rng.choice(ECCNS),
        "origin": origin,
        "value": rng.choice([500, 1500, 2500, 4000, 5000, 9000, 250000, rng.uniform(1, 20000)]),
        "description": rng.choice(["chip", "module", None]),
        "purpose": rng.choice(["new-sale", "software-update", "maintenance"]),
    }
    if origin != "US":
        item["us_content_percent"] = rng.choice([0, 8, 25, 30, None])
        item["direct_product"] = rng.choice([True, False, None])
    if item["purpose"] != "new-sale":
        item["existing_since"] = rng.choice([dt.date(2019, 3, 1), dt.date(2019, 7, 1)])
    return Sale.model_validate(
        {"id": f"S{number}", "date": rng.choice(DATES), "parties": parties, "items": [item]}
    )


def test_warm_caches_give_the_same_results_as_fresh_screeners(bundled_rules: RuleSet) -> None:
    rng = random.Random(20190516)
    sales = [_random_sale(rng, n) for n in range(400)]
    warm = Screener(bundled_rules)
    for sale in sales + sales:  # the second pass is served from the caches
        fresh = Screener(bundled_rules, index=warm.index)
        assert warm.screen(sale) == fresh.screen(sale), sale


def test_value_limits_are_part_of_the_cache_key(bundled_rules: RuleSet) -> None:
    screener = Screener(bundled_rules)

    def outcome(value: float) -> str:
        sale = Sale.model_validate(
            {
                "id": "LVS",
                "date": "2026-01-15",
                "parties": [{"role": "end_user", "name": "Sao Paulo Metrologia", "country": "BR"}],
                "items": [{"classification": "3C001", "origin": "US", "value": value}],
            }
        )
        return screener.screen(sale).outcome

    assert outcome(1000) == "LICENCE_EXCEPTION:LVS"  # 3C001: LVS $3,000 to group B
    assert outcome(9000) == "LICENCE_REQUIRED:unknown"
    assert outcome(1000) == "LICENCE_EXCEPTION:LVS"


def test_the_value_class_decides_at_each_limit_exactly(bundled_rules: RuleSet) -> None:
    # Chart findings are cached on which side of each value limit the value is on: a value at
    # the limit is within it, a cent above is not, whatever was screened before.
    screener = Screener(bundled_rules)

    def outcome(value: float) -> str:
        sale = Sale.model_validate(
            {
                "id": "LVS",
                "date": "2026-01-15",
                "parties": [{"role": "end_user", "name": "Sao Paulo Metrologia", "country": "BR"}],
                "items": [{"classification": "3C001", "origin": "US", "value": value}],
            }
        )
        result = screener.screen(sale)
        assert result == Screener(bundled_rules, index=screener.index).screen(sale)
        return result.outcome

    for value in (3000.01, 3000, 2999.99, 9000, 1, 3000, 3000.01):
        expected = "LICENCE_EXCEPTION:LVS" if value <= 3000 else "LICENCE_REQUIRED:unknown"
        assert outcome(value) == expected, value


def test_rows_over_and_under_value_limits_share_cached_chart_findings(
    bundled_rules: RuleSet,
) -> None:
    rng = random.Random(734)
    sales = [_random_sale(rng, n) for n in range(300)]
    warm = Screener(bundled_rules)
    for sale in sales:
        warm.screen(sale)
    for sale in sales:  # the same rows with other values: only the value class is cached
        for value in (1.0, 2999.0, 3000.0, 3001.0, 5000.0, 5001.0, 1e7):
            item = sale.items[0].model_copy(update={"value": value})
            other = sale.model_copy(update={"items": (item,)})
            fresh = Screener(bundled_rules, index=warm.index)
            assert warm.screen(other) == fresh.screen(other), other
