"""``diff_lists``: table-driven cases, and the 2022 and 2023 CSL downloads compared."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from exportcheck.domain.diff import RulesDiff, diff_lists, normalise_name
from exportcheck.domain.rules import Address, ListEntry, ReviewPolicy

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _entry(entry_id: str, name: str, **values: object) -> ListEntry:
    return ListEntry.model_validate({"id": entry_id, "name": name, "citation": "x", **values})


def test_added_removed_unchanged() -> None:
    old = {"el": [_entry("a", "Alpha"), _entry("b", "Beta")]}
    new = {"el": [_entry("a", "Alpha"), _entry("c", "Gamma")]}
    (result,) = diff_lists(old, new).lists
    assert [e.id for e in result.added] == ["c"]
    assert [e.id for e in result.removed] == ["b"]
    assert result.changed == ()
    assert result.unchanged == 1


def test_changed_fields() -> None:
    old = {
        "el": [
            _entry(
                "a",
                "Alpha",
                aliases=["A1", "A2"],
                policy="case-by-case",
                addresses=[{"text": "Street 1, Beijing, CN", "country": "CN"}],
            )
        ]
    }
    new = {
        "el": [
            _entry(
                "a",
                "Alpha",
                aliases=["A1", "A3"],
                policy="policy-of-denial",
                **{"from": "2022-04-07"},
                addresses=[{"text": "Street 1, Beijing, CN", "country": "CN"}],
            )
        ]
    }
    (change,) = diff_lists(old, new).lists[0].changed
    fields = {c.field: c for c in change.changes}
    assert fields["policy"].old == "case-by-case" and fields["policy"].new == "policy-of-denial"
    assert fields["from"].old is None and fields["from"].new == "2022-04-07"
    assert fields["aliases"].added == ("A3",) and fields["aliases"].removed == ("A2",)
    assert "addresses" not in fields


def test_new_id_same_name_is_a_change() -> None:
    old = {"el": [_entry("old-1", "ACME  Ltd.", citation="84 FR 1")]}
    new = {"el": [_entry("new-1", "Acme Ltd", citation="84 FR 1; 85 FR 2")]}
    (result,) = diff_lists(old, new).lists
    assert result.added == () and result.removed == ()
    (change,) = result.changed
    assert (change.id, change.old_id) == ("new-1", "old-1")
    assert change.changes[0].field == "name"


def test_same_name_entries_pair_by_address() -> None:
    def huawei(entry_id: str, city: str, cite: str) -> ListEntry:
        return _entry(
            entry_id, "Huawei", citation=cite, addresses=[Address(text=city, country="CN")]
        )

    old = {"el": [huawei("o1", "Shenzhen", "1 FR 1"), huawei("o2", "Chengdu", "1 FR 1")]}
    new = {"el": [huawei("n2", "Chengdu", "1 FR 1"), huawei("n1", "Shenzhen", "2 FR 2")]}
    (result,) = diff_lists(old, new).lists
    assert result.unchanged == 1  # o2 -> n2, nothing else changed
    (change,) = result.changed
    assert (change.id, change.old_id) == ("n1", "o1")


def test_notes_only_on_request() -> None:
    old = {"sdn": [_entry("a", "X", note="ids: CO, 1, Passport")]}
    new = {"sdn": [_entry("a", "X", note="ids: Passport, 1, CO")]}
    assert diff_lists(old, new).empty
    assert not diff_lists(old, new, notes=True).empty


def test_normalise_name() -> None:
    assert normalise_name(" Huawei  Technologies Co., Ltd. ") == "huawei technologies co ltd"
    assert normalise_name("Société Générale") == "societe generale"


# --- the real downloads ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_diff() -> RulesDiff:
    if not (DATA / "csl").is_dir():
        pytest.skip(f"reference data not found at {DATA}")
    from exportcheck.loading.importers import import_lists

    def grouped(path: Path) -> dict[str, list[ListEntry]]:
        result = import_lists([path], skip_bad_rows=True)
        return {f.list.id: list(f.rules) for _, f in result.files}

    return diff_lists(
        grouped(DATA / "csl" / "csl_2022-05_full.csv.gz"),
        grouped(DATA / "csl" / "csl_2023-11_partial.csv.gz"),
    )


def test_2022_to_2023_fsb_moves_to_policy_of_denial(real_diff: RulesDiff) -> None:
    el = next(d for d in real_diff.lists if d.list == "entity-list")
    # trade.gov regenerated every BIS _id: the entry is paired by name.
    fsb = next(c for c in el.changed if c.name == "Federal Security Service (FSB)")
    assert fsb.old_id == "csl-83dba152c5ff2de1f81d3ad79d6d9472ab124923"
    assert fsb.id == "csl-0bc803c19695c928fbfc2b7b37c14577c2dba39c91203d3e95f7ab12"
    fields = {c.field: c for c in fsb.changes}
    assert fields["policy"].old == ReviewPolicy.PRESUMPTION_OF_DENIAL.value
    assert fields["policy"].new == ReviewPolicy.POLICY_OF_DENIAL.value
    assert fields["footnotes"].added == ("3",)
    assert fields["citation"].new is not None and fields["citation"].new.endswith("87 FR 34136")


def test_2022_to_2023_real_changes(real_diff: RulesDiff) -> None:
    lists = {d.list: d for d in real_diff.lists}
    el = lists["entity-list"]
    # The 2023 file is cut off: its Entity List stops at "Oriental Engineers", so the rest is
    # reported as removed, and nothing matched by name is lost.
    assert len(el.removed) + len(el.changed) + el.unchanged == 2001
    assert not any(e.name.startswith("Huawei") for e in el.changed)
    ann = next(c for c in el.changed if c.name == "Ann Teck Tong")
    (addresses,) = [c for c in ann.changes if c.field == "addresses"]
    assert addresses.added and addresses.added[0].startswith("Suite D23, Tkt. 2, Plaza Pekeliling")
    # Denial orders issued in 2023 appear as additions.
    dpl = lists["denied-persons"]
    emond = next(e for e in dpl.added if e.name == "LUC EMOND")
    assert emond.from_ == dt.date(2023, 2, 8)
    # SDN ids are OFAC's ent_num and stay the same: matched by id.
    sdn = lists["sdn"]
    assert sdn.unchanged > 1500
    assert all(c.old_id is None for c in sdn.changed)
