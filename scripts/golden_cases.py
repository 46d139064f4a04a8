"""The golden-output cases: a command line each and the file its output must equal.

Used by tests/reporters (compare) and scripts/update_golden.py (rewrite, on purpose only).
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SMALL_RULES = ["--no-bundled-rules", "--rules", "tests/fixtures/rules_small"]

# (golden file name, exportcheck arguments run from the repository root)
SCREEN_CASES: list[tuple[str, list[str]]] = [
    (
        "screen-golden-sale.json",
        ["screen", "tests/fixtures/golden_sale.yaml", "-f", "json", *SMALL_RULES],
    ),
    (
        "screen-golden-sale.txt",
        ["screen", "tests/fixtures/golden_sale.yaml", "-f", "table", *SMALL_RULES],
    ),
]
