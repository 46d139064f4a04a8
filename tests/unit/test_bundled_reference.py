"""The bundled rules agree with the real reference data in ../shared/data.

Country Chart, Country Groups and CCL against the eCFR issue of 2026-07-23; the Huawei Entity List
entries against the trade.gov Consolidated Screening List of 2022-05 (full CSV) and 2026-07
(compact JSON). Skipped when the reference data are not present.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter

from exportcheck.domain.countries import resolve_country
from exportcheck.domain.rules import (
    AnyRule,
    Authorization,
    ChartRow,
    CountryGroup,
    EccnRule,
    ListEntry,
    RuleFile,
)

REPO = Path(__file__).resolve().parents[2]
RULES_DIR = REPO / "rules"
DATA = REPO.parent / "shared" / "data"
ECFR = DATA / "ecfr"
CSL_2022 = DATA / "csl" / "csl_2022-05_full.csv.gz"
CSL_2026 = DATA / "csl" / "csl_2026-07-31_compact.json.gz"
AS_OF = dt.date(2026, 7, 23)

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"reference data not found at {DATA}")

# Destination names of the eCFR JSON that pycountry does not resolve (several are misspelt there).
NAMES = {
    "Bahamas, The": "BS",
    "The Bahamas": "BS",
    "Bosnia & Herzegovina": "BA",
    "China (PRC)": "CN",
    "Congo (Democratic Republic of the)": "CD",
    "Congo (Democratic Republic of)": "CD",
    "Congo (Republic of the)": "CG",
    "Cote d'lvoire": "CI",
    "Gambia, The": "GM",
    "Micronesia (Federated State of)": "FM",
    "Saint Kitts & Nevis": "KN",
    "St. Kitts and Nevis": "KN",
    "Sao Tome & Principe": "ST",
    "Seycheles": "SC",
    "Sint Maarten (the Dutch two-fifths of the island of Saint Martin)": "SX",
    "South Sudan, Republic of": "SS",
    "St. Lucia": "LC",
    "St. Vincent and the Grenadines": "VC",
    "Trinidad & Tobago": "TT",
    "Vatican City": "VA",
}

# ECCNs whose licence requirements the data do not give (mostly "subject to the ITAR" entries and
# the x018 / 0x521 / x611 entries). They are left out of the bundled rules on purpose, so that the
# engine reports them as unknown instead of clearing them.
UNMODELLED = {
    "0A002", "0A521", "0B521", "0C521", "0D001", "0D521", "0E001", "0E521", "1A102", "1C018",
    "1C102", "2B018", "2D018", "4A102", "4A611", "5A611", "6A103", "6A611", "7A106", "7A115",
    "7A117", "7B103", "7D103", "7E104", "8A018", "9A005", "9A006", "9A007", "9A008", "9A009",
    "9A010", "9A011", "9A018", "9A103", "9A104", "9A105", "9A107", "9A108", "9A109", "9A111",
    "9A116", "9A117", "9A118", "9A119", "9D005", "9D018", "9D103", "9D105", "9E018",
}  # fmt: skip

# CSL text damaged by old encodings, and the repaired spelling the bundled rules use.
MOJIBAKE = {
    "Co”peratief": "Coöperatief",
    "Telecomunicac?es": "Telecomunicações",
    "Xi?an": "Xi'an",
    "Guiyan New District": "Gui'an New District",
}

PUBLISHED_TO_EFFECTIVE = {
    "2019-05-21": dt.date(2019, 5, 16),
    "2019-08-21": dt.date(2019, 8, 19),
    "2020-08-20": dt.date(2020, 8, 17),
}


def _code(name: str) -> str:
    return NAMES.get(name) or resolve_country(name)


@cache
def _rules() -> tuple[AnyRule, ...]:
    found: list[AnyRule] = []
    for path in sorted(RULES_DIR.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            found.extend(TypeAdapter(RuleFile).validate_python(yaml.safe_load(handle)).rules)
    return tuple(found)


def _of(kind: type[Any]) -> list[Any]:
    return [rule for rule in _rules() if isinstance(rule, kind)]


@cache
def _json(name: str) -> Any:
    path = ECFR / name
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def _norm(text: str) -> str:
    for bad, good in MOJIBAKE.items():
        text = text.replace(bad, good)
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^a-z0-9]", "", plain)


# --- Country Chart ------------------------------------------------------------------------------


def test_chart_has_every_destination_with_the_same_marks() -> None:
    chart = _json("country-chart_2026-07-23.json")
    rows = {row.country: row for row in _of(ChartRow)}
    expected = {_code(name): row["marks"] for name, row in chart["countries"].items()}
    assert len(expected) == chart["countryCount"] == 196
    embargoed = {_code(name) for name in chart["embargoed"]}
    assert set(rows) == set(expected) | embargoed
    for country, marks in expected.items():
        assert set(rows[country].marks) == {m.replace(" ", "") for m in marks}, country
        assert rows[country].see is None, country
    for country in embargoed:
        assert rows[country].marks == (), country
        assert rows[country].see and "746" in rows[country].see, country


def test_brief_chart_excerpt() -> None:
    rows = {row.country: set(row.marks) for row in _of(ChartRow)}
    assert rows["GB"] == {"CB1"}
    assert rows["CA"] == {"CB1", "FC1"}
    assert {"NS1", "NS2", "RS1", "RS2", "CC1", "CC3"} <= rows["CN"]
    assert "NS2" not in rows["JP"] and "NS1" in rows["JP"]
    assert not any(m.startswith("AT") for marks in rows.values() for m in marks)


# --- Country Groups -----------------------------------------------------------------------------


def _group_members(group: str, on: dt.date) -> set[str]:
    rule = next(g for g in _of(CountryGroup) if g.group == group)
    return {m.country for m in rule.members if m.in_force(on)}


@pytest.mark.parametrize(
    "group", ["A:1", "A:5", "A:6", "B", "D:1", "D:2", "D:3", "D:4", "D:5", "E:1", "E:2"]
)
def test_group_membership_as_of_2026_07_23(group: str) -> None:
    data = _json("country-groups_2026-07-23.json")["groups"][group]
    assert _group_members(group, AS_OF) == {_code(name) for name in data}


def test_group_b_as_of_2026_07_23_is_used_by_gbs_and_lvs() -> None:
    group_b = {_code(name) for name in _json("country-groups_2026-07-23.json")["groups"]["B"]}
    assert len(group_b) == 173
    assert _group_members("B", AS_OF) == group_b
    auths = {a.id: a for a in _of(Authorization)}
    for auth_id in ("auth-lvs", "auth-gbs"):
        destinations = auths[auth_id].destinations
        assert destinations is not None and destinations.groups == ("B",)
    gbs = auths["auth-gbs"].destinations
    assert gbs is not None and set(gbs.except_countries) == {"SD", "UA"}


# --- Commerce Control List ----------------------------------------------------------------------

# The data file parsed only part of 3E001's requirements (the rest sits in its heading); the
# bundled entry is transcribed by hand from that text and has more columns.
HEADING_HOLDS_REQUIREMENTS = {"3E001"}
_COLUMN = re.compile(r"\b(NS|MT|NP|CB|RS|FC|CC|AT) ?Column ?(\d)")


def _data_columns(entry: dict[str, Any]) -> set[str]:
    found = set()
    for control in entry["countryChart"]:
        match = _COLUMN.search(control["countryChart"])
        if match:
            found.add(match.group(1) + match.group(2))
        elif control["countryChart"].startswith("Column"):
            found.add(control["control"][:2] + control["countryChart"][7])
    return found


def test_every_ccl_eccn_is_bundled_or_deliberately_unknown() -> None:
    entries = _json("ccl_2026-07-23.json.gz")["entries"]
    assert len(entries) == 633
    bundled = {rule.eccn for rule in _of(EccnRule)}
    data = {entry["eccn"] for entry in entries}
    assert bundled <= data
    assert data - bundled == UNMODELLED
    for entry in entries:
        if entry["eccn"] in UNMODELLED:
            # Left out only where the data give no licence requirements to transcribe.
            assert not entry["countryChart"], entry["eccn"]


def test_every_eccn_has_the_chart_columns_of_the_ccl() -> None:
    rules = {rule.eccn: rule for rule in _of(EccnRule)}
    for entry in _json("ccl_2026-07-23.json.gz")["entries"]:
        rule = rules.get(entry["eccn"])
        if rule is None or not entry["countryChart"]:
            continue
        columns = {c.column for c in rule.controls if c.column}
        if entry["eccn"] in HEADING_HOLDS_REQUIREMENTS:
            assert _data_columns(entry) <= columns, entry["eccn"]
        else:
            assert columns == _data_columns(entry), entry["eccn"]
        reasons = {c.reason for c in rule.controls}
        data_reasons = {
            m.group(1)
            for c in entry["countryChart"]
            if (m := re.match(r"([A-Z]{2,3})\b", c["control"].strip()))
        }
        assert data_reasons <= reasons, entry["eccn"]


def test_gbs_and_lvs_only_where_the_ccl_grants_them_to_the_whole_entry() -> None:
    entries = {e["eccn"]: e for e in _json("ccl_2026-07-23.json.gz")["entries"]}
    for rule in _of(EccnRule):
        flags = entries[rule.eccn]["licenceExceptionFlags"]
        if rule.gbs:
            assert flags.get("GBS", "").strip().rstrip(".") == "Yes", rule.eccn
        if rule.lvs is not None:
            assert flags["LVS"].strip().rstrip(".").replace(",", "") == f"${rule.lvs}", rule.eccn


# --- Huawei on the Entity List ------------------------------------------------------------------


def _csl_2022_huawei() -> Iterator[dict[str, str]]:
    with gzip.open(CSL_2022, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if not row["source"].startswith("Entity List"):
                continue
            # Footnote-1 entries: Huawei, HiSilicon and the other affiliates.
            if (
                "huawei" in json.dumps(row).lower()
                or "736.2(b)(3)(vi)" in row["license_requirement"]
            ):
                yield row


def _entries_by_name() -> dict[str, ListEntry]:
    return {_norm(name): entry for entry in _of(ListEntry) for name in entry.names}


def _listed_name(name: str) -> str:
    return name.split("Affiliated Entity:")[-1]


def test_every_huawei_row_of_the_2022_csl_is_covered() -> None:
    by_name = _entries_by_name()
    rows = list(_csl_2022_huawei())
    assert len(rows) == 157  # 138 mention Huawei; 19 more carry the Huawei FDP footnote
    for row in rows:
        entry = by_name.get(_norm(_listed_name(row["name"])))
        assert entry is not None, row["name"]
        codes = {a.strip().rsplit(",", 1)[-1].strip() for a in row["addresses"].split(";")}
        codes = {c for c in codes if re.fullmatch(r"[A-Z]{2}", c)}
        countries = entry.all_countries() | ({"CN"} if "HK" in entry.all_countries() else set())
        assert codes <= countries, row["name"]
        for alias in row["alt_names"].split(";"):
            alias = alias.strip().removeprefix("and ")
            if alias:
                assert _norm(alias) in {_norm(n) for n in entry.names}, alias


def test_2022_csl_dates_map_to_effective_dates() -> None:
    by_name = _entries_by_name()
    for row in _csl_2022_huawei():
        entry = by_name[_norm(_listed_name(row["name"]))]
        effective = PUBLISHED_TO_EFFECTIVE[row["start_date"]]
        if "Affiliated Entity:" in row["name"]:
            # The CSL gives affiliated entities the Huawei entry's own date; 84 FR 43493 added 19
            # of them on 2019-08-19 and moved 3 listed on 2019-05-16 under the Huawei entry.
            assert entry.from_ in (dt.date(2019, 5, 16), dt.date(2019, 8, 19)), row["name"]
        else:
            assert entry.from_ == effective, row["name"]


def test_affiliated_entities_split_19_and_3() -> None:
    by_name = _entries_by_name()
    affiliated = {
        by_name[_norm(_listed_name(row["name"]))].id
        for row in _csl_2022_huawei()
        if "Affiliated Entity:" in row["name"]
    }
    dates = [e.from_ for e in _of(ListEntry) if e.id in affiliated]
    assert (dates.count(dt.date(2019, 8, 19)), dates.count(dt.date(2019, 5, 16))) == (19, 3)


def test_2026_csl_huawei_entries_of_2019_2020_are_covered() -> None:
    with gzip.open(CSL_2026, "rt", encoding="utf-8") as handle:
        csl = json.load(handle)
    sources = csl["tables"]["sources"]
    notices = ("84 FR 22961", "84 FR 22963", "84 FR 43495", "85 FR 51596", "85 FR 51603")
    by_name = _entries_by_name()
    checked = 0
    for entry in csl["entries"]:
        if not sources[entry["s"]].startswith("Entity List"):
            continue
        if not any(n in (entry.get("fr") or "") for n in notices):
            continue
        requirement = csl["tables"]["licenceRequirements"][entry["lr"]]
        if "734.9(e)" not in requirement:
            continue
        checked += 1
        assert _norm(_listed_name(entry["n"])) in by_name, entry["n"]
    # 2026 list: 155 footnote-1 records; those listed by the 2019/2020 notices are all bundled.
    assert checked >= 150
