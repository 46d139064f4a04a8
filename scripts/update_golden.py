"""Rewrite the golden output files from the current code. Run on purpose (`make golden`), then
review the diff: the tests never rewrite them."""

from __future__ import annotations

import os
import sys

from typer.testing import CliRunner

sys.path.insert(0, os.path.dirname(__file__))
from exportcheck.cli import app
from golden_cases import FIXTURES, REPO, SCREEN_CASES


def main() -> None:
    os.chdir(REPO)
    os.environ["COLUMNS"] = "120"
    for name, args in SCREEN_CASES:
        run = CliRunner().invoke(app, args, env={"COLUMNS": "120", "NO_COLOR": "1"})
        (FIXTURES / "golden" / name).write_text(run.stdout, encoding="utf-8")
        print(f"wrote tests/fixtures/golden/{name} (exit {run.exit_code})")


if __name__ == "__main__":
    main()
