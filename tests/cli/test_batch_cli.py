"""The real `exportcheck batch` command: rows out in order, bad rows, encodings, exit codes."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from exportcheck.cli import app

REPO = Path(__file__).resolve().parents[2]
SMALL_RULES = ["--no-bundled-rules", "--rules", str(REPO / "tests" / "fixtures" / "rules_small")]
HEADER = "id,date,buyer,buyer_country,end_user,end_user_country,classification,origin,value,note"
FREE = "F-1,2021-06-01,Beta GmbH,DE,,,EAR99,US,100,"
REQUIRED = "L-1,2021-06-01,Gamma Ltd,HK,ACME WIDGETS CO LTD,CN,EAR99,US,100,"
PROHIBITED = "P-1,2021-06-01,Jonas Bad Actor,DE,,,EAR99,US,100,"
BAD = "E-1,2021-06-01,Beta GmbH,Narnia,,,EAR99,US,100,"
OUTPUT = ["verdict", "reasons", "matched_entries", "top_score", "error"]

runner = CliRunner()


def batch(*args: str, stdin: str | bytes | None = None) -> Result:
    return runner.invoke(app, ["batch", *args, *SMALL_RULES], input=stdin)


def write(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "sales.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def summary(stderr: str) -> dict[str, int]:
    found = {}
    for label in ("read", "screened", "licence-free", "licence-required", "prohibited", "errors"):
        match = re.search(rf"\b{label}\s*│\s*([\d,]+)", stderr)
        assert match, f"no {label!r} in the summary:\n{stderr}"
        found[label] = int(match.group(1).replace(",", ""))
    return found


def test_one_output_row_per_input_row_in_order(tmp_path: Path) -> None:
    run = batch(str(write(tmp_path, REQUIRED, FREE, BAD, PROHIBITED)))
    rows = rows_of(run.stdout)
    assert [r["id"] for r in rows] == ["L-1", "F-1", "E-1", "P-1"]
    assert [r["verdict"] for r in rows] == [
        "licence-required",
        "licence-free",
        "error",
        "prohibited",
    ]
    assert list(rows[0])[-5:] == OUTPUT
    assert rows[0]["reasons"] == "entity-list" and rows[0]["matched_entries"] == "el-acme"
    assert 0.8 <= float(rows[0]["top_score"]) <= 1
    assert rows[1]["top_score"] == "" and rows[1]["error"] == ""
    assert rows[2]["error"].startswith("buyer_country: unknown country 'Narnia'")
    assert run.exit_code == 20


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (",2021-06-01,Beta GmbH,DE,,,EAR99,US,100,", "id: required value is missing"),
        ("X,2021-02-30,Beta GmbH,DE,,,EAR99,US,100,", "date: '2021-02-30' is not a valid date"),
        ("X,2021-06-01,Beta GmbH,Narnia,,,EAR99,US,100,", "buyer_country: unknown country"),
        ("X,2021-06-01,Beta GmbH,DE,,,EAR99,US,12k,", "value: '12k' is not a number"),
        ("X,2021-06-01,Beta GmbH,DE,,,EAR99,US,-5,", "value: '-5' must be greater than 0"),
        ("X,2021-06-01,Beta GmbH,DE,,,EAR99,US", "line 3: ragged row: 8 fields where the header"),
        ("X,2021-06-01,Beta GmbH,DE,,,EAR99,US,1,x,y", "ragged row: 11 fields"),
        ("X,2021-06-01,,,Zed,,EAR99,US,100,", "end_user_country: required when end_user is"),
    ],
)
def test_each_bad_row_class_is_reported_and_the_rest_screened(
    tmp_path: Path, row: str, message: str
) -> None:
    run = batch(str(write(tmp_path, FREE, row, FREE)))
    rows = rows_of(run.stdout)
    assert [r["verdict"] for r in rows] == ["licence-free", "error", "licence-free"]
    assert message in rows[1]["error"]
    assert len(rows[1]) == len(HEADER.split(",")) + len(OUTPUT)  # ragged rows cut to the header
    assert run.exit_code == 3
    counts = summary(run.stderr)
    assert counts["read"] == 3 == counts["screened"] + counts["errors"]
    assert counts["errors"] == 1


def test_percentage_out_of_range(tmp_path: Path) -> None:
    header = "id,date,buyer,buyer_country,classification,origin,value,us_content_percent"
    run = batch(str(write(tmp_path, "X,2021-06-01,Beta,DE,EAR99,JP,10,150", header=header)))
    assert rows_of(run.stdout)[0]["error"] == ("us_content_percent: '150' is out of range (0-100)")


@pytest.mark.parametrize(
    ("rows", "extra", "code"),
    [
        ([FREE], [], 0),
        ([FREE, REQUIRED], [], 10),
        ([FREE, REQUIRED, PROHIBITED, BAD], [], 20),
        ([FREE, BAD], [], 3),
        ([REQUIRED, BAD], [], 10),
        ([REQUIRED], ["--fail-on", "prohibited"], 0),
        ([REQUIRED, BAD], ["--fail-on", "prohibited"], 3),  # errors are never masked
        ([PROHIBITED], ["--fail-on", "prohibited"], 20),
    ],
)
def test_exit_codes(tmp_path: Path, rows: list[str], extra: list[str], code: int) -> None:
    run = batch(str(write(tmp_path, *rows)), "--quiet", *extra)
    assert run.exit_code == code, run.stderr


def test_summary_counts_add_up(tmp_path: Path) -> None:
    run = batch(str(write(tmp_path, FREE, REQUIRED, PROHIBITED, BAD, FREE, BAD)))
    counts = summary(run.stderr)
    assert counts == {
        "read": 6,
        "screened": 4,
        "licence-free": 2,
        "licence-required": 1,
        "prohibited": 1,
        "errors": 2,
    }
    assert "el-acme" in run.stderr and "rows/s" in run.stderr and "elapsed" in run.stderr
    assert "Narnia" in run.stderr  # the rows in error are listed


def test_quiet_writes_nothing_to_stderr(tmp_path: Path) -> None:
    run = batch(str(write(tmp_path, FREE)), "--quiet")
    assert run.stderr == "" and run.exit_code == 0


def test_formula_cells_are_neutralised_in_csv_not_in_jsonl(tmp_path: Path) -> None:
    rows = [f"{FREE}{cell}" for cell in ("=1+2", "+1", "-1", "@SUM(A1)", '"\tx"', "ok")]
    path = write(tmp_path, *rows)
    out = rows_of(batch(str(path), "-q").stdout)
    assert [r["note"] for r in out] == ["'=1+2", "'+1", "'-1", "'@SUM(A1)", "'\tx", "ok"]
    lines = batch(str(path), "-q", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["note"] for line in lines] == [
        "=1+2",
        "+1",
        "-1",
        "@SUM(A1)",
        "\tx",
        "ok",
    ]


def test_jsonl_output(tmp_path: Path) -> None:
    run = batch(str(write(tmp_path, REQUIRED, BAD)), "-q", "-f", "jsonl")
    first, second = (json.loads(line) for line in run.stdout.splitlines())
    assert list(first)[:3] == ["id", "date", "buyer"]
    assert first["verdict"] == "licence-required" and first["matched_entries"] == "el-acme"
    assert isinstance(first["top_score"], float) and first["error"] is None
    assert second["verdict"] == "error" and second["top_score"] is None


def test_columns_are_case_insensitive_and_unknown_ones_pass_through(tmp_path: Path) -> None:
    header = "Notes,ID,Date,BUYER,Buyer_Country,Origin,VALUE,Classification,Extra"
    path = write(tmp_path, "n1,F-1,2021-06-01,Beta GmbH,DE,US,100,EAR99,keep me", header=header)
    out = batch(str(path), "-q").stdout
    assert out.splitlines()[0] == header + ",verdict,reasons,matched_entries,top_score,error"
    assert out.splitlines()[1].startswith("n1,F-1,2021-06-01,Beta GmbH,DE,US,100,EAR99,keep me,")


LATIN1 = (
    "id;date;buyer;buyer_country;origin;value;classification\n"
    "X;2021-06-01;Société Générale;FR;US;10,50;EAR99\n"
)


def test_latin1_with_encoding_and_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "erp.csv"
    path.write_bytes(LATIN1.encode("cp1252"))
    run = batch(str(path), "--encoding", "cp1252", "--delimiter", ";", "-q")
    (row,) = rows_of(run.stdout)
    assert row["buyer"] == "Société Générale" and row["verdict"] == "licence-free"
    assert row["value"] == "10,50"  # cells are echoed as written
    assert run.exit_code == 0


def test_latin1_without_encoding_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "erp.csv"
    path.write_bytes(LATIN1.encode("cp1252"))
    out = tmp_path / "out.csv"
    run = batch(str(path), "--delimiter", ";", "-o", str(out))
    assert run.exit_code == 2
    assert run.stderr.startswith(f"exportcheck: error: {path}:2: not utf-8 text: byte 0xe9")
    assert "--encoding cp1252" in run.stderr
    assert "Soci" not in run.stdout
    assert not out.exists()


def test_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufeff" + HEADER + "\n" + FREE + "\n").encode("utf-8"))
    (row,) = rows_of(batch(str(path), "-q").stdout)
    assert row["id"] == "F-1" and row["verdict"] == "licence-free"


def test_semicolon_delimiter(tmp_path: Path) -> None:
    path = write(tmp_path, FREE.replace(",", ";"), header=HEADER.replace(",", ";"))
    (row,) = rows_of(batch(str(path), "-d", ";", "-q").stdout)
    assert row["verdict"] == "licence-free"


def test_wrong_delimiter_is_a_clear_header_error(tmp_path: Path) -> None:
    path = write(tmp_path, FREE.replace(",", ";"), header=HEADER.replace(",", ";"))
    run = batch(str(path), "-q")
    assert run.exit_code == 2 and "missing column 'id'" in run.stderr


def test_stdin(tmp_path: Path) -> None:
    run = batch("-", "-q", stdin="\n".join([HEADER, REQUIRED, FREE]) + "\n")
    assert [r["verdict"] for r in rows_of(run.stdout)] == ["licence-required", "licence-free"]
    assert run.exit_code == 10


def test_output_file_and_header_only_input(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    run = batch(str(write(tmp_path, REQUIRED)), "-q", "-o", str(out))
    assert run.stdout == "" and rows_of(out.read_text(encoding="utf-8"))[0]["id"] == "L-1"
    empty = batch(str(write(tmp_path, name="empty.csv")), "-q", "-o", str(out))
    assert empty.exit_code == 0
    assert out.read_text(encoding="utf-8") == HEADER + "," + ",".join(OUTPUT) + "\n"
    assert not list(tmp_path.glob(".out.csv.*"))  # no temporary file left behind


def test_invalid_input_leaves_no_output_file(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    run = batch(str(write(tmp_path, FREE, header="id,date")), "-o", str(out))
    assert run.exit_code == 2 and not out.exists()
    assert run.stderr.count("\n") == 1  # one clear message


def test_missing_file() -> None:
    run = batch("/nonexistent/sales.csv")
    assert run.exit_code == 2 and "cannot read the file" in run.stderr


def _many_rows(count: int) -> list[str]:
    templates = [FREE, REQUIRED, PROHIBITED, BAD, "X,2021-06-01,Zenith Optics,CN,,,1A001,US,9000,"]
    return [
        templates[n % len(templates)].replace("-1,", f"-{n},", 1).replace("X,", f"X{n},", 1)
        for n in range(count)
    ]


def test_output_is_identical_for_any_number_of_workers(tmp_path: Path) -> None:
    path = write(tmp_path, *_many_rows(2600))  # three chunks, so workers really start
    one = batch(str(path), "-q", "--workers", "1")
    two = batch(str(path), "-q", "--workers", "2")
    assert one.exit_code == two.exit_code == 20
    assert one.stdout == two.stdout
    ids = [r["id"] for r in rows_of(two.stdout)]
    assert ids == [line.split(",")[0] for line in _many_rows(2600)]


def test_example_file_runs_through_the_installed_command() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "exportcheck", "batch", str(REPO / "examples" / "sales.csv")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    rows = rows_of(run.stdout)
    verdicts = {r["id"]: r["verdict"] for r in rows}
    assert len(rows) == 12
    assert verdicts["PO-2019-0042"] == "licence-required"  # Huawei, two weeks after its listing
    assert verdicts["PO-2019-0620"] == "licence-free"  # foreign-made, under de minimis
    assert verdicts["SO-2026-0202"] == "prohibited"  # North Korea
    assert verdicts["SO-2026-0312"] == "error"
    assert {"licence-free", "licence-required", "prohibited", "error"} == set(verdicts.values())
    assert any(r["sales_rep"].startswith("'=") for r in rows)  # the formula cell, neutralised
    assert run.returncode == 20
    assert "batch summary" in run.stderr


def test_help_shows_examples() -> None:
    run = runner.invoke(app, ["batch", "--help"], env={"COLUMNS": "120"})
    assert run.exit_code == 0
    assert "exportcheck batch examples/sales.csv -o screened.csv" in run.stdout
    for option in ("--workers", "--encoding", "--delimiter", "--fail-on", "--format", "--quiet"):
        assert option in run.stdout


def test_a_bad_byte_found_by_a_worker_stops_the_batch_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, *_many_rows(2600))
    with path.open("ab") as handle:
        handle.write(b"B-1,2021-06-01,Soci\xe9t\xe9,FR,,,EAR99,US,100,\n")
    out = tmp_path / "out.csv"
    run = batch(str(path), "-q", "--workers", "2", "-o", str(out))
    assert run.exit_code == 2
    assert run.stderr.startswith(f"exportcheck: error: {path}:2602: not utf-8 text: byte 0xe9")
    assert not out.exists()  # no half-written output


def test_workers_started_without_fork_give_the_same_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """macOS and Windows start workers with spawn: the job and the screener are pickled."""
    import multiprocessing

    path = write(tmp_path, *_many_rows(2600))
    forked = batch(str(path), "-q", "--workers", "2")
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    spawned = batch(str(path), "-q", "--workers", "2")
    assert spawned.exit_code == forked.exit_code == 20
    assert spawned.stdout == forked.stdout
