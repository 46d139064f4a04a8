"""A corpus of broken sale and rule files, each with the exact one-line error users must see."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from exportcheck.cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _cases(name: str) -> list[tuple[str, str]]:
    lines = (FIXTURES / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if line]  # type: ignore[misc]


def test_every_bad_file_has_an_expectation() -> None:
    for corpus in ("bad_sales", "bad_rules"):
        files = {p.name for p in (FIXTURES / corpus).iterdir()}
        assert files == {name for name, _ in _cases(corpus)}


@pytest.mark.parametrize(("name", "expected"), _cases("bad_sales"))
def test_bad_sale_file(name: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES / "bad_sales")
    run = CliRunner().invoke(app, ["screen", name, "--format", "json"])
    assert run.exit_code == 2
    assert run.stdout == ""  # no verdict at all
    assert run.stderr.strip() == expected
    assert len(run.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("name", "expected"), _cases("bad_rules"))
def test_bad_rule_file(name: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES / "bad_rules")
    run = CliRunner().invoke(app, ["rules", "validate", name])
    assert run.exit_code == 2
    assert run.stderr.splitlines()[0] == expected


@pytest.mark.parametrize(("name", "expected"), _cases("bad_rules"))
def test_screening_refuses_rules_that_do_not_validate(
    name: str, expected: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / name).write_bytes((FIXTURES / "bad_rules" / name).read_bytes())
    sale = Path(__file__).resolve().parents[2] / "examples" / "encryptor-to-germany.yaml"
    run = CliRunner().invoke(app, ["screen", str(sale), "--rules", str(rules)])
    assert run.exit_code == 2
    assert run.stdout == ""
    assert run.stderr.strip() == f"exportcheck: error: {rules}/{expected}"
