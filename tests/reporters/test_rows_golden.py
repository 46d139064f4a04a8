"""Whole batch outputs, CSV and JSON Lines, compared with golden files (never rewritten here:
run scripts/update_batch_golden.py on purpose and review the diff)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exportcheck.cli import app
from exportcheck.domain.results import format_score
from exportcheck.reporters.rows import (
    OUTPUT_COLUMNS,
    RowOutput,
    RowsFormat,
    RowWriter,
    neutralise,
)

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

from update_batch_golden import BATCH_CASES, FIXTURES, batch_args  # noqa: E402


@pytest.mark.parametrize(("name", "fmt"), BATCH_CASES)
def test_golden_output(name: str, fmt: str) -> None:
    run = CliRunner().invoke(app, batch_args(fmt))
    assert run.exit_code == 20, run.stderr
    expected = (FIXTURES / "golden" / name).read_text(encoding="utf-8")
    assert run.stdout == expected, f"run scripts/update_batch_golden.py if {name} should change"


def test_every_format_has_a_golden_file() -> None:
    assert {fmt for _, fmt in BATCH_CASES} == {f.value for f in RowsFormat}


class _Result:
    verdict = "licence-required"
    reasons = ("entity-list", "country-chart:NS1")
    matched_entries = ("el-a", "el-b")
    top_score = 0.91234
    error = None


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+31 20 555", "'+31 20 555"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe


def test_writer_cells_and_ragged_rows() -> None:
    stream = io.StringIO()
    writer = RowWriter(RowsFormat.CSV, ["id", "note"], stream)
    writer.write([["A", "=x"], ["B"], ["C", "1", "2"]], [_Result(), _Result(), _Result()])
    lines = stream.getvalue().splitlines()
    assert lines[0] == "id,note," + ",".join(OUTPUT_COLUMNS)
    assert lines[1] == "A,'=x,licence-required,entity-list;country-chart:NS1,el-a;el-b,0.9123,"
    assert lines[2].startswith("B,,licence-required") and lines[3].startswith("C,1,licence")
    assert format_score(None) == "" and format_score(1.0) == "1.0000"


def test_jsonl_keys_stay_unique() -> None:
    stream = io.StringIO()
    RowWriter(RowsFormat.JSONL, ["x", "x", ""], stream).write([["1", "2", "3"]], [_Result()])
    assert stream.getvalue().startswith('{"x": "1", "x_2": "2", "": "3", "verdict": ')


def test_output_file_is_only_created_when_the_run_completes(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("previous run\n", encoding="utf-8")
    with pytest.raises(RuntimeError), RowOutput(target, "csv", ["id"], io.StringIO()) as output:
        output.write([["A"]], [_Result()])
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "previous run\n"
    assert list(tmp_path.iterdir()) == [target]
