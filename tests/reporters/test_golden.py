"""Whole-output comparisons per format; the golden files change only through `make golden`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exportcheck.cli import app
from exportcheck.domain.results import ScreeningResult
from exportcheck.reporters import OutputFormat, render_results

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
from golden_cases import FIXTURES, SCREEN_CASES  # noqa: E402


@pytest.mark.parametrize(("name", "args"), SCREEN_CASES, ids=[c[0] for c in SCREEN_CASES])
def test_output_equals_golden(name: str, args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    run = CliRunner().invoke(app, args, env={"COLUMNS": "120", "NO_COLOR": "1"})
    expected = (FIXTURES / "golden" / name).read_text(encoding="utf-8")
    assert run.stdout == expected, "output changed: review it, then run `make golden`"


def test_every_output_format_renders(tmp_path: Path) -> None:
    import io

    from exportcheck.domain.engine import Screener
    from exportcheck.loading.rules import load_rules
    from exportcheck.loading.sales import load_sale

    screener = Screener(load_rules([FIXTURES / "rules_small"]))
    result: ScreeningResult = screener.screen(load_sale(FIXTURES / "golden_sale.yaml"))
    for fmt in OutputFormat:
        stream = io.StringIO()
        render_results([result], fmt, stream, many=False)
        assert "GOLDEN-1" in stream.getvalue(), fmt
