"""Import of official screening-list downloads into exportcheck rule files.

``import_lists`` reads trade.gov Consolidated Screening List downloads (CSV in the 2019 and
2022+ layouts, API JSON, the compact JSON re-encoding), OFAC's legacy SDN CSV set and the BIS
Denied Persons List text file -- plain or gzip-compressed, told apart by content -- and returns
one :class:`~exportcheck.domain.rules.ScreeningListFile` per source list; ``write_rule_files``
writes them as YAML. A bad row stops the import with an :class:`~exportcheck.errors.InputError`
naming its file and line, unless ``skip_bad_rows`` is set, when it is listed in
``ImportResult.skipped_rows``. Nothing is printed: the caller reports the counts.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from exportcheck.domain.rules import ScreeningListFile
from exportcheck.errors import InputError
from exportcheck.loading.importers._common import ImportResult, RowError, RowSink, SkippedRow
from exportcheck.loading.importers.csl import (
    import_csl_compact,
    import_csl_csv,
    import_csl_json,
)
from exportcheck.loading.importers.detect import Format, RawInput, detect_format, read_input
from exportcheck.loading.importers.dpl import import_dpl
from exportcheck.loading.importers.ofac import import_ofac
from exportcheck.loading.index_files import list_entries, write_index_file

__all__ = [
    "Format",
    "ImportResult",
    "SkippedRow",
    "detect_format",
    "dump_rule_file",
    "import_lists",
    "write_rule_files",
]

_OFAC_EXTRAS = (Format.OFAC_ALT, Format.OFAC_ADD, Format.OFAC_COMMENTS)


def _group_ofac(inputs: list[RawInput]) -> list[tuple[RawInput, list[RawInput]]]:
    """Each sdn.csv with the alias, address and comment files that belong to it: those in the
    same folder, or, when only one sdn.csv is given, all of them."""
    sdns = [raw for raw in inputs if raw.format is Format.OFAC_SDN]
    groups: dict[Path, tuple[RawInput, list[RawInput]]] = {}
    for sdn in sdns:
        if sdn.path.resolve().parent in groups:
            raise InputError(
                "two sdn.csv files in one folder: import them one at a time", path=str(sdn.path)
            )
        groups[sdn.path.resolve().parent] = (sdn, [])
    for raw in inputs:
        if raw.format not in _OFAC_EXTRAS:
            continue
        group = groups.get(raw.path.resolve().parent)
        if group is None and len(sdns) == 1:
            group = groups[sdns[0].path.resolve().parent]
        if group is None:
            raise InputError(
                f"an OFAC {raw.format.value.removeprefix('ofac-')} file needs the sdn.csv it "
                "belongs to: give both (or put them in the same folder)",
                path=str(raw.path),
            )
        kinds = {extra.format for extra in group[1]}
        if raw.format in kinds:
            raise InputError(
                f"a second {raw.format.value} file for {group[0].name}", path=str(raw.path)
            )
        group[1].append(raw)
    for _, extras in groups.values():
        extras.sort(key=lambda raw: _OFAC_EXTRAS.index(raw.format))
    return list(groups.values())


def import_lists(
    paths: Sequence[Path], *, skip_bad_rows: bool = False, now: dt.datetime | None = None
) -> ImportResult:
    """Import the downloads at ``paths``; one rule file per source list in ``files``."""
    imported_at = now or dt.datetime.now(dt.UTC)
    inputs = [read_input(Path(path)) for path in paths]
    result = ImportResult()
    sinks = {
        str(raw.path): RowSink(str(raw.path), raw.name, skip_bad_rows=skip_bad_rows)
        for raw in inputs
    }
    produced: list[tuple[str, ScreeningListFile]] = []
    try:
        for raw in inputs:
            sink = sinks[str(raw.path)]
            if raw.format in (Format.CSL_CSV, Format.CSL_CSV_2019):
                produced += import_csl_csv(raw, sink, result.warnings, imported_at)
            elif raw.format is Format.CSL_JSON:
                produced += import_csl_json(raw, sink, result.warnings, imported_at)
            elif raw.format is Format.CSL_COMPACT_JSON:
                produced += import_csl_compact(raw, sink, result.warnings, imported_at)
            elif raw.format is Format.BIS_DPL:
                produced += import_dpl(raw, sink, result.warnings, imported_at)
        for sdn, extras in _group_ofac(inputs):
            produced += import_ofac(sdn, extras, sinks, result.warnings, imported_at)
    except RowError as exc:  # a problem of a whole file rather than of one row
        raise InputError(exc.message, field=exc.field) from None
    used: set[str] = set()
    for name, rule_file in produced:
        unique = name
        counter = 2
        while unique in used:
            unique = f"{name.removesuffix('.yaml')}-{counter}.yaml"
            counter += 1
        if unique != name:
            result.warnings.append(
                f"{name} came from more than one download; the later one is {unique}, and its "
                "entries replace the earlier file's entries with the same id"
            )
        used.add(unique)
        result.files.append((unique, rule_file))
    for sink in sinks.values():
        result.read += sink.read
        result.imported += sink.imported
        result.skipped += len(sink.skipped)
        result.skipped_rows.extend(sink.skipped)
    return result


_C1_CONTROLS = re.compile("[\x7f-\x9f\u2028\u2029]")


def _json(value: object) -> str:
    # Raw C1 controls (the lists carry some) are legal JSON but not YAML: escape them.
    text = json.dumps(value, ensure_ascii=False)
    return _C1_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def dump_rule_file(rule_file: ScreeningListFile) -> str:
    """The text of an imported rule file: JSON, which is also YAML, with one entry per line.

    Imported lists hold tens of thousands of entries; JSON loads about a hundred times faster
    than YAML, and one entry per line keeps diffs and error line numbers meaningful.
    Defaults and empty values are left out; each entry starts with its id and name.
    """
    dumped = rule_file.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    rules = [{"id": r.pop("id"), "name": r.pop("name"), **r} for r in dumped.pop("rules")]
    head: dict[str, Any] = {"schema_version": rule_file.schema_version, "kind": dumped.pop("kind")}
    head.update(dumped)
    lines = [_json(head)[:-1] + ","]
    lines.append('"rules": [')
    lines.extend(_json(rule) + "," for rule in rules)
    if rules:
        lines[-1] = lines[-1][:-1]
    lines.append("]}")
    return "\n".join(lines) + "\n"


def write_rule_files(result: ImportResult, out_dir: Path) -> list[Path]:
    """Write every rule file of ``result`` into ``out_dir`` (created when missing).

    Each file is written to a temporary name and renamed, so a reader never sees half a list,
    and gets its name-index piece beside it (``NAME.yaml.index``, see ``index_files``).
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the folder: {exc.strerror}", path=str(out_dir)) from None
    written = []
    for name, rule_file in result.files:
        target = out_dir / name
        text = dump_rule_file(rule_file)
        data = text.encode("utf-8")
        temporary = out_dir / f".{name}.{os.getpid()}.tmp"
        try:
            temporary.write_bytes(data)
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        # The analysed names of the list, so that no run needs to analyse them again.
        write_index_file(target, data, list_entries(rule_file))
        written.append(target)
    return written
