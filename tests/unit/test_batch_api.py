"""The Python API: exportcheck.screen_rows on mappings, in order, and inside dask partitions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import exportcheck
from exportcheck.batch import RESULT_COLUMNS, BatchStats, RowResult, screen_rows
from exportcheck.domain.engine import Screener
from exportcheck.loading.rules import load_rules

REPO = Path(__file__).resolve().parents[2]
SMALL_RULES = REPO / "tests" / "fixtures" / "rules_small"
ROWS = [
    {"ID": "F-1", "Date": "2021-06-01", "Buyer": "Beta GmbH", "Buyer_Country": "DE",
     "Origin": "US", "Value": "100", "Classification": "EAR99", "Other": "kept out"},
    {"id": "L-1", "date": "2021-06-01", "buyer": "Acme Widgets Co Ltd", "buyer_country": "CN",
     "origin": "US", "value": 250000, "classification": "EAR99"},
    {"id": "E-1", "date": "2021-06-01", "buyer": "Beta GmbH", "buyer_country": None,
     "origin": "US", "value": float("nan"), "classification": "EAR99"},
]  # fmt: skip


@pytest.fixture(scope="module")
def small_screener() -> Screener:
    return Screener(load_rules([SMALL_RULES]))


def test_public_api_is_exported_lazily() -> None:
    assert "screen_rows" in exportcheck.__all__ and "RowResult" in exportcheck.__all__
    assert exportcheck.screen_rows is screen_rows
    code = "import sys, exportcheck; print('exportcheck.batch' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"  # `import exportcheck` stays cheap


def test_screen_rows(small_screener: Screener) -> None:
    results = list(screen_rows(ROWS, small_screener))
    assert [r.verdict for r in results] == ["licence-free", "licence-required", "error"]
    assert results[1] == RowResult("licence-required", ("entity-list",), ("el-acme",), 1.0, None)
    assert results[2].error is not None
    assert results[2].error.startswith("buyer_country: required when buyer is given")
    assert "value: required value is missing" in results[2].error


def test_screen_rows_from_a_ruleset_and_in_workers() -> None:
    ruleset = load_rules([SMALL_RULES])
    rows = ROWS * 1200  # several chunks
    one = list(screen_rows(rows, ruleset))
    two = list(screen_rows(rows, ruleset, workers=2))
    assert one == two and len(two) == len(rows)


def test_stats_add_up() -> None:
    stats = BatchStats()
    for line, result in enumerate(
        [RowResult("licence-free"), RowResult("error", error="x"), RowResult("prohibited")], 2
    ):
        stats.add(result, line)
    assert stats.read == stats.screened + stats.errors == 3
    assert {v.value for v in stats.verdicts()} == {"prohibited", "licence-free"}
    assert stats.error_rows == [(3, "x")]


def test_dask_dataframe_partitions(tmp_path: Path, small_screener: Screener) -> None:
    """The docs/batch.md example: a CSV screened partition by partition on a local scheduler."""
    dd = pytest.importorskip("dask.dataframe")
    import dask
    import pandas as pd

    source = tmp_path / "history.csv"
    lines = ["id,date,buyer,buyer_country,origin,value,classification"]
    for n in range(300):
        buyer, country = [("Beta GmbH", "DE"), ("Acme Widgets Co Ltd", "CN"), ("X", "Narnia")][
            n % 3
        ]
        lines.append(f"S-{n},2021-06-01,{buyer},{country},US,{100 + n},EAR99")
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def screen_partition(frame: pd.DataFrame) -> pd.DataFrame:
        results = screen_rows(frame.to_dict("records"), small_screener)
        out = pd.DataFrame.from_records(
            [r.as_columns() for r in results], index=frame.index, columns=list(RESULT_COLUMNS)
        )
        return frame.join(out)

    frame = dd.read_csv(str(source), dtype=str, keep_default_na=False, blocksize=4_000)
    assert frame.npartitions > 1
    meta = {**dict.fromkeys(frame.columns, "object"), **dict.fromkeys(RESULT_COLUMNS, "object")}
    screened = frame.map_partitions(screen_partition, meta=meta)
    with dask.config.set(scheduler="threads"):
        result = screened.compute()
    assert list(result["id"]) == [f"S-{n}" for n in range(300)]
    counts = result["verdict"].value_counts().to_dict()
    assert counts == {"licence-free": 100, "licence-required": 100, "error": 100}
    assert set(result.loc[result["verdict"] == "licence-required", "matched_entries"]) == {
        "el-acme"
    }
