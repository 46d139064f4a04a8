"""Rendering of `rules info`: a plain summary for people, or JSON."""

from __future__ import annotations

import json
from typing import Any, TextIO


def render_info(info: dict[str, Any], fmt: str, stream: TextIO) -> None:
    if fmt == "json":
        json.dump(info, stream, indent=2, sort_keys=True)
        stream.write("\n")
        return
    lines = [f"rules version  {info['rules_version']}", "", "files:"]
    for entry in info["files"]:
        line = f"  {entry['file']:<44} {entry['kind']:<16} {entry['rules']:>7} rules"
        if "as_of" in entry:
            line += f"  as of {entry['as_of']} ({entry['age_days']} days)"
            line += f"  sha256 {entry['sha256'][:12]}"
        lines.append(line)
    lines += ["", "screening lists:"]
    lines += [f"  {k:<24} {v['entries']:>7} entries  {v['name']}" for k, v in info["lists"].items()]
    lines += ["", "rules by kind:"]
    lines += [f"  {k:<24} {v:>7}" for k, v in info["counts"].items()]
    stream.write("\n".join(lines) + "\n")
