"""Progress and the closing summary of a batch run, on stderr (rich lives here and in the CLI)."""

from __future__ import annotations

import time
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from exportcheck.batch import BatchStats
from exportcheck.reporters.table import wide_console

_REFRESH_SECONDS = 0.1
_VERDICT_STYLES = {
    "licence-free": "green",
    "licence-required": "yellow",
    "prohibited": "bold red",
    "error": "magenta",
}


class BatchProgress:
    """A progress bar (rows, rows/s, ETA from the bytes read) when the stream is a terminal.

    Silent otherwise. It refreshes only when told, from the thread doing the work, so that no
    background thread is running when the batch forks its workers.
    """

    def __init__(self, stream: TextIO, *, total_bytes: int | None, enabled: bool = True) -> None:
        self._enabled = enabled and stream.isatty()
        self._started = time.perf_counter()
        self._last = 0.0
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if self._enabled:
            self._progress = Progress(
                TextColumn("[bold]screening"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rows]:,} rows"),
                TextColumn("{task.fields[rate]:,.0f} rows/s"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=stream),
                auto_refresh=False,
                transient=True,
            )
            self._task = self._progress.add_task("batch", total=total_bytes, rows=0, rate=0.0)

    def update(self, rows: int, bytes_read: int) -> None:
        """Rows done so far and bytes of the input read (the ETA comes from the bytes)."""
        if self._progress is None or self._task is None:
            return
        now = time.perf_counter()
        rate = rows / (now - self._started) if now > self._started else 0.0
        self._progress.update(self._task, completed=bytes_read, rows=rows, rate=rate)
        if now - self._last >= _REFRESH_SECONDS:
            self._last = now
            self._progress.refresh()

    def __enter__(self) -> BatchProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()


def render_summary(stats: BatchStats, stream: TextIO) -> None:
    """Counts by verdict, the most-matched list entries, rows in error, elapsed time, rows/s."""
    console = wide_console(stream)
    table = Table(title="batch summary", show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("rows", justify="right")
    table.add_row("read", f"{stats.read:,}")
    table.add_row("screened", f"{stats.screened:,}")
    for verdict in ("licence-free", "licence-required", "prohibited"):
        table.add_row(f"  {verdict}", f"{stats.by_verdict[verdict]:,}", style=_style(verdict))
    table.add_row("errors", f"{stats.errors:,}", style="magenta" if stats.errors else None)
    table.add_row("elapsed", f"{stats.elapsed:.2f} s")
    table.add_row("rows/s", f"{stats.rows_per_second:,.0f}")
    console.print(table)
    if stats.entries:
        entries = Table(title="most-matched list entries", title_justify="left")
        entries.add_column("entry")
        entries.add_column("name")
        entries.add_column("rows", justify="right")
        for entry_id, count in stats.entries.most_common(10):
            entries.add_row(entry_id, stats.entry_names.get(entry_id, ""), f"{count:,}")
        console.print(entries)
    if stats.error_rows:
        errors = Table(title="rows in error (first few)", title_justify="left")
        errors.add_column("line", justify="right")
        errors.add_column("error")
        for line, message in stats.error_rows:
            errors.add_row(str(line), message)
        if stats.errors > len(stats.error_rows):
            errors.add_row("", f"... and {stats.errors - len(stats.error_rows):,} more")
        console.print(errors)


def _style(verdict: str) -> str | None:
    return _VERDICT_STYLES.get(verdict)
