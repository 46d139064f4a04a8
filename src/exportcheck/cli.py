"""The command line: parse arguments, load, screen, render, exit. Nothing clever happens here."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from exportcheck import __version__
from exportcheck.errors import ExportcheckError, InputError
from exportcheck.exit_codes import ExitCode, decide_exit_code

app = typer.Typer(
    name="exportcheck",
    help=(
        "Export-control screening of proposed sales: the Entity List and other screening lists, "
        "de minimis US content, the Commerce Country Chart, embargoes and general licences, "
        "with the regulation behind every finding.\n\n"
        "Exit codes: 0 licence-free, 10 licence required, 20 prohibited, 3 batch rows in error, "
        "2 invalid input or rules, 1 internal error."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
rules_app = typer.Typer(
    help="Validate, inspect, import and compare rule folders.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(rules_app, name="rules")

F = TypeVar("F", bound=Callable[..., Any])


class FailOn(StrEnum):
    LICENCE_REQUIRED = "licence-required"
    PROHIBITED = "prohibited"


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def _fail(message: str, code: ExitCode) -> typer.Exit:
    typer.echo(f"exportcheck: error: {message}", err=True)
    return typer.Exit(int(code))


def handles_errors(command: F) -> F:
    """Turn exportcheck's errors into one line on stderr and the exit code they mean."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InputError as exc:
            raise _fail(str(exc), ExitCode.INVALID_INPUT) from None
        except ExportcheckError as exc:
            raise _fail(str(exc), ExitCode.INVALID_INPUT) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            raise typer.Exit(int(ExitCode.INTERNAL_ERROR)) from None
        except Exception as exc:  # an unexpected error must never look like a verdict
            raise _fail(
                f"internal error: {type(exc).__name__}: {exc} (please report this)",
                ExitCode.INTERNAL_ERROR,
            ) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"exportcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Export-control screening."""


# --- shared options ----------------------------------------------------------------------------

RulesOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules",
        "-r",
        help="Folder (or file) of YAML rules loaded on top of the bundled rules; repeatable. "
        "Also EXPORTCHECK_RULES (':'-separated).",
        show_default=False,
    ),
]
NoBundledOpt = Annotated[
    bool,
    typer.Option("--no-bundled-rules", help="Do not load the rules bundled with exportcheck."),
]
MaxAgeOpt = Annotated[
    int | None,
    typer.Option(
        "--max-age",
        min=0,
        help="Refuse to screen (exit 2) when an imported list is older than this many days.",
        envvar="EXPORTCHECK_MAX_AGE",
    ),
]
FailOnOpt = Annotated[
    FailOn,
    typer.Option(
        "--fail-on",
        help="Lowest verdict that makes the exit code non-zero; errors (exit 2 and 3) always do.",
        envvar="EXPORTCHECK_FAIL_ON",
    ),
]
ThresholdOpt = Annotated[
    float | None,
    typer.Option(
        "--match-threshold",
        min=0.0,
        max=1.0,
        help="Name-match score (0-1) from which a party counts as matching a list entry.",
        envvar="EXPORTCHECK_MATCH_THRESHOLD",
    ),
]


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--as-of: {value!r} is not an ISO date (YYYY-MM-DD)") from None


def _screener(
    rules: list[Path] | None,
    no_bundled: bool,
    max_age: int | None,
    threshold: float | None,
) -> Any:
    from exportcheck.loading.rules import rule_dirs
    from exportcheck.loading.screener import load_screener

    return load_screener(
        rule_dirs(rules or [], bundled=not no_bundled),
        max_age_days=max_age,
        match_threshold=threshold,
    )


# --- screen ------------------------------------------------------------------------------------


@app.command(
    epilog=(
        "Examples:\n\n"
        "  exportcheck screen examples/huawei-2019-us-chip.yaml\n\n"
        "  exportcheck screen sales/*.yaml --format json > results.json\n\n"
        "  exportcheck screen po.yaml --rules lists/ --as-of 2020-09-01 --fail-on prohibited"
    )
)
@handles_errors
def screen(
    files: Annotated[
        list[Path],
        typer.Argument(help="Sale files (YAML or JSON), one sale each.", show_default=False),
    ],
    rules: RulesOpt = None,
    no_bundled_rules: NoBundledOpt = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Apply the rules in force on this date instead of the sale's date."
        ),
    ] = None,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="table for people, json for scripts.")
    ] = Format.TABLE,
    fail_on: FailOnOpt = FailOn.LICENCE_REQUIRED,
    max_age: MaxAgeOpt = None,
    match_threshold: ThresholdOpt = None,
) -> None:
    """Screen sale files and report licence-free, licence-required or prohibited, with reasons."""
    from exportcheck.domain.rules import Verdict
    from exportcheck.loading.sales import load_sale
    from exportcheck.reporters import OutputFormat, render_results

    on = _as_of(as_of)
    sales = [load_sale(path) for path in files]  # every file is checked before any verdict
    screener = _screener(rules, no_bundled_rules, max_age, match_threshold)
    results = [screener.screen(sale, on) for sale in sales]
    render_results(results, OutputFormat(output_format.value), sys.stdout, many=len(files) > 1)
    code = decide_exit_code((r.verdict for r in results), fail_on=Verdict(fail_on.value))
    raise typer.Exit(int(code))


# --- search ------------------------------------------------------------------------------------


@app.command(
    epilog=(
        "Examples:\n\n"
        "  exportcheck search 'Huawei Technologies'\n\n"
        "  exportcheck search 'hisilicon tech co' --country CN --rules lists/ --format json"
    )
)
@handles_errors
def search(
    name: Annotated[str, typer.Argument(help="The name to look up.", show_default=False)],
    country: Annotated[
        str | None, typer.Option("--country", "-c", help="The party's country (supports a match).")
    ] = None,
    rules: RulesOpt = None,
    no_bundled_rules: NoBundledOpt = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Most candidates.")] = 10,
    output_format: Annotated[Format, typer.Option("--format", "-f")] = Format.TABLE,
    match_threshold: ThresholdOpt = None,
) -> None:
    """Look a name up in the loaded lists: ranked candidates with scores and explanations."""
    from exportcheck.domain.countries import resolve_country
    from exportcheck.reporters.search import render_search

    code = None
    if country is not None:
        try:
            code = resolve_country(country)
        except ValueError as exc:
            raise InputError(str(exc), field="--country") from None
    screener = _screener(rules, no_bundled_rules, None, match_threshold)
    threshold = screener.match_threshold if match_threshold is None else match_threshold
    matches = screener.index.search(name, code, threshold=threshold, limit=limit, exhaustive=True)
    render_search(name, code, matches, screener.ruleset, output_format.value, sys.stdout)
    raise typer.Exit(0)


# --- batch -------------------------------------------------------------------------------------


class RowsFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


@app.command(
    epilog=(
        "Examples:\n\n"
        "  exportcheck batch examples/sales.csv -o screened.csv\n\n"
        "  exportcheck batch erp-export.csv --encoding cp1252 --delimiter ';' --format jsonl\n\n"
        "  cat orders.csv | exportcheck batch - --rules lists/ --quiet --fail-on prohibited\n\n"
        "Exit codes: 0 every row licence-free, 10 a licence is required, 20 prohibited, "
        "3 rows in error (and none prohibited or needing a licence), 2 invalid file or rules."
    )
)
@handles_errors
def batch(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with a header row, one sale of one item per row; '-' reads standard input.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the screened rows here (replaced only when the run completes) "
            "instead of standard output.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        RowsFormat,
        typer.Option("--format", "-f", help="csv (formula-like cells neutralised) or jsonl."),
    ] = RowsFormat.CSV,
    rules: RulesOpt = None,
    no_bundled_rules: NoBundledOpt = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Apply the rules in force on this date, not each row's date."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-j",
            min=1,
            help="Worker processes (default: one per CPU, at most 8); the output is the same "
            "for any number.",
            envvar="EXPORTCHECK_WORKERS",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no summary on stderr.")
    ] = False,
    encoding: Annotated[
        str,
        typer.Option(
            "--encoding",
            help="Text encoding of the file, e.g. cp1252 or latin-1 for ERP exports "
            "(a UTF-8 byte-order mark is always accepted).",
            envvar="EXPORTCHECK_ENCODING",
        ),
    ] = "utf-8",
    delimiter: Annotated[
        str,
        typer.Option(
            "--delimiter", "-d", help="Field separator, e.g. ';' ('tab' for tab-separated)."
        ),
    ] = ",",
    fail_on: FailOnOpt = FailOn.LICENCE_REQUIRED,
    max_age: MaxAgeOpt = None,
    match_threshold: ThresholdOpt = None,
) -> None:
    """Screen a CSV of sales: every input row comes out, in order, with its verdict and reasons."""
    from exportcheck.batch import run_batch
    from exportcheck.domain.rules import Verdict
    from exportcheck.loading.batch import open_batch
    from exportcheck.progress import BatchProgress, render_summary
    from exportcheck.reporters.rows import RowOutput

    on = _as_of(as_of)
    with open_batch(file, encoding=encoding, delimiter=delimiter) as reader:
        screener = _screener(rules, no_bundled_rules, max_age, match_threshold)
        with (
            RowOutput(output, output_format.value, reader.header, sys.stdout) as sink,
            BatchProgress(sys.stderr, total_bytes=reader.size, enabled=not quiet) as progress,
        ):
            stats = run_batch(
                reader,
                screener,
                sink.write_text,
                sink.renderer(),
                as_of=on,
                workers=workers,
                progress=progress.update,
            )
    if not quiet:
        render_summary(stats, sys.stderr)
    code = decide_exit_code(
        stats.verdicts(), row_errors=stats.errors, fail_on=Verdict(fail_on.value)
    )
    raise typer.Exit(int(code))


# --- rules -------------------------------------------------------------------------------------


@rules_app.command("validate")
@handles_errors
def rules_validate(
    directories: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Rule folders or files (default: the bundled rules).", show_default=False
        ),
    ] = None,
) -> None:
    """Check rule files; print ``file:line: message`` for each problem (exit 2 if any)."""
    from exportcheck.loading.rules import bundled_rules_dir, check_file, rule_files

    targets = directories or [bundled_rules_dir()]
    problems = 0
    checked = 0
    seen_ids: dict[str, str] = {}
    for directory in targets:
        for path in rule_files(directory):
            checked += 1
            result = check_file(path)
            if isinstance(result, list):
                problems += len(result)
                for error in result:
                    typer.echo(str(error), err=True)
                continue
            for rule in result.rules:
                if rule.id in seen_ids and seen_ids[rule.id] == str(path):
                    problems += 1
                    typer.echo(f"{path}: {rule.id}: id used twice in one file", err=True)
                seen_ids[rule.id] = str(path)
    if problems:
        typer.echo(f"{problems} problem(s) in {checked} file(s)", err=True)
        raise typer.Exit(int(ExitCode.INVALID_INPUT))
    typer.echo(f"{checked} rule file(s) valid")


@rules_app.command("schema")
@handles_errors
def rules_schema() -> None:
    """Print the JSON Schema of rule files (for editor completion and validation)."""
    from pydantic import TypeAdapter

    from exportcheck.domain.rules import RuleFile

    schema = TypeAdapter(RuleFile).json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "exportcheck rule file"
    typer.echo(json.dumps(schema, indent=2, sort_keys=True))


@rules_app.command(
    "import",
    epilog=(
        "Examples:\n\n"
        "  exportcheck rules import consolidated.csv -o lists/\n\n"
        "  exportcheck rules import sdn.csv alt.csv add.csv dpl.txt -o lists/\n\n"
        "  exportcheck rules import partial.csv.gz -o lists/ --skip-bad-rows"
    ),
)
@handles_errors
def rules_import(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Official downloads: trade.gov CSL (CSV or JSON), OFAC SDN CSV set "
            "(sdn.csv with alt.csv, add.csv), BIS Denied Persons List; .gz accepted.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write one rule file per list into.")
    ],
    skip_bad_rows: Annotated[
        bool,
        typer.Option(
            "--skip-bad-rows",
            help="Import the good rows and list every bad one, instead of stopping.",
        ),
    ] = False,
) -> None:
    """Convert official screening-list downloads into rule files (formats detected from content)."""
    from exportcheck.loading.importers import import_lists, write_rule_files

    result = import_lists(files, skip_bad_rows=skip_bad_rows)
    written = write_rule_files(result, output)
    for path, (_, rule_file) in zip(written, result.files, strict=True):
        typer.echo(f"{path}: {rule_file.list.name}: {len(rule_file.rules)} entries")
    for row in result.skipped_rows:
        typer.echo(f"exportcheck: skipped: {row}", err=True)
    for warning in result.warnings:
        typer.echo(f"exportcheck: warning: {warning}", err=True)
    typer.echo(
        f"read {result.read} rows: imported {result.imported}, skipped {result.skipped}",
        err=True,
    )


@rules_app.command(
    "diff",
    epilog="Example:\n\n  exportcheck rules diff lists-2022-05/ lists-2023-11/ --format json",
)
@handles_errors
def rules_diff(
    old: Annotated[Path, typer.Argument(help="The earlier rule folder.", show_default=False)],
    new: Annotated[Path, typer.Argument(help="The later rule folder.", show_default=False)],
    output_format: Annotated[Format, typer.Option("--format", "-f")] = Format.TABLE,
    notes: Annotated[
        bool, typer.Option("--notes", help="Also compare free-text notes (ids, remarks).")
    ] = False,
) -> None:
    """What changed between two rule folders: entries added, removed and changed, per list."""
    from exportcheck.domain.diff import diff_lists
    from exportcheck.loading.rules import load_rules
    from exportcheck.reporters.diff import render_diff

    diff = diff_lists(load_rules([old]), load_rules([new]), notes=notes)
    render_diff(diff, output_format.value, sys.stdout)


@rules_app.command("info")
@handles_errors
def rules_info(
    rules: RulesOpt = None,
    no_bundled_rules: NoBundledOpt = False,
    max_age: MaxAgeOpt = None,
    output_format: Annotated[Format, typer.Option("--format", "-f")] = Format.TABLE,
) -> None:
    """Versions, counts, as-of dates and freshness of the loaded rules."""
    from exportcheck.loading.rules import load_rules, rule_dirs
    from exportcheck.loading.screener import describe_rules, stale_lists
    from exportcheck.reporters.info import render_info

    ruleset = load_rules(rule_dirs(rules or [], bundled=not no_bundled_rules))
    info = describe_rules(ruleset, dt.date.today())
    render_info(info, output_format.value, sys.stdout)
    for warning in info["warnings"]:
        typer.echo(f"exportcheck: warning: {warning}", err=True)
    if max_age is not None:
        stale = stale_lists(ruleset, dt.date.today(), max_age)
        if stale:
            raise _fail(stale[0], ExitCode.INVALID_INPUT)


def main() -> None:
    """Console-script entry point."""
    app()
