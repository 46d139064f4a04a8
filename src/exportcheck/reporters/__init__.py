"""Output formats: one reporter module per format, chosen through the OutputFormat enum."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TextIO, assert_never

from exportcheck.domain.results import ScreeningResult


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def render_results(
    results: Sequence[ScreeningResult], fmt: OutputFormat, stream: TextIO, *, many: bool
) -> None:
    """Write screening results in a format; ``many`` makes JSON an array (several sale files)."""
    if fmt is OutputFormat.TABLE:
        from exportcheck.reporters.table import render_table

        render_table(results, stream)
    elif fmt is OutputFormat.JSON:
        from exportcheck.reporters.json import render_json

        render_json(results, stream, many=many)
    else:
        assert_never(fmt)
