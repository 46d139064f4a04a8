"""The real `exportcheck` command on the shipped examples: verdicts, exit codes, streams."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exportcheck.cli import app
from exportcheck.exit_codes import ExitCode

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
EXPECTED = {
    "huawei-2019-us-chip.yaml": ("licence-required", 10),
    "huawei-2019-tgl-software-update.yaml": ("licence-free", 0),
    "huawei-2019-foreign-chip-de-minimis.yaml": ("licence-free", 0),
    "taiwan-3a001-to-china.yaml": ("licence-required", 10),
    "korean-controller-to-vietnam.yaml": ("licence-free", 0),
    "encryptor-to-germany.yaml": ("licence-free", 0),
    "printer-to-north-korea.yaml": ("prohibited", 20),
    "microcontrollers-to-russia.yaml": ("prohibited", 20),
}
runner = CliRunner()


def test_every_example_has_an_expectation() -> None:
    assert {p.name for p in EXAMPLES.glob("*.yaml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_through_the_installed_command(name: str) -> None:
    verdict, code = EXPECTED[name]
    run = subprocess.run(
        [sys.executable, "-m", "exportcheck", "screen", str(EXAMPLES / name), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == code, run.stderr
    result = json.loads(run.stdout)
    assert result["verdict"] == verdict
    assert result["rules_version"].startswith("sha256:")
    assert result["as_of"]
    for finding in result["findings"]:
        assert {"check", "verdict", "message", "citation"} <= finding.keys()
    # the expected verdict is also written in the example's own comment
    assert verdict in (EXAMPLES / name).read_text(encoding="utf-8").lower()


def test_table_output_names_verdict_rules_and_citation() -> None:
    run = runner.invoke(app, ["screen", str(EXAMPLES / "huawei-2019-us-chip.yaml")])
    assert run.exit_code == 10
    assert "LICENCE-REQUIRED" in run.stdout
    assert "744.11" in run.stdout
    assert "sha256:" in run.stdout
    assert run.stderr == ""


def test_several_files_give_a_json_array_and_the_worst_exit_code() -> None:
    files = [
        str(EXAMPLES / n) for n in ("encryptor-to-germany.yaml", "printer-to-north-korea.yaml")
    ]
    run = runner.invoke(app, ["screen", *files, "--format", "json"])
    assert run.exit_code == 20
    assert [r["verdict"] for r in json.loads(run.stdout)] == ["licence-free", "prohibited"]


@pytest.mark.parametrize(("fail_on", "code"), [("licence-required", 10), ("prohibited", 0)])
def test_fail_on(fail_on: str, code: int) -> None:
    sale = str(EXAMPLES / "huawei-2019-us-chip.yaml")
    run = runner.invoke(app, ["screen", sale, "--fail-on", fail_on, "-f", "json"])
    assert run.exit_code == code


def test_as_of_overrides_the_sale_date() -> None:
    sale = str(EXAMPLES / "huawei-2019-us-chip.yaml")
    run = runner.invoke(app, ["screen", sale, "--as-of", "2019-05-01", "-f", "json"])
    assert run.exit_code == 0
    assert json.loads(run.stdout)["as_of"] == "2019-05-01"


def test_bad_as_of_is_invalid_input() -> None:
    sale = str(EXAMPLES / "huawei-2019-us-chip.yaml")
    run = runner.invoke(app, ["screen", sale, "--as-of", "2019-13-01"])
    assert run.exit_code == 2
    assert run.stderr.strip() == (
        "exportcheck: error: --as-of: '2019-13-01' is not an ISO date (YYYY-MM-DD)"
    )


def test_missing_file_is_invalid_input() -> None:
    run = runner.invoke(app, ["screen", "no-such-sale.yaml"])
    assert run.exit_code == 2
    assert "no-such-sale.yaml: cannot read the file" in run.stderr


def test_no_bundled_rules_and_no_rules_is_an_error() -> None:
    sale = str(EXAMPLES / "huawei-2019-us-chip.yaml")
    run = runner.invoke(app, ["screen", sale, "--no-bundled-rules"])
    assert run.exit_code == 2
    assert "no rules to load" in run.stderr


def test_version_and_help() -> None:
    assert runner.invoke(app, ["--version"]).stdout.startswith("exportcheck ")
    helped = runner.invoke(app, ["screen", "--help"])
    assert helped.exit_code == 0
    assert "Examples" in helped.stdout and "--fail-on" in helped.stdout


def test_readme_exit_code_table_matches_the_code() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| (\d+) \| (.+) \|$", readme, flags=re.M))
    assert {int(code) for code in table} == {int(code) for code in ExitCode}


def test_rules_schema_is_json_schema() -> None:
    run = runner.invoke(app, ["rules", "schema"])
    assert run.exit_code == 0
    schema = json.loads(run.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert "kind" in json.dumps(schema)


def test_bundled_rules_validate() -> None:
    run = runner.invoke(app, ["rules", "validate"])
    assert run.exit_code == 0, run.stderr
    assert "valid" in run.stdout


def test_rules_info_shows_version_and_lists() -> None:
    run = runner.invoke(app, ["rules", "info", "--format", "json"])
    assert run.exit_code == 0
    info = json.loads(run.stdout)
    assert info["rules_version"].startswith("sha256:")
    assert info["lists"]["entity-list"]["entries"] > 100


def test_search_finds_huawei_with_explanation() -> None:
    run = runner.invoke(app, ["search", "huawei technologies co ltd", "-c", "CN", "-f", "json"])
    assert run.exit_code == 0
    payload = json.loads(run.stdout)
    top = payload["candidates"][0]
    assert top["entry_name"].startswith("Huawei Technologies Co., Ltd.")
    assert top["score"] >= 0.9 and top["explanation"]
