"""Rewrite the golden batch outputs from the current code. Run on purpose, then review the diff:
tests/reporters/test_rows_golden.py compares against them and never rewrites them.

    python scripts/update_batch_golden.py
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from exportcheck.cli import app

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
INPUT = FIXTURES / "batch" / "golden.csv"
SMALL_RULES = ["--no-bundled-rules", "--rules", str(FIXTURES / "rules_small")]
# (golden file, output format)
BATCH_CASES = [("batch-golden.csv", "csv"), ("batch-golden.jsonl", "jsonl")]


def batch_args(fmt: str) -> list[str]:
    return ["batch", str(INPUT), "--format", fmt, "--quiet", "--workers", "1", *SMALL_RULES]


def main() -> None:
    for name, fmt in BATCH_CASES:
        run = CliRunner().invoke(app, batch_args(fmt))
        (FIXTURES / "golden" / name).write_text(run.stdout, encoding="utf-8")
        print(f"wrote tests/fixtures/golden/{name} (exit {run.exit_code})")


if __name__ == "__main__":
    main()
