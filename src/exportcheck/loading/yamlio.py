"""Reading YAML and JSON safely; validation errors become ``file:line: field: message``."""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from exportcheck.errors import InputError

try:  # the C loader is many times faster on large rule files
    from yaml import CSafeLoader as _FastBase
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _FastBase  # type: ignore[assignment]

# YAML 1.1 reads `NO` (Norway), `on` and `off` as booleans and `2019-02-30` as a broken timestamp.
# Only true/false are booleans here, and dates stay strings for pydantic to check.
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


def _resolvers(base: type[yaml.SafeLoader] | Any) -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    table: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    for first, entries in base.yaml_implicit_resolvers.items():
        kept = [
            (tag, regexp)
            for tag, regexp in entries
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
        ]
        if first in "tTfF":
            kept.append(("tag:yaml.org,2002:bool", _BOOL))
        if kept:
            table[first] = kept
    return table


class _NoDuplicateKeys:
    """Rejects a mapping that repeats a key (YAML would keep the last one silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[attr-defined]
            if isinstance(key, str) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc, no-any-return]


class StrictLoader(_NoDuplicateKeys, yaml.SafeLoader):
    """Pure-Python safe loader that also rejects duplicate keys: its error messages are the
    ones reported."""


class StrictFastLoader(_NoDuplicateKeys, _FastBase):
    """The same checks on the C parser, several times faster; a document it rejects is read
    again with `StrictLoader` for the pure-Python parser's wording of the problem."""


StrictLoader.yaml_implicit_resolvers = _resolvers(yaml.SafeLoader)
StrictFastLoader.yaml_implicit_resolvers = _resolvers(_FastBase)


def read_text(
    path: Path, data: bytes | None = None, *, hint: str = "save the file as UTF-8"
) -> str:
    """Decode a file as UTF-8 (a BOM is accepted); bad bytes are an error naming the line."""
    raw = path.read_bytes() if data is None else data
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded",
            path=str(path),
            line=line,
            hint=hint,
        ) from None


def parse_document(path: Path, text: str) -> Any:
    """Parse YAML (or JSON) text; a syntax error or a repeated key names its line."""
    if path.suffix.lower() != ".json" and text.lstrip()[:1] == "{":
        # Imported lists are written as JSON (which is YAML): read them at JSON speed, and
        # leave anything json rejects to the YAML parser and its messages.
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            pass
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"malformed JSON: {exc.msg}", path=str(path), line=exc.lineno
            ) from None
    try:
        return yaml.load(text, Loader=StrictFastLoader)
    except yaml.YAMLError:
        pass  # read again below, for the pure-Python parser's words and line
    try:
        return yaml.load(text, Loader=StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        raise InputError(
            f"malformed YAML: {problem}",
            path=str(path),
            line=mark.line + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"malformed YAML: {exc}", path=str(path)) from None


def _node_at(root: yaml.Node | None, loc: Sequence[int | str]) -> tuple[yaml.Node | None, bool]:
    """The deepest node along a pydantic ``loc``; the flag says whether the whole path exists."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    node = value
                    break
            else:
                return node, False
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node, False
            node = node.value[part]
        else:
            # Tagged-union branch names and the like appear in loc but not in the document.
            continue
    return node, True


def _key_line(node: yaml.Node | None, key: str) -> int | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if key_node.value == key:
                return int(key_node.start_mark.line) + 1
    return None


def field_path(loc: Iterable[int | str]) -> str:
    """``('parties', 0, 'country')`` -> ``parties[1].country`` (positions count from 1)."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += ("." if text else "") + part
    return text


@functools.cache
def _known_fields(model: type[BaseModel]) -> tuple[str, ...]:
    names: set[str] = set()
    pending: list[Any] = [model]
    seen: set[Any] = set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            for name, info in current.model_fields.items():
                names.add(info.alias or name)
                pending.append(info.annotation)
        pending.extend(getattr(current, "__args__", ()) or ())
        origin = getattr(current, "__origin__", None)
        if origin is not None:
            pending.append(origin)
    return tuple(sorted(names))


def _clean(message: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message[:1].lower() + message[1:]


def validation_errors(
    exc: ValidationError,
    path: Path,
    text: str,
    model: type[BaseModel] | None = None,
    *,
    strip_loc: int = 0,
) -> list[InputError]:
    """One InputError per pydantic error, located by re-reading the document's positions."""
    try:
        root = yaml.compose(text, Loader=StrictFastLoader)
    except yaml.YAMLError:
        root = None
    located: list[InputError] = []
    errors = exc.errors(include_url=False)
    # A sequence whose only item failed also reports being too short; the item's error is the news.
    failing = [tuple(e["loc"]) for e in errors if e["type"] != "too_short"]
    errors = [
        e
        for e in errors
        if not (
            e["type"] == "too_short"
            and any(
                f[: len(e["loc"])] == tuple(e["loc"]) and len(f) > len(e["loc"]) for f in failing
            )
        )
    ]
    for error in errors:
        loc = tuple(error["loc"])[strip_loc:]
        loc = tuple(p for p in loc if not (isinstance(p, str) and p.startswith("function-")))
        kind = error["type"]
        message = _clean(error["msg"])
        hint = None
        parent_loc = loc[:-1] if loc else loc
        node, _ = _node_at(root, loc)
        line = int(node.start_mark.line) + 1 if node is not None else None
        if kind == "extra_forbidden" and loc:
            key = str(loc[-1])
            parent, _ = _node_at(root, parent_loc)
            line = _key_line(parent, key) or line
            message = f"unknown field {key!r}"
            if model is not None:
                close = difflib.get_close_matches(key, _known_fields(model), n=1)
                hint = f"did you mean {close[0]!r}?" if close else None
        elif kind == "missing":
            message = "required field is missing"
        elif kind == "too_short":
            message = "must not be empty"
        elif kind.startswith("date_") or kind.startswith("datetime_"):
            reason = message.split(",", 1)[1].strip() if "," in message else message
            message = f"{error.get('input')!s} is not a valid date (YYYY-MM-DD): {reason}"
        elif kind.startswith("union_tag"):
            tag = error.get("ctx", {}).get("discriminator", "'kind'").strip("'")
            line = _key_line(node, tag) or line
            expected = error.get("ctx", {}).get("expected_tags", "")
            field = field_path((*loc, tag))
            message = (
                f"unknown {tag} {error.get('input', {}).get(tag)!r} (expected one of {expected})"
            )
            located.append(InputError(message, path=str(path), line=line, field=field))
            continue
        located.append(
            InputError(message, path=str(path), line=line, field=field_path(loc) or None, hint=hint)
        )
    return located


def first_error(errors: list[InputError]) -> InputError:
    """The error to show when only one line may be printed: the earliest in the file."""
    return min(errors, key=lambda e: e.line or 0)
