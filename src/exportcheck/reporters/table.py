"""The human-readable report: a verdict banner per sale and its findings with citations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from exportcheck.domain.results import Finding, ScreeningResult
from exportcheck.domain.rules import Verdict

STYLES = {
    Verdict.LICENCE_FREE: "bold green",
    Verdict.LICENCE_REQUIRED: "bold yellow",
    Verdict.PROHIBITED: "bold white on red",
}
SHORT = {
    Verdict.LICENCE_FREE: "free",
    Verdict.LICENCE_REQUIRED: "licence",
    Verdict.PROHIBITED: "PROHIBITED",
}


def _finding_text(finding: Finding) -> Text:
    text = Text(finding.message)
    extras = []
    if finding.policy and finding.verdict is not Verdict.LICENCE_FREE:
        extras.append(f"policy: {finding.policy.value}")
    if finding.outlook and finding.verdict is not Verdict.LICENCE_FREE:
        extras.append(f"outlook ({finding.sensitivity}): {finding.outlook}")
    if finding.explanation:
        extras.append(f"match: {finding.explanation}")
    for extra in extras:
        text.append("\n" + extra, style="dim")
    return text


def _is_background(finding: Finding) -> bool:
    """List matches that do not affect the verdict; many are summarised in one row."""
    return (
        finding.entry_id is not None
        and finding.verdict is Verdict.LICENCE_FREE
        and (finding.authorization is None)
    )


def _group_list_matches(findings: list[Finding]) -> list[tuple[Finding, list[Finding]]]:
    """One row per party, list and effect: the best match in full, the other entries named."""
    groups: dict[tuple[object, ...], tuple[Finding, list[Finding]]] = {}
    rows: list[tuple[Finding, list[Finding]]] = []
    for finding in findings:  # sorted: the best-scoring match of a group comes first
        if finding.entry_id is None:
            rows.append((finding, []))
            continue
        key = (finding.party_role, finding.party_name, finding.check, finding.code)
        if key in groups:
            groups[key][1].append(finding)
        else:
            groups[key] = (finding, [])
            rows.append(groups[key])
    return rows


def wide_console(stream: TextIO) -> Console:
    """A console on the stream at least 100 columns wide (tables wrap badly when narrower)."""
    return Console(file=stream, soft_wrap=False, width=max(100, Console(file=stream).width))


def render_table(results: Sequence[ScreeningResult], stream: TextIO) -> None:
    console = wide_console(stream)
    for result in results:
        banner = Text.assemble(
            (f" {result.verdict.value.upper()} ", STYLES[result.verdict]),
            f"  {result.sale_id}  ",
            (f"({result.outcome})", "dim"),
        )
        table = Table(show_header=True, header_style="bold", expand=True, show_lines=True)
        table.add_column("", width=10, no_wrap=True)
        table.add_column("check", width=16, overflow="fold")
        table.add_column("finding", ratio=3)
        table.add_column("citation", ratio=1)
        quiet = [f for f in result.findings if _is_background(f)]
        shown = [f for f in result.findings if not _is_background(f)]
        if len(quiet) <= 3:
            shown, quiet = list(result.findings), []
        for finding, others in _group_list_matches(shown):
            text = _finding_text(finding)
            if others:
                names = "; ".join(f"{o.entry_name} ({o.score or 0:.2f})" for o in others[:8])
                more = f" and {len(others) - 8} more" if len(others) > 8 else ""
                text.append(
                    f"\nalso matches {len(others)} other entries with the same effect: "
                    f"{names}{more}",
                    style="dim",
                )
            table.add_row(
                Text(SHORT[finding.verdict], style=STYLES[finding.verdict]),
                finding.check,
                text,
                finding.citation,
            )
        if quiet:
            names = ", ".join(sorted({f.entry_name or "" for f in quiet})[:6])
            count = len({f.entry_id for f in quiet})
            table.add_row(
                Text("free", style=STYLES[Verdict.LICENCE_FREE]),
                "list matches",
                Text(
                    f"{count} more list entries matched without effect on this sale (not in force "
                    f"on {result.as_of}, or no item subject to them): {names}"
                    + (", ..." if count > 6 else "")
                    + "; --format json lists them all",
                    style="dim",
                ),
                "",
            )
        footer = Text(
            f"destination {result.destination} · as of {result.as_of} · "
            f"rules {result.rules_version}",
            style="dim",
        )
        console.print(Panel(Group(table, footer), title=banner, title_align="left"))


def render_candidates(payload: dict[str, object], stream: TextIO) -> None:
    """The `search` table: one row per candidate, best first."""
    console = wide_console(stream)
    candidates = payload["candidates"]
    assert isinstance(candidates, list)
    where = f" in {payload['country']}" if payload.get("country") else ""
    if not candidates:
        console.print(f"No list entry matches {payload['query']!r}{where}.")
        return
    table = Table(title=f"Candidates for {payload['query']!r}{where}", show_lines=True, expand=True)
    table.add_column("score", justify="right", width=6)
    table.add_column("list", width=14)
    table.add_column("entry", ratio=2)
    table.add_column("why", ratio=3)
    for c in candidates:
        entry = Text(f"{c['entry_name']}\n", style="bold")
        entry.append(f"{c['entry_id']} · {', '.join(c['countries']) or '-'}", style="dim")
        why = Text(f"matched {c['matched_name']!r}\n{c['explanation']}\n")
        why.append(f"policy {c['policy']} · {c['citation']}", style="dim")
        table.add_row(f"{c['score']:.2f}", c["list"], entry, why)
    console.print(table)
