"""Screening many sales: rows in, one result per row out, in input order, in worker processes.

The work is cut into chunks; each chunk is screened by one worker and the results are taken back
in the order the chunks were sent, with only a few chunks in flight, so memory stays flat however
long the input. A row's result depends on nothing but the row and the rules, so the output is the
same for any number of workers. Workers are forked from the process that loaded the rules and the
name index (where the platform forks; elsewhere they receive the screener once, at start-up), and
each keeps its own cache of name matches, seeded with what the others found. For a CSV file the
chunks are blocks of the file's bytes: the main process only cuts and writes, and the workers
decode, parse, screen and render.

Nothing here prints: progress goes through a callback, output through a sink.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import math
import multiprocessing
import multiprocessing.queues
import os
import queue
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from exportcheck.domain.engine import Screener
from exportcheck.domain.matching import NameMatch
from exportcheck.domain.results import OUTPUT_COLUMNS, output_cells
from exportcheck.domain.rules import RuleSet, Verdict
from exportcheck.errors import ExportcheckError
from exportcheck.loading.batch import (
    Block,
    BlockReader,
    Columns,
    RowError,
    canonical_column,
    sale_from_fields,
)

if TYPE_CHECKING:
    from exportcheck.loading.batch import CsvBatch

ERROR = "error"
CHUNK_ROWS = 1000
MAX_WORKERS = 8
# The engine empties its name cache past 200,000 entries; seeded caches follow the same bound.
_MATCH_CACHE_LIMIT = 200_000

_T = TypeVar("_T")
_R = TypeVar("_R")


class RowResult(NamedTuple):
    """What batch output adds to a row: the verdict (or ``error``) and why."""

    verdict: str  # licence-free | licence-required | prohibited | error
    reasons: tuple[str, ...] = ()
    matched_entries: tuple[str, ...] = ()
    top_score: float | None = None
    error: str | None = None

    @property
    def is_error(self) -> bool:
        return self.verdict == ERROR

    def as_columns(self) -> dict[str, str]:
        """The cells batch CSV output adds, in order: codes and ids joined by ``;``."""
        return dict(zip(OUTPUT_COLUMNS, output_cells(*self), strict=True))


# The names of RowResult.as_columns(), in order.
RESULT_COLUMNS = OUTPUT_COLUMNS


def screen_fields(
    screener: Screener, fields: Mapping[str, str], as_of: dt.date | None = None
) -> RowResult:
    """Screen one row given as cells keyed by canonical column name."""
    try:
        sale = sale_from_fields(fields)
    except RowError as exc:
        return RowResult(ERROR, error=str(exc))
    verdict, reasons, matched, score = screener.summarise(sale, as_of)
    return RowResult(verdict.value, reasons, matched, score, None)


# --- the work of one chunk (runs in a worker, or in-process) ------------------------------------

_WORKER_SCREENER: Screener | None = None

# A block of the CSV file (whole records, as bytes) and --as-of.
CsvTask = tuple[Block, dt.date | None]
# Renders a chunk of input rows with their results as output text (CSV or JSON Lines).
Render = Callable[[Sequence[list[str]], Sequence[RowResult]], str]
# A chunk of rows given as mappings (screen_rows), already keyed by canonical column name.
FieldsTask = tuple[list[dict[str, str]], dt.date | None]


def _screener() -> Screener:
    if _WORKER_SCREENER is None:  # pragma: no cover - a worker always has one
        raise RuntimeError("worker started without a screener")
    return _WORKER_SCREENER


@dataclass(frozen=True, slots=True)
class CsvJob:
    """What screening a block of a CSV batch needs besides the screener: picklable, so that
    workers started without fork receive it once, like the screener."""

    columns: Columns
    reader: BlockReader
    render: Render


def _screen_csv_block(job: CsvJob, task: CsvTask) -> tuple[str, BatchStats]:
    """Decode, parse and screen one block: its output text and its counts. All of the per-row
    work happens here, in a worker; what goes back to the parent is one string."""
    block, as_of = task
    screener = _screener()
    rows: list[list[str]] = []
    results: list[RowResult] = []
    stats = BatchStats()
    for record in job.reader.rows(block):
        values = record.values
        try:
            fields = job.columns.fields(values)
        except RowError as exc:
            result = RowResult(ERROR, error=f"line {record.line}: {exc}")
        else:
            result = screen_fields(screener, fields, as_of)
        rows.append(values)
        results.append(result)
        stats.add(result, record.line)
    return job.render(rows, results), stats


def _screen_fields_chunk(task: FieldsTask) -> list[RowResult]:
    rows, as_of = task
    screener = _screener()
    return [screen_fields(screener, row, as_of) for row in rows]


Learned = list[tuple[tuple[str, str], tuple[NameMatch, ...]]]
_POLL_SECONDS = 1.0


def _run_task(func: Callable[[_T], _R], task: _T, known: Learned) -> tuple[_R, Learned]:
    """Run one task with the name matches other workers found seeded into this worker's cache;
    return its result and the matches this worker found meanwhile."""
    cache = _screener().name_matches
    if len(cache) > _MATCH_CACHE_LIMIT:
        cache.clear()
    cache.update(known)
    before = len(cache)
    result = func(task)
    after = len(cache)
    # The cache keeps insertion order: what this task added is at its end (unless it was cleared).
    learned = list(islice(reversed(cache.items()), after - before) if after >= before else [])
    _settle()
    return result, learned


def _settle() -> None:
    """Set what a chunk left behind (cached name matches and findings) aside from the cyclic
    garbage collector, as the rules and the index were before the fork.

    The caches grow by thousands of objects per chunk and live as long as the worker; left in the
    collector's care, every full collection walks all of them again, which made the second half
    of a million-row batch about twice as slow per row as the first. Reference counting still
    frees everything that is dropped; only reference cycles made at the very end of a chunk
    (younger than the collector's last pass) are kept for good, a few bytes per chunk."""
    gc.freeze()


def _worker_loop(
    func: Callable[[_T], _R],
    screener: Screener | None,
    tasks: multiprocessing.queues.Queue[tuple[_T, Learned] | None],
    results: multiprocessing.queues.Queue[tuple[bool, object]],
) -> None:
    global _WORKER_SCREENER
    if screener is not None:  # spawned workers receive it pickled; forked ones inherit it
        _WORKER_SCREENER = screener
    while (item := tasks.get()) is not None:
        task, known = item
        try:
            results.put((True, _run_task(func, task, known)))
        except ExportcheckError as exc:  # bad input: raised again by the parent as it is
            results.put((False, exc))
            return
        except BaseException as exc:  # reported by the parent, which stops the batch
            results.put((False, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
            return


def default_workers() -> int:
    """One worker per CPU this process may use, at most MAX_WORKERS."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS))


class _Workers:
    """Worker processes, each with its own task queue, fed round-robin.

    Chunk ``n`` goes to worker ``n % count`` and results are taken back in the same order, so
    the output keeps the input order. Name matches a worker finds travel back with its results
    and on to the other workers with their next tasks: each distinct (name, country) is searched
    about once in the whole batch rather than once per worker.
    """

    def __init__(self, func: Callable[[_T], _R], screener: Screener, count: int) -> None:
        forking = "fork" in multiprocessing.get_all_start_methods()
        context = (
            multiprocessing.get_context("fork") if forking else multiprocessing.get_context("spawn")
        )
        self.count = count
        self.tasks = [context.Queue() for _ in range(count)]
        self.results = [context.Queue() for _ in range(count)]
        self.to_send: list[Learned] = [[] for _ in range(count)]
        self.processes = [
            context.Process(
                target=_worker_loop,
                args=(func, None if forking else screener, self.tasks[n], self.results[n]),
                daemon=True,
            )
            for n in range(count)
        ]
        for process in self.processes:
            process.start()

    def send(self, number: int, task: object) -> None:
        known, self.to_send[number] = self.to_send[number], []
        self.tasks[number].put((task, known))

    def receive(self, number: int) -> Any:
        while True:
            try:
                ok, payload = self.results[number].get(timeout=_POLL_SECONDS)
                break
            except queue.Empty:
                process = self.processes[number]
                if not process.is_alive():
                    raise RuntimeError(
                        f"batch worker {number + 1} stopped (exit code {process.exitcode})"
                    ) from None
        if not ok:
            if isinstance(payload, ExportcheckError):
                raise payload
            raise RuntimeError(f"batch worker {number + 1} failed: {payload}")
        result, learned = payload
        for other in range(self.count):
            if other != number:
                self.to_send[other].extend(learned)
        return result

    def close(self, *, finished: bool) -> None:
        for number, process in enumerate(self.processes):
            if finished and process.is_alive():
                self.tasks[number].put(None)
        for process in self.processes:
            if finished:
                process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()
        for q in (*self.tasks, *self.results):
            q.close()
            q.cancel_join_thread()


def _ordered_map(
    func: Callable[[_T], _R],
    tasks: Iterable[_T],
    screener: Screener,
    workers: int,
    *,
    own_process: bool = False,
) -> Iterator[_R]:
    """``map(func, tasks)`` in worker processes, in order, with a bounded number in flight.

    With one worker, or when the input fits in one task, nothing is started: the work runs here,
    and `_settle` runs after each task only if this process is ours (``own_process``: the CLI),
    not a caller's.
    """
    global _WORKER_SCREENER
    iterator = iter(tasks)
    first = list(islice(iterator, 2))
    previous = _WORKER_SCREENER
    _WORKER_SCREENER = screener
    try:
        if workers <= 1 or len(first) < 2:
            for task in chain(first, iterator):
                result = func(task)
                if own_process:
                    _settle()
                yield result
            return
        # Objects that exist before the fork are left alone by the collector, so the workers'
        # copies of the rules and the index stay shared with this process instead of being
        # copied page by page.
        gc.freeze()
        pool = _Workers(func, screener, workers)
        finished = False
        try:
            pending: deque[int] = deque()
            in_flight = workers * 3
            for number, task in enumerate(chain(first, iterator)):
                worker = number % workers
                pool.send(worker, task)
                pending.append(worker)
                if len(pending) >= in_flight:
                    yield pool.receive(pending.popleft())
            while pending:
                yield pool.receive(pending.popleft())
            finished = True
        finally:
            pool.close(finished=finished)
            gc.unfreeze()
    finally:
        _WORKER_SCREENER = previous


def _chunks(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- the public API -----------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""  # missing cells as pandas / dask give them
    return value if isinstance(value, str) else str(value)


def _fields(row: Mapping[str, object]) -> dict[str, str]:
    return {canonical_column(str(key)): _cell_text(value) for key, value in row.items()}


def screen_rows(
    rows: Iterable[Mapping[str, object]],
    ruleset_or_screener: RuleSet | Screener,
    *,
    as_of: dt.date | None = None,
    workers: int = 1,
    match_threshold: float | None = None,
) -> Iterator[RowResult]:
    """Screen rows shaped like the batch CSV (``id``, ``date``, ``buyer``, ...); one result each.

    Column names are case-insensitive and other keys are ignored; missing values (None, NaN)
    count as empty cells. Results come in the order of ``rows``; a row that cannot be screened
    gets verdict ``error`` and a message naming the column. ``workers`` > 1 screens in worker
    processes (leave it at 1 inside a partition of a distributed engine).
    """
    if isinstance(ruleset_or_screener, Screener):
        screener = ruleset_or_screener
    else:
        from exportcheck.domain.matching import DEFAULT_THRESHOLD
        from exportcheck.loading.screener import load_index

        screener = Screener(
            ruleset_or_screener,
            index=load_index(ruleset_or_screener),
            match_threshold=DEFAULT_THRESHOLD if match_threshold is None else match_threshold,
        )
    tasks = (([_fields(row) for row in chunk], as_of) for chunk in _chunks(rows, CHUNK_ROWS))
    for results in _ordered_map(_screen_fields_chunk, tasks, screener, max(1, workers)):
        yield from results


@dataclass
class BatchStats:
    """Counts of a batch run: ``read == screened + errors`` always."""

    read: int = 0
    screened: int = 0
    errors: int = 0
    by_verdict: Counter[str] = field(default_factory=Counter)
    entries: Counter[str] = field(default_factory=Counter)  # rows in which each entry matched
    entry_names: dict[str, str] = field(default_factory=dict)
    error_rows: list[tuple[int, str]] = field(default_factory=list)  # first few (line, message)
    elapsed: float = 0.0

    MAX_ERROR_EXAMPLES = 5

    def add(self, result: RowResult, line: int) -> None:
        self.read += 1
        self.by_verdict[result.verdict] += 1
        if result.is_error:
            self.errors += 1
            if len(self.error_rows) < self.MAX_ERROR_EXAMPLES:
                self.error_rows.append((line, result.error or ""))
            return
        self.screened += 1
        if result.matched_entries:  # most rows match nothing: spare them Counter.update
            self.entries.update(result.matched_entries)

    def merge(self, other: BatchStats) -> None:
        """Add the counts of a later part of the input (error examples stay the first few)."""
        self.read += other.read
        self.screened += other.screened
        self.errors += other.errors
        self.by_verdict.update(other.by_verdict)
        self.entries.update(other.entries)
        room = self.MAX_ERROR_EXAMPLES - len(self.error_rows)
        self.error_rows.extend(other.error_rows[: max(room, 0)])

    def verdicts(self) -> list[Verdict]:
        """Each verdict that at least one row got (what the exit code depends on)."""
        return [v for v in Verdict if self.by_verdict[v.value]]

    @property
    def rows_per_second(self) -> float:
        return self.read / self.elapsed if self.elapsed > 0 else 0.0


Progress = Callable[[int, int], None]  # (rows done, bytes read)


def run_batch(
    reader: CsvBatch,
    screener: Screener,
    sink: Callable[[str], None],
    render: Render,
    *,
    as_of: dt.date | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> BatchStats:
    """Screen every record of an opened CSV batch; hand the output text of each block of
    records (from ``render``) to ``sink``, in input order. ``progress`` is called after each.

    This process only cuts the file into blocks and writes what comes back: decoding, parsing,
    screening and rendering happen in the workers.
    """
    started = time.perf_counter()
    stats = BatchStats()
    job = CsvJob(reader.columns, reader.reader, render)
    sent: deque[int] = deque()

    def tasks() -> Iterator[CsvTask]:
        for block in reader.blocks(chunk_rows):
            sent.append(reader.bytes_read)
            yield block, as_of

    count = default_workers() if workers is None else workers
    screen_block = functools.partial(_screen_csv_block, job)
    for text, block_stats in _ordered_map(screen_block, tasks(), screener, count, own_process=True):
        bytes_read = sent.popleft()
        stats.merge(block_stats)
        sink(text)
        if progress is not None:
            progress(stats.read, bytes_read)
    stats.elapsed = time.perf_counter() - started
    for entry_id, _ in stats.entries.most_common(10):
        entry = screener.ruleset.entries.get(entry_id)
        stats.entry_names[entry_id] = entry.name if entry is not None else entry_id
    return stats
