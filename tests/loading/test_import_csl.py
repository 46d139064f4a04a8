"""Import of the real trade.gov Consolidated Screening List downloads in ../shared/data."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections import Counter
from pathlib import Path

import pytest
import yaml
from pydantic import TypeAdapter

from exportcheck.domain.rules import (
    ListEntry,
    RequirementScope,
    ReviewPolicy,
    RuleFile,
    ScreeningListFile,
)
from exportcheck.errors import InputError
from exportcheck.loading.importers import (
    Format,
    ImportResult,
    detect_format,
    dump_rule_file,
    import_lists,
    write_rule_files,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CSL = DATA / "csl"
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
pytestmark = pytest.mark.skipif(not CSL.is_dir(), reason=f"reference data not found at {DATA}")


def _files(result: ImportResult) -> dict[str, ScreeningListFile]:
    return {rule_file.list.id: rule_file for _, rule_file in result.files}


def _by_name(rule_file: ScreeningListFile, name: str) -> list[ListEntry]:
    return [e for e in rule_file.rules if e.name == name]


@pytest.fixture(scope="module")
def full() -> ImportResult:
    return import_lists([CSL / "csl_2022-05_full.csv.gz"], now=NOW)


@pytest.fixture(scope="module")
def partial() -> ImportResult:
    return import_lists([CSL / "csl_2023-11_partial.csv.gz"], skip_bad_rows=True, now=NOW)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("csl_2022-05_full.csv.gz", Format.CSL_CSV),
        ("csl_2023-11_partial.csv.gz", Format.CSL_CSV),
        ("csl_2025-06_sample.csv", Format.CSL_CSV),
        ("csl_2019-12_sample.csv", Format.CSL_CSV_2019),
        ("csl_2026-07-31_compact.json.gz", Format.CSL_COMPACT_JSON),
    ],
)
def test_format_is_told_from_content(name: str, expected: Format, tmp_path: Path) -> None:
    assert detect_format(CSL / name) is expected
    # The name plays no part: the same bytes under a misleading name are read the same.
    renamed = tmp_path / "download.txt"
    renamed.write_bytes((CSL / name).read_bytes())
    assert detect_format(renamed) is expected


def test_full_2022_counts(full: ImportResult) -> None:
    assert (full.read, full.imported, full.skipped) == (14160, 14160, 0)
    counts = {list_id: len(f.rules) for list_id, f in _files(full).items()}
    assert counts["entity-list"] == 2001
    assert counts["sdn"] == 10026
    assert counts["denied-persons"] == 462
    assert counts["itar-debarred"] == 727
    # One CAP record is in the file twice under one _id: merged, and said so.
    assert counts["capta"] == 52
    assert any("csl-15268-capta" in w for w in full.warnings)
    assert sum(counts.values()) == 14159
    names = dict(full.files)
    assert "csl-entity-list.yaml" in names and "csl-sdn.yaml" in names


def test_provenance(full: ImportResult) -> None:
    source = _files(full)["entity-list"].source
    assert source is not None
    assert source.file == "csl_2022-05_full.csv.gz"
    sums = (DATA / "SHA256SUMS").read_text(encoding="utf-8")
    assert f"{source.sha256}  csl/csl_2022-05_full.csv.gz" in sums
    assert source.imported_at == NOW
    assert source.as_of == dt.date(2022, 4, 21)  # the newest start date in the download
    assert source.format == "csl-csv"
    assert source.rows_read == 14160


def test_huawei_cloud_rows(full: ImportResult) -> None:
    el = _files(full)["entity-list"]
    cloud = [e for e in el.rules if e.name.startswith("Huawei Cloud")]
    assert len(cloud) == 21
    for entry in cloud:
        assert entry.from_ == dt.date(2020, 8, 17)  # effective date of 85 FR 51596, published 08-20
        assert entry.policy is ReviewPolicy.PRESUMPTION_OF_DENIAL
        assert entry.requirement_scope is RequirementScope.ALL_ITEMS
    hong_kong = _by_name(el, "Huawei Cloud Hong Kong")[0]
    assert hong_kong.id == "csl-a4bd1f9440838fdf10cd52735238605d949557bf"
    assert hong_kong.all_countries() == {"HK"}
    assert hong_kong.citation == "85 FR 51596; 85 FR 52898"


def test_huawei_parent_and_affiliates(full: ImportResult) -> None:
    el = _files(full)["entity-list"]
    parents = _by_name(el, "Huawei Technologies Co., Ltd. (Huawei)")
    assert {e.id for e in parents} == {
        "csl-d05d55fa214aff19c1eb3270d54905e4e362d445",
        "csl-1a3ccc08ecbb40155a4cce8d9c9ace917f54cc74",
        "csl-6bcb81e3dedb7bb330d74e8784035bc96d9c9ab3",
    }
    first = next(e for e in parents if e.id.endswith("d05d55fa214aff19c1eb3270d54905e4e362d445"))
    assert first.citation == "84 FR 22963; 84 FR 43495; 85 FR 29853; 85 FR 36720; 85 FR 51603"
    assert {"Huawei", "Huawei Technologies Co., Ltd.", "Shenzhen Huawei Technologies"} <= set(
        first.aliases
    )
    marine = next(e for e in el.rules if "Huawei Marine Networks" in e.name)
    assert "Huawei Marine Networks Co., Ltd." in marine.aliases
    assert "Huawei Technologies Co., Ltd. (Huawei)" in marine.aliases
    affiliated = [e for e in el.rules if "Affiliated Entity" in e.name]
    assert len(affiliated) >= 23


def test_140_repair_plant(full: ImportResult) -> None:
    (entry,) = _by_name(_files(full)["entity-list"], "140 Repair Plant JSC")
    assert entry.id == "csl-4398d33e9e93c7477af39f1e0bfffc13ddd47bcc"
    assert entry.policy is ReviewPolicy.POLICY_OF_DENIAL
    assert entry.policy_text == "Policy of denial."
    assert [f.number for f in entry.footnotes] == [3]
    assert entry.aliases == ("Open Joint Stock Company 140 Repair Plant", "JSC 140 Repair Plant")
    assert entry.from_ == dt.date(2022, 4, 7)
    assert entry.citation == "87 FR 20299"
    assert entry.addresses[0].country == "BY"


def test_no_alias_keeps_a_leading_and(full: ImportResult) -> None:
    for _, rule_file in full.files:
        for entry in rule_file.rules:
            for alias in entry.aliases:
                assert not alias.startswith(("and ", " ")), (entry.id, alias)
            for address in entry.addresses:
                assert not (address.text or "").startswith("and "), (entry.id, address)


def test_requirement_and_policy_are_kept_verbatim(full: ImportResult) -> None:
    el = _files(full)["entity-list"]
    policies = Counter(e.policy for e in el.rules)
    assert policies[ReviewPolicy.PRESUMPTION_OF_DENIAL] > 1000
    assert policies[ReviewPolicy.UNKNOWN] > 0  # "See §744.3(d) of this part" and the like
    for entry in el.rules:
        if entry.policy is ReviewPolicy.UNKNOWN:
            assert entry.policy_text  # the text a person must read is there
        if entry.requirement is None:
            assert entry.requirement_scope is RequirementScope.UNKNOWN
    meu = _files(full)["military-end-user"]
    assert all(e.policy is ReviewPolicy.PRESUMPTION_OF_DENIAL for e in meu.rules)


def test_treasury_ids_are_unique_per_list(full: ImportResult) -> None:
    files = _files(full)
    assert all(e.id.startswith("csl-") for e in files["sdn"].rules)
    sdn_ids = {e.id for e in files["sdn"].rules}
    ssi_ids = {e.id for e in files["ssi"].rules}
    assert not sdn_ids & ssi_ids
    assert all(e.id.endswith("-ssi") for e in files["ssi"].rules)
    everything = [e.id for _, f in full.files for e in f.rules]
    assert len(everything) == len(set(everything))


def test_addresses_get_countries(full: ImportResult) -> None:
    el = _files(full)["entity-list"]
    (mexico,) = _by_name(el, "Huawei Technologies De Mexico S.A.")
    assert {a.country for a in mexico.addresses} == {"MX"}
    dpl = _files(full)["denied-persons"]
    us = [a for e in dpl.rules for a in e.addresses if a.country == "US"]
    assert len(us) > 100  # "..., PHOENIX, AZ, 85043" has no country but is in the US
    placed = sum(1 for e in el.rules for a in e.addresses if a.country)
    total = sum(len(e.addresses) for e in el.rules)
    assert placed / total > 0.99


def test_partial_file_stops_at_the_repeated_header() -> None:
    path = CSL / "csl_2023-11_partial.csv.gz"
    with pytest.raises(InputError) as caught:
        import_lists([path], now=NOW)
    assert caught.value.path == str(path)
    assert caught.value.line == 2
    assert str(caught.value).startswith(f"{path}:2: the header line is repeated")


def test_partial_file_with_skip_bad_rows(partial: ImportResult) -> None:
    assert (partial.read, partial.imported, partial.skipped) == (4228, 4226, 2)
    assert [(r.line, r.reason) for r in partial.skipped_rows] == [
        (2, "the header line is repeated"),
        (4233, "8 of 29 fields: the row is cut off or malformed"),
    ]
    assert all(r.file == "csl_2023-11_partial.csv.gz" for r in partial.skipped_rows)
    counts = {list_id: len(f.rules) for list_id, f in _files(partial).items()}
    assert counts["entity-list"] == 919
    assert counts["sdn"] == 1737
    assert counts["denied-persons"] == 577
    source = _files(partial)["entity-list"].source
    assert source is not None and source.as_of == dt.date(2023, 11, 16)


def test_old_2019_layout() -> None:
    result = import_lists([CSL / "csl_2019-12_sample.csv"], now=NOW)
    assert (result.read, result.imported) == (115, 115)
    files = _files(result)
    assert len(files["entity-list"].rules) == 22
    # No _id in this layout: stable hashes, the same on every import.
    again = _files(import_lists([CSL / "csl_2019-12_sample.csv"], now=NOW))
    assert [e.id for e in files["entity-list"].rules] == [e.id for e in again["entity-list"].rules]
    guian = next(e for e in files["entity-list"].rules if "Huawei Investment" in e.name)
    assert guian.name.startswith("Gui\u2019an New District")  # U+0092 read as Windows-1252
    assert guian.from_ == dt.date(2019, 5, 16)  # 84 FR 22961: effective 05-16, published 05-21
    assert guian.addresses[0].country == "CN"


def test_2025_sample() -> None:
    result = import_lists([CSL / "csl_2025-06_sample.csv"], now=NOW)
    assert (result.read, result.imported) == (13, 13)
    (entry,) = _files(result)["entity-list"].rules
    assert "CETC 13" in entry.aliases
    assert "CETC Research Institute 13" in entry.aliases
    # Only the last of the three addresses ends in a code; the others name the country.
    assert [a.country for a in entry.addresses] == ["CN", "CN", "CN"]
    assert entry.citation == "83 FR 37423; 87 FR 77505"
    (isn,) = _files(result)["nonproliferation"].rules
    assert "Sinobright Import and Export Company" in isn.aliases


def test_api_json_shape(tmp_path: Path) -> None:
    records = [
        {
            "id": "a4bd1f9440838fdf10cd52735238605d949557bf",
            "source": "Entity List (EL) - Bureau of Industry and Security",
            "name": "Huawei Cloud Hong Kong",
            "addresses": [{"address": None, "city": None, "country": "HK"}],
            "alt_names": [],
            "federal_register_notice": "85 FR 51596; 85 FR 52898",
            "start_date": "2020-08-20",
            "license_requirement": "For all items subject to the EAR.",
            "license_policy": "Presumption of denial.",
        },
        {
            "source": "Specially Designated Nationals (SDN) - Treasury Department",
            "id": "36",
            "name": "AEROCARIBBEAN AIRLINES",
            "type": "Entity",
            "programs": ["CUBA"],
            "addresses": [{"address": "", "city": "Havana", "country": "CU"}],
            "alt_names": ["AERO-CARIBBEAN"],
        },
    ]
    path = tmp_path / "consolidated.json"
    path.write_text(json.dumps({"total": 2, "results": records}), encoding="utf-8")
    assert detect_format(path) is Format.CSL_JSON
    files = _files(import_lists([path], now=NOW))
    (cloud,) = files["entity-list"].rules
    assert cloud.id == "csl-a4bd1f9440838fdf10cd52735238605d949557bf"
    assert cloud.policy is ReviewPolicy.PRESUMPTION_OF_DENIAL
    assert cloud.all_countries() == {"HK"}
    (airline,) = files["sdn"].rules
    assert airline.id == "csl-36"
    assert airline.aliases == ("AERO-CARIBBEAN",)
    assert airline.addresses[0].country == "CU"
    assert airline.type == "entity"


def test_compact_2026_json() -> None:
    result = import_lists([CSL / "csl_2026-07-31_compact.json.gz"], now=NOW)
    assert (result.read, result.imported, result.skipped) == (25921, 25921, 0)
    files = _files(result)
    assert len(files["sdn"].rules) == 19181
    source = files["entity-list"].source
    assert source is not None and source.as_of == dt.date(2026, 7, 31)
    el = files["entity-list"]
    assert any(e.name.startswith("Huawei") for e in el.rules)
    assert all(e.all_countries() for e in el.rules if e.name.startswith("Huawei Cloud"))


def test_unknown_list_is_imported_conservatively(tmp_path: Path) -> None:
    header = (CSL / "csl_2025-06_sample.csv").read_text(encoding="utf-8").splitlines()[0]
    row = ["x1", "Brand New List (BNL) - Somewhere", *[""] * 3, "ACME Widgets", *[""] * 23]
    path = tmp_path / "new.csv"
    path.write_text(header + "\n" + ",".join(row) + "\n", encoding="utf-8")
    result = import_lists([path], now=NOW)
    ((name, rule_file),) = result.files
    assert name == "csl-unknown-brand-new-list-bnl.yaml"
    assert rule_file.list.effect.value == "licence-required"
    assert rule_file.list.policy is ReviewPolicy.UNKNOWN
    assert any("unknown list" in w for w in result.warnings)


def test_bad_date_names_line_and_field(tmp_path: Path) -> None:
    lines = (CSL / "csl_2025-06_sample.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace('"2020-12-23"', '"2020-13-45"')
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_lists([path], now=NOW)
    assert (caught.value.line, caught.value.field) == (4, "start_date")
    result = import_lists([path], skip_bad_rows=True, now=NOW)
    assert (result.read, result.imported, result.skipped) == (13, 12, 1)
    assert result.skipped_rows[0].line == 4


def test_not_a_list(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="unrecognised list format"):
        import_lists([path])
    broken = tmp_path / "y.csv.gz"
    broken.write_bytes(gzip.compress(b"_id,source,name\n")[:15])
    with pytest.raises(InputError, match="damaged gzip"):
        import_lists([broken])


def test_written_yaml_round_trips(
    partial: ImportResult, full: ImportResult, tmp_path: Path
) -> None:
    # Every list of the 2023 download, and the whole 2022 Entity List (the full SDN list is
    # left to the benchmark: it takes seconds).
    el_2022 = ImportResult(files=[f for f in full.files if f[0] == "csl-entity-list.yaml"])
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    adapter: TypeAdapter[RuleFile] = TypeAdapter(RuleFile)
    for number, result in enumerate((partial, el_2022)):
        written = write_rule_files(result, tmp_path / str(number))
        assert sorted(p.name for p in written) == sorted(name for name, _ in result.files)
        produced = dict(result.files)
        for path in written:
            text = path.read_text(encoding="utf-8")
            assert text.startswith('{"schema_version": 1, "kind": "screening-list", ')
            # JSON is YAML: any YAML tool reads the file, and json reads it fast
            assert adapter.validate_python(yaml.load(text, Loader=loader)) == produced[path.name]
            assert adapter.validate_python(json.loads(text)) == produced[path.name]
    el_text = (tmp_path / "1" / "csl-entity-list.yaml").read_text(encoding="utf-8")
    assert '"requirement_scope": "all-items"' not in el_text  # defaults are left out
    assert '\n{"id": "csl-' in el_text  # one entry per line
    assert not list((tmp_path / "1").glob(".*.tmp"))


def test_dump_is_deterministic(partial: ImportResult) -> None:
    _, rule_file = partial.files[0]
    assert dump_rule_file(rule_file) == dump_rule_file(rule_file)
