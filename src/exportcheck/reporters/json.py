"""The machine-readable JSON result of interface.md: sorted keys, no empty fields."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from exportcheck.domain.results import ScreeningResult


def result_to_dict(result: ScreeningResult) -> dict[str, Any]:
    """A result as plain JSON data; findings leave out the fields that do not apply to them."""
    data = result.model_dump(mode="json", exclude={"findings"})
    data["findings"] = [f.model_dump(mode="json", exclude_none=True) for f in result.findings]
    return data


def render_json(results: Sequence[ScreeningResult], stream: TextIO, *, many: bool) -> None:
    payload: Any = [result_to_dict(r) for r in results]
    if not many:
        payload = payload[0]
    json.dump(payload, stream, indent=2, sort_keys=True, ensure_ascii=False)
    stream.write("\n")
