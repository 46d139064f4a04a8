"""Screening against imported official lists through the real commands (issue 4's checks)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from exportcheck.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def lists(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2022 CSL, the 2023 DPL text file and the 2021 OFAC set, imported once."""
    out = tmp_path_factory.mktemp("lists")
    csl = shared_data / "csl" / "csl_2022-05_full.csv.gz"
    run = runner.invoke(app, ["rules", "import", str(csl), "-o", str(out / "csl")])
    assert run.exit_code == 0, run.stderr
    assert "read 14160 rows: imported 14160, skipped 0" in run.stderr
    run = runner.invoke(
        app,
        [
            "rules",
            "import",
            str(shared_data / "bis_dpl" / "dpl_2023-11.txt"),
            "-o",
            str(out / "dpl"),
        ],
    )
    assert run.exit_code == 0, run.stderr
    ofac = shared_data / "ofac" / "2021-07"
    files = [str(ofac / n) for n in ("sdn.csv.gz", "alt.csv.gz", "add.csv.gz", "sdn_comments.csv")]
    run = runner.invoke(app, ["rules", "import", *files, "-o", str(out / "ofac")])
    assert run.exit_code == 0, run.stderr
    return out


def _screen(
    tmp_path: Path, rules: list[Path], name: str, country: str, date: str
) -> tuple[int, dict]:
    sale = {
        "id": "L-1",
        "date": date,
        "parties": [{"role": "end_user", "name": name, "country": country}],
        "items": [{"classification": "EAR99", "origin": "US", "value": 1000}],
    }
    path = tmp_path / "sale.yaml"
    path.write_text(yaml.safe_dump(sale), encoding="utf-8")
    args = ["screen", str(path), "-f", "json", "--no-bundled-rules"]
    for folder in rules:
        args += ["--rules", str(folder)]
    run = runner.invoke(app, args)
    return run.exit_code, json.loads(run.stdout) if run.stdout else {}


def test_huawei_cloud_affiliate_needs_a_licence_from_the_imported_list_alone(
    lists: Path, tmp_path: Path
) -> None:
    code, result = _screen(tmp_path, [lists / "csl"], "Huawei Cloud Hong Kong", "HK", "2021-03-01")
    assert code == 10
    assert result["outcome"] == "LICENCE_REQUIRED:presumption_of_denial"
    entry = next(f for f in result["findings"] if f["check"] == "entity-list")
    assert entry["entry_id"] == "csl-a4bd1f9440838fdf10cd52735238605d949557bf"
    assert "85 FR 51596" in entry["citation"]


def test_the_listing_counts_from_its_effective_date_not_its_publication(
    lists: Path, tmp_path: Path
) -> None:
    # 85 FR 51596 took effect on 2020-08-17; the CSL's start_date is its publication, 2020-08-20.
    code, result = _screen(tmp_path, [lists / "csl"], "Huawei Cloud Hong Kong", "HK", "2020-08-18")
    assert code == 10, result
    code, _ = _screen(tmp_path, [lists / "csl"], "Huawei Cloud Hong Kong", "HK", "2020-08-16")
    assert code == 0


def test_before_the_listing_the_imported_entry_is_not_in_force(lists: Path, tmp_path: Path) -> None:
    code, result = _screen(tmp_path, [lists / "csl"], "Huawei Cloud Hong Kong", "HK", "2020-06-01")
    assert code == 0
    assert any(f["code"] == "entity-list:not-in-force" for f in result["findings"])


def test_an_sdn_party_is_prohibited(lists: Path, tmp_path: Path) -> None:
    code, result = _screen(tmp_path, [lists / "ofac"], "Banco Nacional de Cuba", "CU", "2022-01-10")
    assert code == 20
    assert any(f["check"] == "sdn" and f["verdict"] == "prohibited" for f in result["findings"])


def test_a_denied_person_is_prohibited(lists: Path, tmp_path: Path) -> None:
    code, result = _screen(tmp_path, [lists / "dpl"], "Aaron Abraham Villa", "US", "2023-01-10")
    assert code == 20
    (finding,) = [f for f in result["findings"] if f["check"] == "denied-persons"]
    assert finding["policy"] == "denial-order"


def test_a_clean_party_is_licence_free_against_all_lists(lists: Path, tmp_path: Path) -> None:
    folders = [lists / "csl", lists / "dpl", lists / "ofac"]
    code, result = _screen(
        tmp_path, folders, "Osaka Precision Instruments K.K.", "JP", "2022-01-10"
    )
    assert code == 0, result


def test_a_stale_list_is_refused(lists: Path, tmp_path: Path) -> None:
    sale = Path(__file__).resolve().parents[2] / "examples" / "encryptor-to-germany.yaml"
    run = runner.invoke(app, ["screen", str(sale), "--rules", str(lists / "dpl"), "--max-age", "7"])
    assert run.exit_code == 2
    assert run.stdout == ""
    assert "older than --max-age 7" in run.stderr
    fresh = (dt.date.today() - dt.date(2023, 11, 16)).days + 1
    run = runner.invoke(
        app, ["screen", str(sale), "--rules", str(lists / "dpl"), "--max-age", str(fresh)]
    )
    assert run.exit_code == 0, run.stderr


def test_rules_info_reports_provenance_and_warns_when_old(lists: Path) -> None:
    run = runner.invoke(app, ["rules", "info", "--rules", str(lists / "dpl"), "-f", "json"])
    assert run.exit_code == 0
    info = json.loads(run.stdout)
    (imported,) = [f for f in info["files"] if "sha256" in f]
    assert imported["source"] == "dpl_2023-11.txt" and len(imported["sha256"]) == 64
    assert imported["as_of"] == "2023-11-16"
    assert "days old" in run.stderr
    refused = runner.invoke(app, ["rules", "info", "--rules", str(lists / "dpl"), "--max-age", "7"])
    assert refused.exit_code == 2


def test_rules_diff_between_two_downloads(shared_data: Path, lists: Path, tmp_path: Path) -> None:
    partial = shared_data / "csl" / "csl_2023-11_partial.csv.gz"
    stopped = runner.invoke(app, ["rules", "import", str(partial), "-o", str(tmp_path / "x")])
    assert stopped.exit_code == 2
    assert stopped.stderr.strip().endswith(
        "csl_2023-11_partial.csv.gz:2: the header line is repeated "
        "(--skip-bad-rows imports the other rows and lists the skipped ones)"
    )
    run = runner.invoke(
        app, ["rules", "import", str(partial), "-o", str(tmp_path / "l23"), "--skip-bad-rows"]
    )
    assert run.exit_code == 0
    assert "csl_2023-11_partial.csv.gz:4233:" in run.stderr
    assert "read 4228 rows: imported 4226, skipped 2" in run.stderr
    diff = runner.invoke(
        app, ["rules", "diff", str(lists / "csl"), str(tmp_path / "l23"), "-f", "json"]
    )
    assert diff.exit_code == 0
    payload = json.loads(diff.stdout)
    summary = payload["summary"]
    assert summary["added"] > 0 and summary["removed"] > 0 and summary["changed"] > 0
    denied = next(d for d in payload["lists"] if d["list"] == "denied-persons")
    assert denied["added"]  # the 2023 DPL has entries the 2022 one did not
