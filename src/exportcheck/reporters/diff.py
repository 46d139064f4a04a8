"""Rendering of `rules diff`: added, removed and changed list entries, as text or JSON."""

from __future__ import annotations

import json
from typing import TextIO

from exportcheck.domain.diff import FieldChange, RulesDiff


def _change_text(change: FieldChange) -> str:
    parts = []
    if change.old is not None or change.new is not None:
        parts.append(f"{change.old!r} -> {change.new!r}")
    if change.added:
        parts.append("added " + "; ".join(change.added))
    if change.removed:
        parts.append("removed " + "; ".join(change.removed))
    return f"{change.field}: " + ", ".join(parts)


def render_diff(diff: RulesDiff, fmt: str, stream: TextIO) -> None:
    if fmt == "json":
        payload = {
            "summary": {"added": diff.added, "removed": diff.removed, "changed": diff.changed},
            "lists": [
                {
                    "list": d.list,
                    "added": [{"id": e.id, "name": e.name} for e in d.added],
                    "removed": [{"id": e.id, "name": e.name} for e in d.removed],
                    "changed": [c.model_dump(mode="json", exclude_none=True) for c in d.changed],
                    "unchanged": d.unchanged,
                }
                for d in diff.lists
            ],
        }
        json.dump(payload, stream, indent=2, sort_keys=True, ensure_ascii=False)
        stream.write("\n")
        return
    lines = [f"{diff.added} added, {diff.removed} removed, {diff.changed} changed"]
    for d in diff.lists:
        if not (d.added or d.removed or d.changed):
            continue
        lines.append("")
        lines.append(
            f"{d.list}: +{len(d.added)} -{len(d.removed)} ~{len(d.changed)} "
            f"({d.unchanged} unchanged)"
        )
        lines.extend(f"  + {e.id}  {e.name}" for e in d.added)
        lines.extend(f"  - {e.id}  {e.name}" for e in d.removed)
        for c in d.changed:
            renamed = f" (was {c.old_id})" if c.old_id else ""
            lines.append(f"  ~ {c.id}{renamed}  {c.name}")
            lines.extend(f"      {_change_text(f)}" for f in c.changes)
    stream.write("\n".join(lines) + "\n")
