"""The bundled rules in rules/: every file validates, ids are unique, and dated facts hold.

These tests read the YAML files directly (no loader), so they check the data the project ships
independently of the engine. Facts checked against the shared reference data live in
test_bundled_reference.py.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from pydantic import TypeAdapter

from exportcheck.domain.rules import (
    Authorization,
    ChartRow,
    CountryGroup,
    DeMinimisRule,
    DestinationAlias,
    EccnRule,
    Embargo,
    ListEntry,
    RuleFile,
    ScreeningListFile,
    SensitivityCategory,
)

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
RULE_FILES = sorted(RULES_DIR.glob("*.yaml"))
_T = TypeVar("_T")

MAY_2019 = dt.date(2019, 5, 16)
AUG_2019 = dt.date(2019, 8, 19)
AUG_2020 = dt.date(2020, 8, 17)


@cache
def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return TypeAdapter(RuleFile).validate_python(raw)


def _rules(kind: type[_T]) -> list[_T]:
    return [rule for path in RULE_FILES for rule in _load(path).rules if isinstance(rule, kind)]


def _one(kind: type[_T], rule_id: str) -> _T:
    found = [rule for rule in _rules(kind) if getattr(rule, "id", None) == rule_id]
    assert len(found) == 1, f"{rule_id}: {len(found)} rules"
    return found[0]


def _members(group: str, on: dt.date) -> set[str]:
    rule = next(g for g in _rules(CountryGroup) if g.group == group)
    return {m.country for m in rule.members if m.in_force(on)}


def _in_force(rules: Iterable[_T], on: dt.date) -> list[_T]:
    return [r for r in rules if r.in_force(on)]  # type: ignore[attr-defined]


# --- every file ---------------------------------------------------------------------------------


def test_rules_folder_holds_every_kind_once() -> None:
    kinds = Counter(_load(path).kind for path in RULE_FILES)
    assert kinds == {
        "screening-list": 1,
        "country-groups": 1,
        "country-chart": 1,
        "destinations": 1,
        "eccns": 1,
        "sensitivity": 1,
        "de-minimis": 1,
        "embargoes": 1,
        "authorizations": 1,
    }


@pytest.mark.parametrize("path", RULE_FILES, ids=[p.name for p in RULE_FILES])
def test_file_validates_with_schema_version_1_and_citations(path: Path) -> None:
    rule_file = _load(path)
    assert rule_file.schema_version == 1
    assert rule_file.title
    assert rule_file.rules
    for rule in rule_file.rules:
        assert rule.citation.strip(), rule.id


def test_ids_unique_across_files() -> None:
    ids = Counter(rule.id for path in RULE_FILES for rule in _load(path).rules)
    assert [rule_id for rule_id, n in ids.items() if n > 1] == []


def test_dates_are_ordered() -> None:
    for path in RULE_FILES:
        for rule in _load(path).rules:
            if rule.from_ and rule.until:
                assert rule.from_ <= rule.until, rule.id


# --- Entity List: Huawei -----------------------------------------------------------------------


def _huawei() -> list[ListEntry]:
    return _rules(ListEntry)


def test_entity_list_file_describes_the_list() -> None:
    rule_file = next(f for f in map(_load, RULE_FILES) if isinstance(f, ScreeningListFile))
    assert rule_file.list.id == "entity-list"
    assert rule_file.list.effect == "per-entry"
    assert rule_file.list.policy == "presumption-of-denial"
    assert rule_file.list.subject_items_only is True


def test_huawei_parent_entry() -> None:
    parent = _one(ListEntry, "el-huawei-technologies-co-ltd")
    assert parent.name == "Huawei Technologies Co., Ltd."
    assert parent.from_ == MAY_2019
    assert parent.requirement_scope == "all-items"
    assert parent.policy == "presumption-of-denial"
    assert "CN" in parent.all_countries()
    assert "Huawei" in parent.aliases


def test_affiliate_counts_per_effective_date() -> None:
    # 84 FR 22961: Huawei and 68 affiliates; 84 FR 43493: 46 more (19 added to the Huawei entry
    # as affiliated entities, 27 as new entries); 85 FR 51596: 38 more.
    counts = Counter(entry.from_ for entry in _huawei())
    assert counts == {MAY_2019: 1 + 68, AUG_2019: 46, AUG_2020: 38}


def test_dates_are_effective_not_publication_dates() -> None:
    published = {dt.date(2019, 5, 21), dt.date(2019, 8, 21), dt.date(2020, 8, 20)}
    assert not {entry.from_ for entry in _huawei()} & published


def test_every_entry_is_complete() -> None:
    for entry in _huawei():
        assert entry.id.startswith("el-"), entry.id
        assert entry.addresses, entry.id
        assert all(a.country for a in entry.addresses), entry.id
        assert entry.requirement, entry.id
        assert entry.requirement_scope == "all-items", entry.id
        assert entry.policy in ("presumption-of-denial", "case-by-case"), entry.id
        assert entry.tags == ("huawei",), entry.id
        assert entry.until is None, entry.id
        assert any(fr in entry.citation for fr in ("84 FR 22961", "84 FR 43493", "85 FR 51596"))


def test_footnote_1_from_may_2020_or_listing() -> None:
    for entry in _huawei():
        (footnote,) = entry.footnotes
        assert footnote.number == 1
        expected = dt.date(2020, 5, 15) if entry.from_ and entry.from_ < AUG_2020 else AUG_2020
        assert footnote.from_ == expected, entry.id


def test_only_the_dusseldorf_entry_is_case_by_case() -> None:
    case_by_case = [e.id for e in _huawei() if e.policy == "case-by-case"]
    assert case_by_case == ["el-huawei-technologies-dusseldorf-gmbh"]


def test_hong_kong_affiliates_keep_hk_addresses() -> None:
    entry = _one(ListEntry, "el-huawei-cloud-hong-kong")
    assert entry.all_countries() == {"HK"}


# --- destinations and groups as of a date ------------------------------------------------------


def test_sudan_in_e1_until_2021_01_13() -> None:
    assert "SD" in _members("E:1", dt.date(2019, 6, 1))
    assert "SD" in _members("E:1", dt.date(2021, 1, 13))
    assert "SD" not in _members("E:1", dt.date(2021, 1, 14))
    assert "SD" not in _members("E:1", dt.date(2021, 2, 1))
    assert _members("E:1", dt.date(2026, 7, 23)) == {"IR", "KP", "SY"}
    assert _members("E:2", dt.date(2019, 6, 1)) == {"CU"}


def test_hong_kong_is_its_own_destination_until_2020_12_22() -> None:
    assert "HK" in _members("A:6", dt.date(2019, 6, 1))
    assert "HK" not in _members("A:6", dt.date(2020, 12, 23))
    alias = _one(DestinationAlias, "dest-HK-as-CN")
    assert alias.treated_as == "CN"
    assert not alias.in_force(dt.date(2020, 12, 22))
    assert alias.in_force(dt.date(2020, 12, 23))
    # No chart row: a sale to Hong Kong before 2020-12-23 fails closed on the missing row.
    assert "HK" not in {row.country for row in _rules(ChartRow)}


def test_ukraine_mexico_cyprus_on_2020_12_28() -> None:
    before, after = dt.date(2020, 12, 27), dt.date(2020, 12, 28)
    assert "UA" in _members("D:1", before)
    assert "UA" not in _members("D:1", after)
    assert {"MX", "CY"} & _members("A:6", before) == set()
    assert {"MX", "CY"} <= _members("A:6", after)


def test_liechtenstein_and_cayman_use_parent_rows() -> None:
    aliases = {a.country: a.treated_as for a in _rules(DestinationAlias)}
    assert aliases == {"HK": "CN", "LI": "CH", "KY": "GB"}


def test_macau_is_not_in_d5() -> None:
    assert "MO" not in _members("D:5", dt.date(2026, 7, 23))
    assert "MO" in _members("D:1", dt.date(2026, 7, 23))


# --- ECCNs of the brief ------------------------------------------------------------------------


def _controls(eccn: str) -> list[tuple[str, str | None, tuple[str, ...]]]:
    rule = _one(EccnRule, f"eccn-{eccn}")
    return [(c.reason, c.column, c.paragraphs) for c in rule.controls]


BRIEF_ECCNS = [
    "3A001", "3A090", "3A991", "3B001", "3D001", "3E001", "4A003", "4A090", "4A994",
    "5A001", "5A991", "5A002", "5A992", "5D002", "5E002",
]  # fmt: skip


@pytest.mark.parametrize("eccn", BRIEF_ECCNS)
def test_brief_eccn_is_bundled_with_at1(eccn: str) -> None:
    assert ("AT", "AT1", ()) in _controls(eccn)


def test_3a001_paragraph_controls() -> None:
    controls = _controls("3A001")
    assert ("NS", "NS2", ()) in controls
    assert ("NS", "NS1", ("b.2", "b.3")) in controls
    assert ("RS", "RS1", ("b.2", "b.3")) in controls
    rule = _one(EccnRule, "eccn-3A001")
    assert rule.gbs is False  # GBS only for some paragraphs: not set


@pytest.mark.parametrize("eccn", ["3A991", "4A994", "5A991"])
def test_at_only_eccns(eccn: str) -> None:
    assert _controls(eccn) == [("AT", "AT1", ())]


def test_5a992_is_at_only_outside_z() -> None:
    for reason, column, paragraphs in _controls("5A992"):
        assert (reason, column) == ("AT", "AT1") or all(p.startswith("z") for p in paragraphs)


@pytest.mark.parametrize("eccn", ["5A002", "5E002"])
def test_encryption_ei_to_all_but_canada(eccn: str) -> None:
    rule = _one(EccnRule, f"eccn-{eccn}")
    (ei,) = [c for c in rule.controls if c.reason == "EI"]
    assert ei.destinations is not None
    assert ei.destinations.all and ei.destinations.except_countries == ("CA",)
    assert ei.paragraphs == ()
    assert ("NS", "NS1", ()) in _controls(eccn)


def test_5a001_f1_surreptitious_listening_everywhere() -> None:
    rule = _one(EccnRule, "eccn-5A001")
    (sl,) = [c for c in rule.controls if c.reason == "SL"]
    assert sl.paragraphs == ("f.1",)
    assert sl.destinations is not None and sl.destinations.all


@pytest.mark.parametrize("eccn", ["3A090", "4A090"])
def test_advanced_computing_scope_as_enforced(eccn: str) -> None:
    rule = _one(EccnRule, f"eccn-{eccn}")
    (rs,) = [c for c in rule.controls if c.reason == "RS"]
    assert rs.destinations is not None
    assert set(rs.destinations.groups) == {"D:1", "D:4", "D:5"}
    assert set(rs.destinations.except_groups) == {"A:5", "A:6"}
    assert "MO" in rs.destinations.countries


# --- embargoes, de minimis, authorizations, sensitivity -----------------------------------------


def test_embargo_policies() -> None:
    kp = _one(Embargo, "emb-north-korea")
    assert (kp.items, kp.policy) == ("all", "policy-of-denial")
    assert _one(Embargo, "emb-iran").policy == "sanctions"
    russia = _one(Embargo, "emb-russia-ccl")
    assert (russia.from_, russia.items, russia.policy) == (
        dt.date(2022, 2, 24),
        "ccl",
        "policy-of-denial",
    )
    assert _one(Embargo, "emb-belarus-ccl").from_ == dt.date(2022, 3, 2)
    assert _one(Embargo, "emb-russia-ear99").policy == "unknown"


def test_syria_changes_on_2025_09_02() -> None:
    syria = [e for e in _rules(Embargo) if "SY" in e.destinations.countries]
    assert {e.id for e in _in_force(syria, dt.date(2025, 9, 1))} == {"emb-syria-until-2025-09-01"}
    assert {e.id for e in _in_force(syria, dt.date(2025, 9, 2))} == {
        "emb-syria-ccl",
        "emb-syria-ear99",
    }
    spp = _one(Authorization, "auth-spp-syria")
    assert spp.embargoes == ("emb-syria-ear99",)


def test_de_minimis_levels() -> None:
    rules = {r.id: r for r in _rules(DeMinimisRule)}
    assert rules["dm-25-percent"].percent == 25
    assert rules["dm-25-percent"].destinations.except_groups == ("E:1", "E:2")
    assert rules["dm-10-percent-e1-e2"].percent == 10
    assert set(rules["dm-10-percent-e1-e2"].destinations.groups) == {"E:1", "E:2"}
    zero = [r for r in rules.values() if r.percent == 0]
    assert len(zero) >= 8
    assert all(r.item_eccns or r.content_eccns for r in zero)
    assert all(r.description for r in rules.values())


def test_huawei_tgl_versions() -> None:
    tgl = [a for a in _rules(Authorization) if a.lists == ("entity-list",)]
    for day, expected in [
        (dt.date(2019, 5, 19), set()),
        (dt.date(2019, 6, 3), {"auth-huawei-tgl-2019-05"}),
        (dt.date(2019, 9, 10), {"auth-huawei-tgl-2019-08"}),
        (dt.date(2020, 8, 13), {"auth-huawei-tgl-2019-08"}),
        (dt.date(2020, 8, 15), set()),
        (dt.date(2020, 9, 1), {"auth-huawei-cybersecurity-2020"}),
    ]:
        assert {a.id for a in _in_force(tgl, day)} == expected, day
    for auth in tgl:
        if auth.symbol == "HUAWEI_TGL":
            assert {"maintenance", "software-update", "repair"} <= set(auth.purposes)
            assert auth.existing_before == MAY_2019
        else:
            assert auth.purposes == ("cybersecurity-research",)


def test_tgl_covers_every_huawei_entry_listed_in_2019() -> None:
    tgl = _one(Authorization, "auth-huawei-tgl-2019-08")
    cyber = _one(Authorization, "auth-huawei-cybersecurity-2020")
    for entry in _huawei():
        if entry.from_ is not None and entry.from_ < AUG_2020:
            assert any(fnmatch.fnmatchcase(entry.id, p) for p in tgl.entries), entry.id
        assert any(fnmatch.fnmatchcase(entry.id, p) for p in cyber.entries), entry.id


def test_licence_exceptions() -> None:
    enc = _one(Authorization, "auth-enc")
    assert set(enc.reasons) == {"NS", "EI"}
    assert {"5A002", "5D002", "5E002"} <= set(enc.eccns)
    assert enc.destinations is not None and "DE" in enc.destinations.countries
    gbs = _one(Authorization, "auth-gbs")
    assert gbs.reasons == ("NS",)
    assert gbs.destinations is not None
    assert gbs.destinations.groups == ("B",)
    assert {"SD", "UA"} <= set(gbs.destinations.except_countries)
    lvs = _one(Authorization, "auth-lvs")
    assert lvs.destinations is not None and lvs.destinations.groups == ("B",)


def test_sensitivity_ranks() -> None:
    cats = {c.id: c for c in _rules(SensitivityCategory)}
    low = cats["sens-ear99-at-only"]
    assert "EAR99" in low.eccns and low.reasons_only == ("AT",)
    assert "readily available abroad" in low.outlook
    assert max(cats.values(), key=lambda c: c.rank).id == "sens-wmd"
    assert {"MT", "NP", "CB"} <= set(cats["sens-wmd"].reasons_any)
    assert cats["sens-national-security"].rank > low.rank
