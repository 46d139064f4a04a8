"""Import of OFAC's legacy SDN CSV set and of the BIS Denied Persons List text file."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from exportcheck.domain.rules import ListEffect, ReviewPolicy, ScreeningListFile
from exportcheck.errors import InputError
from exportcheck.loading.importers import Format, ImportResult, detect_format, import_lists

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
OFAC = DATA / "ofac"
DPL = DATA / "bis_dpl" / "dpl_2023-11.txt"
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
pytestmark = pytest.mark.skipif(not OFAC.is_dir(), reason=f"reference data not found at {DATA}")


def _only(result: ImportResult) -> tuple[str, ScreeningListFile]:
    (produced,) = result.files
    return produced


@pytest.fixture(scope="module")
def sdn_2021() -> ImportResult:
    folder = OFAC / "2021-07"
    paths = [
        folder / "sdn.csv.gz",
        folder / "alt.csv.gz",
        folder / "add.csv.gz",
        folder / "sdn_comments.csv",
    ]
    return import_lists(paths, now=NOW)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (OFAC / "2021-07" / "sdn.csv.gz", Format.OFAC_SDN),
        (OFAC / "2021-07" / "alt.csv.gz", Format.OFAC_ALT),
        (OFAC / "2021-07" / "add.csv.gz", Format.OFAC_ADD),
        (OFAC / "2021-07" / "sdn_comments.csv", Format.OFAC_COMMENTS),
        (DPL, Format.BIS_DPL),
    ],
)
def test_detect(path: Path, expected: Format) -> None:
    assert detect_format(path) is expected


def test_ofac_set_counts(sdn_2021: ImportResult) -> None:
    assert sdn_2021.read == 8976 + 11910 + 13837 + 5
    assert sdn_2021.imported == sdn_2021.read
    assert sdn_2021.skipped == 0
    name, rule_file = _only(sdn_2021)
    assert name == "ofac-sdn.yaml"
    assert len(rule_file.rules) == 8976
    assert rule_file.list.id == "sdn"
    assert rule_file.list.effect is ListEffect.PROHIBITED
    assert rule_file.list.policy is ReviewPolicy.SANCTIONS
    assert rule_file.list.subject_items_only is False
    source = rule_file.source
    assert source is not None
    assert (source.file, source.format, source.as_of) == ("sdn.csv.gz", "ofac-sdn", None)
    assert source.rows_read == sdn_2021.read
    assert rule_file.description is not None and "alt.csv.gz (sha256 " in rule_file.description


def test_ofac_entries(sdn_2021: ImportResult) -> None:
    _, rule_file = _only(sdn_2021)
    by_id = {e.id: e for e in rule_file.rules}
    bank = by_id["ofac-sdn-306"]
    assert bank.name == "BANCO NACIONAL DE CUBA"
    assert bank.type == "entity"  # OFAC writes entities as -0-
    assert bank.programs == ("CUBA",)
    assert "NATIONAL BANK OF CUBA" in bank.aliases
    assert bank.addresses[0].country == "CH"  # Zweierstrasse 35, Zurich, Switzerland
    assert bank.note is not None and "a.k.a. 'BNC'" in bank.note
    person = by_id["ofac-sdn-32391"]
    assert person.name == "DJIBO, Ousmane Illiassou"  # kept as written: LAST, First
    assert person.type == "individual"
    assert all(not e.name.startswith("\x1a") for e in rule_file.rules)
    # sdn_comments.csv continues the remarks of the entity it names.
    assert "Linked To: LAZARUS GROUP." in (by_id["ofac-sdn-28263"].note or "")


def test_ctrl_z_line_is_not_a_record(tmp_path: Path) -> None:
    raw = gzip.decompress((OFAC / "2021-07" / "sdn.csv.gz").read_bytes())
    assert raw.endswith(b"\r\n\x1a")
    lines = raw.split(b"\r\n")
    small = tmp_path / "sdn.csv"
    small.write_bytes(b"\r\n".join([*lines[:3], b"\x1a"]))
    result = import_lists([small], now=NOW)
    assert (result.read, result.imported, result.skipped) == (3, 3, 0)
    _, rule_file = _only(result)
    assert [e.id for e in rule_file.rules] == ["ofac-sdn-36", "ofac-sdn-173", "ofac-sdn-306"]


def test_sdn_alone_says_what_is_missing() -> None:
    result = import_lists([OFAC / "2024-05" / "sdn.csv.gz"], now=NOW)
    assert (result.read, result.imported) == (14965, 14965)
    assert any("without alt.csv" in w for w in result.warnings)


def test_mismatched_ofac_files() -> None:
    newer = OFAC / "2025-01"
    paths = [OFAC / "2024-05" / "sdn.csv.gz", newer / "alt.csv.gz", newer / "add.csv.gz"]
    with pytest.raises(InputError) as caught:
        import_lists(paths, now=NOW)
    assert caught.value.field == "ent_num"
    assert caught.value.line is not None
    assert "is not in sdn.csv.gz" in caught.value.message
    result = import_lists(paths, skip_bad_rows=True, now=NOW)
    assert result.read == result.imported + result.skipped
    assert result.skipped == len(result.skipped_rows) > 0
    assert {r.file for r in result.skipped_rows} <= {"alt.csv.gz", "add.csv.gz"}


def test_alias_file_needs_its_sdn_file() -> None:
    with pytest.raises(InputError, match=r"needs the sdn\.csv"):
        import_lists([OFAC / "2025-01" / "alt.csv.gz"], now=NOW)


@pytest.fixture(scope="module")
def dpl() -> ImportResult:
    return import_lists([DPL], now=NOW)


def test_dpl_counts_and_meaning(dpl: ImportResult) -> None:
    assert (dpl.read, dpl.imported, dpl.skipped) == (665, 665, 0)
    name, rule_file = _only(dpl)
    assert name == "bis-dpl.yaml"
    # One entry per denial order: 545 names, two of them with two orders.
    assert len({e.name for e in rule_file.rules}) == 545
    assert len(rule_file.rules) == 547
    assert rule_file.list.id == "denied-persons"
    assert rule_file.list.effect is ListEffect.PROHIBITED
    assert rule_file.list.policy is ReviewPolicy.DENIAL_ORDER
    assert rule_file.source is not None and rule_file.source.as_of == dt.date(2023, 11, 16)


def test_dpl_ca_is_canada_as_country_and_california_as_state(dpl: ImportResult) -> None:
    _, rule_file = _only(dpl)
    by_name = {e.name: e for e in rule_file.rules}
    assert by_name["ALEXIS VLACHOS"].addresses[0].country == "CA"  # Country "CA", Montreal
    assert by_name["ALEX CHENG"].addresses[0].country == "US"  # State "CA", San Pedro
    villa = by_name["AARON ABRAHAM VILLA"]
    assert villa.addresses[0].country == "US"
    assert villa.from_ == dt.date(2022, 8, 24)
    assert villa.until == dt.date(2026, 1, 14)
    assert villa.citation == "87 FR 52741"
    assert villa.id.startswith("dpl-")


def test_dpl_names_are_trimmed_and_citations_split(dpl: ImportResult) -> None:
    _, rule_file = _only(dpl)
    ash = next(e for e in rule_file.rules if e.name == "I. ASH")
    assert ash.citation == "68 FR 38290; 71 FR 38843; 72 FR 4236"


def test_dpl_country_in_the_wrong_column(dpl: ImportResult) -> None:
    _, rule_file = _only(dpl)
    smith = next(e for e in rule_file.rules if e.name == "STEPHEN EDWARD SMITH")
    assert smith.addresses[0].country == "US"  # "NM" written in the Country column
    assert any("'NM' read as the US state" in w for w in dpl.warnings)
