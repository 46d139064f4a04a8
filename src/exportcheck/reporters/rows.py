"""Batch output, one row per input row: the input's cells, then verdict, reasons, matches, error.

CSV (comma-separated, UTF-8) neutralises every cell a spreadsheet would run as a formula; JSON
Lines gives one object per row. ``--output`` is written to a temporary file next to it and
renamed into place when the run completes, so a failed run never leaves half a file behind and
an existing file is replaced only by a complete one.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, TextIO, assert_never

from exportcheck.domain.results import OUTPUT_COLUMNS, output_cells
from exportcheck.errors import ExportcheckError

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class RowsFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


class RowOutcome(Protocol):
    """What a row result must offer (exportcheck.batch.RowResult does)."""

    @property
    def verdict(self) -> str: ...
    @property
    def reasons(self) -> tuple[str, ...]: ...
    @property
    def matched_entries(self) -> tuple[str, ...]: ...
    @property
    def top_score(self) -> float | None: ...
    @property
    def error(self) -> str | None: ...


_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def neutralise(cell: str) -> str:
    """A cell that a spreadsheet would run as a formula, made inert with a leading quote."""
    return "'" + cell if cell[:1] in _FORMULA_FIRST else cell


def _neutralised(cells: Sequence[str]) -> list[str]:
    return [("'" + c if c[:1] in _FORMULA_FIRST else c) for c in cells]


def added_cells(result: RowOutcome) -> list[str]:
    """The output columns of one result, as CSV cells."""
    return output_cells(
        result.verdict, result.reasons, result.matched_entries, result.top_score, result.error
    )


def _fit(values: list[str], width: int) -> list[str]:
    """A ragged row's cells cut or padded to the header's width (its error says so)."""
    if len(values) == width:
        return values
    return (values + [""] * width)[:width]


def _unique_keys(header: Sequence[str]) -> list[str]:
    """JSON keys for the header: repeated names get ``_2``, ``_3``, ... (JSON keys are unique)."""
    seen: set[str] = set(OUTPUT_COLUMNS)
    keys = []
    for name in header:
        key, number = name, 2
        while key in seen:
            key, number = f"{name}_{number}", number + 1
        seen.add(key)
        keys.append(key)
    return keys


class RowRenderer:
    """Renders chunks of rows with their results as output text, without the header line.

    Plain data and picklable: batch workers render their own chunks.
    """

    def __init__(self, fmt: str | RowsFormat, header: Sequence[str]) -> None:
        self.format = RowsFormat(fmt)
        self.width = len(header)
        self.keys = _unique_keys(header)

    def __call__(self, rows: Sequence[list[str]], results: Sequence[RowOutcome]) -> str:
        width = self.width
        if self.format is RowsFormat.CSV:
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(
                _neutralised(_fit(values, width) + added_cells(result))
                for values, result in zip(rows, results, strict=True)
            )
            return buffer.getvalue()
        if self.format is RowsFormat.JSONL:
            lines = []
            for values, result in zip(rows, results, strict=True):
                record: dict[str, Any] = dict(zip(self.keys, _fit(values, width), strict=True))
                record.update(
                    verdict=result.verdict,
                    reasons=";".join(result.reasons),
                    matched_entries=";".join(result.matched_entries),
                    top_score=result.top_score,
                    error=result.error,
                )
                lines.append(json.dumps(record, ensure_ascii=False) + "\n")
            return "".join(lines)
        assert_never(self.format)


class RowWriter:
    """Writes rows in one format to a text stream; the header goes out with the first rows."""

    def __init__(self, fmt: RowsFormat, header: Sequence[str], stream: TextIO) -> None:
        self.format = fmt
        self.header = tuple(header)
        self.stream = stream
        self.render = RowRenderer(fmt, header)
        self._started = False

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        if self.format is RowsFormat.CSV:
            cells = [neutralise(c) for c in (*self.header, *OUTPUT_COLUMNS)]
            csv.writer(self.stream, lineterminator="\n").writerow(cells)
        elif self.format is RowsFormat.JSONL:
            pass
        else:
            assert_never(self.format)

    def write(self, rows: Sequence[list[str]], results: Sequence[RowOutcome]) -> None:
        self.write_text(self.render(rows, results))

    def write_text(self, text: str) -> None:
        """Write rows already rendered by a `RowRenderer` for this header and format."""
        self.start()
        self.stream.write(text)


class RowOutput:
    """Where batch rows go: standard output, or ``--output`` replaced atomically at the end."""

    def __init__(
        self, path: Path | None, fmt: str | RowsFormat, header: Sequence[str], stdout: TextIO
    ) -> None:
        self.path = path
        self.format = RowsFormat(fmt)
        self.header = tuple(header)
        self._stdout = stdout
        self._writer: RowWriter | None = None
        self._handle: TextIO | None = None
        self._temporary: str | None = None

    def _open(self) -> RowWriter:
        if self._writer is None:
            if self.path is None:
                stream = self._stdout
            else:
                temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
                try:
                    stream = self._handle = temporary.open("w", encoding="utf-8", newline="")
                except OSError as exc:
                    raise ExportcheckError(
                        f"{self.path}: cannot write the output: {exc.strerror}"
                    ) from None
                self._temporary = str(temporary)
            self._writer = RowWriter(self.format, self.header, stream)
        return self._writer

    def write(self, rows: Sequence[list[str]], results: Sequence[RowOutcome]) -> None:
        """Write a chunk of input rows with their results (the file is created on first use)."""
        self._open().write(rows, results)

    def write_text(self, text: str) -> None:
        """Write a chunk rendered by ``renderer()`` (the file is created on first use)."""
        self._open().write_text(text)

    def renderer(self) -> RowRenderer:
        return RowRenderer(self.format, self.header)

    def __enter__(self) -> RowOutput:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self._open().start()  # an input without rows still gets its header
        if self._handle is not None:
            self._handle.close()
        elif self._writer is not None:
            self._stdout.flush()
        if self._temporary is not None:
            assert self.path is not None
            if exc_type is None:
                os.replace(self._temporary, self.path)
            else:
                Path(self._temporary).unlink(missing_ok=True)
