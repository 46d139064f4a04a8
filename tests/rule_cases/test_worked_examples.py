"""The worked examples of ear-brief §7 with known answers, through the engine and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from exportcheck.cli import app
from exportcheck.domain.engine import Screener
from exportcheck.domain.sale import Sale

CASES_FILE = Path(__file__).with_name("worked_examples.yaml")
CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
EXIT = {"licence-free": 0, "licence-required": 10, "prohibited": 20}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        metafunc.parametrize("case", CASES, ids=[c["id"] for c in CASES])


def _check(result: dict[str, Any], expected: dict[str, Any]) -> None:
    assert result["verdict"] == expected["verdict"], result
    if "outcome" in expected:
        assert result["outcome"] == expected["outcome"], result
    codes = {f["code"] for f in result["findings"]}
    for code in expected.get("codes", []):
        assert code in codes, (code, sorted(codes))
    for finding in result["findings"]:
        assert finding["citation"], finding
        if finding["verdict"] == "licence-required" and (
            finding["code"].startswith("country-chart:") or finding["check"] == "entity-list"
        ):
            assert finding.get("outlook"), finding  # the licence-review outlook is always shown


def test_engine(case: dict[str, Any], screener: Screener) -> None:
    result = screener.screen(Sale.model_validate(case["sale"]))
    _check(result.model_dump(mode="json"), case["expected"])


def test_cli(case: dict[str, Any], tmp_path: Path) -> None:
    sale_file = tmp_path / "sale.yaml"
    sale_file.write_text(yaml.safe_dump(case["sale"], sort_keys=False), encoding="utf-8")
    run = CliRunner().invoke(app, ["screen", str(sale_file), "--format", "json"])
    assert run.exit_code == EXIT[case["expected"]["verdict"]], run.output
    _check(json.loads(run.stdout), case["expected"])


def test_the_batch_summary_is_what_screening_gives(
    case: dict[str, Any], screener: Screener
) -> None:
    # Batch rows report Screener.summarise: the same findings and decision as Screener.screen.
    sale = Sale.model_validate(case["sale"])
    result = screener.screen(sale)
    summary = screener.summarise(sale)
    assert summary == (
        result.verdict,
        tuple(result.reasons),
        tuple(result.matched_entries),
        result.top_score,
    )
