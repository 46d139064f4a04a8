"""Name-index pieces written by `rules import`: used only when they fit the file, same answers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from exportcheck.domain.engine import build_index
from exportcheck.domain.matching import NameIndex
from exportcheck.loading.importers import import_lists, write_rule_files
from exportcheck.loading.index_files import index_file, read_index_file
from exportcheck.loading.rules import bundled_rules_dir, load_rules, rule_files
from exportcheck.loading.screener import load_index


@pytest.fixture(scope="module")
def imported(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("imported")
    result = import_lists([shared_data / "csl" / "csl_2022-05_full.csv.gz"])
    write_rule_files(result, out)
    return out


def _state(index: NameIndex) -> dict[str, object]:
    return index.__getstate__()


def _no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXPORTCHECK_NO_CACHE", "1")


def test_import_writes_a_piece_beside_every_list_file(imported: Path) -> None:
    for path in rule_files(imported):
        assert index_file(path).is_file(), path
        assert read_index_file(path, path.read_bytes()) is not None
    # The pieces are not rule files.
    assert all(p.suffix == ".yaml" for p in rule_files(imported))


def test_index_from_pieces_is_the_index_built_from_the_rules(
    imported: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_cache(monkeypatch)
    dirs = [bundled_rules_dir(), imported]
    ruleset = load_rules(dirs)
    from_pieces = load_index(ruleset, dirs)
    assert _state(from_pieces) == _state(build_index(ruleset))
    assert len(from_pieces) == len(ruleset.entries) > 14_000


def test_a_piece_of_other_bytes_is_ignored(
    imported: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_cache(monkeypatch)
    folder = tmp_path / "lists"
    shutil.copytree(imported, folder)
    edited = folder / "csl-fse.yaml"
    text = edited.read_text(encoding="utf-8")
    first = json.loads(text.splitlines()[2].rstrip(","))["name"]
    edited.write_text(text.replace(first, "Zanzibar Quokka Holdings"), encoding="utf-8")
    assert read_index_file(edited, edited.read_bytes()) is None  # made from the old bytes
    dirs = [bundled_rules_dir(), folder]
    ruleset = load_rules(dirs)
    index = load_index(ruleset, dirs)
    assert _state(index) == _state(build_index(ruleset))
    assert [m.matched_name for m in index.search("Zanzibar Quokka Holdings")] == [
        "Zanzibar Quokka Holdings"
    ]


@pytest.mark.parametrize(
    "damage",
    [
        lambda piece: "{not json",
        lambda piece: json.dumps({**piece, "matcher": "0.0+other"}),
        lambda piece: json.dumps({**piece, "entries": [["only", "three", "fields"]]}),
        lambda piece: json.dumps({**piece, "entries": piece["entries"][1:]}),
        lambda piece: json.dumps({**piece, "skeletons": []}),
    ],
    ids=["not-json", "other-matcher", "malformed-rows", "entries-missing", "bad-skeletons"],
)
def test_a_damaged_piece_never_changes_the_index(
    damage: object, imported: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_cache(monkeypatch)
    folder = tmp_path / "lists"
    folder.mkdir()
    for name in ("csl-fse.yaml", "csl-plc.yaml"):
        shutil.copy(imported / name, folder / name)
        shutil.copy(index_file(imported / name), index_file(folder / name))
    piece_path = index_file(folder / "csl-plc.yaml")
    piece = json.loads(piece_path.read_text(encoding="utf-8"))
    piece_path.write_text(damage(piece), encoding="utf-8")  # type: ignore[operator]
    dirs = [bundled_rules_dir(), folder]
    ruleset = load_rules(dirs)
    assert _state(load_index(ruleset, dirs)) == _state(build_index(ruleset))


def test_only_files_without_a_piece_are_analysed(
    imported: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import exportcheck.loading.index_files as index_files

    _no_cache(monkeypatch)
    analysed: list[int] = []
    real = index_files.analyse_entries

    def counting(entries):  # type: ignore[no-untyped-def]
        rows = real(entries)
        analysed.append(len(rows))
        return rows

    monkeypatch.setattr(index_files, "analyse_entries", counting)
    dirs = [bundled_rules_dir(), imported]
    load_index(load_rules(dirs), dirs)
    bundled = load_rules([bundled_rules_dir()])
    assert analysed == [len(bundled.entries)]  # the bundled list; every import had its piece


def test_files_without_a_piece_are_analysed_once_and_cached_per_file(
    imported: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import exportcheck.loading.index_files as index_files

    monkeypatch.setenv("EXPORTCHECK_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "lists"
    folder.mkdir()
    for name in ("csl-fse.yaml", "csl-plc.yaml"):
        shutil.copy(imported / name, folder / name)  # without their pieces
    analysed: list[int] = []
    real = index_files.analyse_entries

    def counting(entries):  # type: ignore[no-untyped-def]
        rows = real(entries)
        analysed.append(len(rows))
        return rows

    monkeypatch.setattr(index_files, "analyse_entries", counting)
    for dirs in ([bundled_rules_dir(), folder], [folder]):  # two rule sets, two indexes
        ruleset = load_rules(dirs)
        assert _state(load_index(ruleset, dirs)) == _state(build_index(ruleset))
    fse, plc = (len(load_rules([folder / n]).entries) for n in ("csl-fse.yaml", "csl-plc.yaml"))
    bundled = len(load_rules([bundled_rules_dir()]).entries)
    # The second rule set's index was put together from the pieces cached by the first.
    assert analysed == [bundled, fse, plc]


def test_an_entry_replaced_by_a_later_file_never_leaks_into_a_cached_piece(
    imported: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPORTCHECK_CACHE_DIR", str(tmp_path / "cache"))
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    shutil.copy(imported / "csl-fse.yaml", first / "csl-fse.yaml")
    text = (imported / "csl-fse.yaml").read_text(encoding="utf-8")
    name = json.loads(text.splitlines()[2].rstrip(","))["name"]
    # The same entry ids, one of them renamed: the later file's version replaces the earlier.
    (second / "fse-amended.yaml").write_text(
        text.replace(name, "Zanzibar Quokka Holdings"), encoding="utf-8"
    )
    for dirs in ([first, second], [first]):
        ruleset = load_rules(dirs)
        index = load_index(ruleset, dirs)
        assert _state(index) == _state(build_index(ruleset))
    assert index.search("Zanzibar Quokka Holdings") == []
    assert index.search(name)[0].matched_name == name
