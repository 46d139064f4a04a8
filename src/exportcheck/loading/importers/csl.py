"""The trade.gov Consolidated Screening List: CSV (2019 and 2022+ layouts), API JSON and the
compact 2026 JSON re-encoding, split into one rule file per source list.

Entry ids keep the official record id: ``csl-<_id>``. The Treasury lists use OFAC's numeric
``ent_num`` as ``_id``, so one party on the SDN and SSI lists has the same ``_id`` twice; outside
the SDN list a numeric ``_id`` therefore becomes ``csl-<_id>-<list>`` (``csl-18725-ssi``). Records
without an ``_id`` (the 2019 layout, BIS and State records of the compact JSON) get
``csl-<hash>``, a stable hash of source, name and addresses (or countries).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from exportcheck.domain.listmeaning import (
    effective_from,
    entry_policy,
    list_for_source,
    parse_footnotes,
    parse_requirement_scope,
    unknown_list,
)
from exportcheck.domain.rules import (
    Address,
    ListEffect,
    RequirementScope,
    ScreeningListFile,
    ScreeningListInfo,
    Source,
)
from exportcheck.loading.importers._common import (
    ListBuilder,
    RowError,
    RowSink,
    clean,
    country_of,
    csv_records,
    entity_type,
    iso_date,
    make_entry,
    names_and_aliases,
    normalise_citations,
    parse_address,
    short_hash,
    split_values,
)
from exportcheck.loading.importers.detect import CSL_COLUMNS, Format, RawInput

# Person and vessel details kept, verbatim, in the entry's note (label, column).
_NOTE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("title", "title"),
    ("remarks", "remarks"),
    ("date of birth", "dates_of_birth"),
    ("place of birth", "places_of_birth"),
    ("nationality", "nationalities"),
    ("citizenship", "citizenships"),
    ("ids", "ids"),
    ("call sign", "call_sign"),
    ("vessel type", "vessel_type"),
    ("vessel flag", "vessel_flag"),
    ("vessel owner", "vessel_owner"),
    ("gross tonnage", "gross_tonnage"),
    ("gross registered tonnage", "gross_registered_tonnage"),
    ("standard order", "standard_order"),
)


def _item_text(item: Any) -> str:
    if isinstance(item, Mapping):
        return ", ".join(clean(str(v)) for v in item.values() if v not in (None, ""))
    return clean(str(item)) if item is not None else ""


class _Record:
    """Uniform access to a CSV row or a JSON object: text values and ``;``-lists."""

    __slots__ = ("data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if value is None:
            return ""
        if isinstance(value, list):
            return "; ".join(t for t in (_item_text(v) for v in value) if t)
        return str(value)

    def values(self, key: str) -> list[str]:
        value = self.data.get(key)
        if isinstance(value, list):
            return [t for t in (_item_text(v) for v in value) if t]
        return split_values(value if isinstance(value, str) else None)

    def addresses(self) -> list[Address]:
        value = self.data.get("addresses")
        found: list[Address] = []
        if isinstance(value, list) and any(isinstance(v, Mapping) for v in value):
            for item in value:
                if not isinstance(item, Mapping):
                    continue
                country = country_of(str(item.get("country") or ""))
                street = [
                    clean(str(item[k]))
                    for k in ("address", "city", "state", "postal_code")
                    if item.get(k)
                ]
                if street:
                    parsed = parse_address(", ".join([*street, str(item.get("country") or "")]))
                    if parsed is not None:
                        found.append(
                            parsed.model_copy(update={"country": country or parsed.country})
                        )
                elif country:
                    found.append(Address(country=country))
            return found
        for part in self.values("addresses"):
            address = parse_address(part)
            if address is not None:
                found.append(address)
        return found


def _note(record: _Record) -> str | None:
    parts = []
    for label, column in _NOTE_COLUMNS:
        value = clean(record.text(column))
        if value:
            parts.append(f"{label}: {value}")
    return "; ".join(parts) or None


class CslImport:
    """Turns CSL records into entries, one builder per source list."""

    def __init__(self, raw: RawInput, sink: RowSink, warnings: list[str]) -> None:
        self.raw = raw
        self.sink = sink
        self.warnings = warnings
        self.builders: dict[str, ListBuilder] = {}
        self.unknown: dict[str, int] = {}
        self.hashed = 0

    def _list(self, source: str) -> ListBuilder:
        builder = self.builders.get(source)
        if builder is None:
            info = list_for_source(source)
            if info is None:
                info = unknown_list(source)
            builder = ListBuilder(info, f"csl-{info.id}.yaml", source)
            self.builders[source] = builder
        return builder

    def entry_id(self, official_id: str, info: ScreeningListInfo, *fallback: str) -> str:
        official_id = official_id.strip()
        if not official_id:
            self.hashed += 1
            return f"csl-{short_hash(info.id, *fallback)}"
        if official_id.isdigit() and info.id != "sdn":
            return f"csl-{official_id}-{info.id}"
        return f"csl-{official_id}"

    def add(self, record: _Record, official_id: str, countries: Sequence[str] = ()) -> None:
        source = clean(record.text("source"))
        if not source:
            raise RowError("no source list named", field="source")
        builder = self._list(source)
        info = builder.info
        if info.id.startswith("unknown-"):
            self.unknown[source] = self.unknown.get(source, 0) + 1
        raw_name = record.text("name")
        if not clean(raw_name):
            raise RowError("no name", field="name")
        name, aliases = names_and_aliases(raw_name, record.values("alt_names"))
        addresses = record.addresses()
        requirement = record.text("license_requirement").strip() or None
        policy_text = record.text("license_policy").strip() or None
        citation = normalise_citations(record.text("federal_register_notice"))
        values: dict[str, Any] = {
            "id": self.entry_id(
                official_id,
                info,
                source,
                name,
                record.text("addresses"),
                ",".join(countries),
                requirement or "",
                policy_text or "",
            ),
            "name": name,
            "aliases": aliases,
            "type": entity_type(record.text("type")),
            "addresses": tuple(addresses),
            "countries": tuple(dict.fromkeys(countries)),
            "citation": citation or info.citation,
            "from": effective_from(iso_date(record.text("start_date"), "start_date"), citation),
            "until": iso_date(record.text("end_date"), "end_date"),
            "programs": tuple(record.values("programs")),
            "note": _note(record),
        }
        if requirement is not None:
            values["requirement"] = requirement
            values["requirement_scope"] = parse_requirement_scope(requirement)
            values["footnotes"] = parse_footnotes(requirement)
        elif info.effect is ListEffect.PER_ENTRY:
            values["requirement_scope"] = RequirementScope.UNKNOWN
        if policy_text is not None:
            values["policy_text"] = policy_text
            values["policy"] = entry_policy(info, policy_text)
        builder.add(make_entry(values))

    def finish(
        self, now: dt.datetime, as_of: dt.date | None
    ) -> list[tuple[str, ScreeningListFile]]:
        newest = max((b.newest for b in self.builders.values() if b.newest), default=None)
        files = []
        for source, builder in self.builders.items():
            if builder.merged:
                self.warnings.append(
                    f"{self.raw.name}: {len(builder.merged)} records of {builder.info.name} repeat "
                    f"an id (the official _id or, without one, list, name and addresses) and were "
                    f"merged into one entry each "
                    f"({', '.join(sorted(set(builder.merged))[:5])})"
                )
            count = self.unknown.get(source)
            if count:
                self.warnings.append(
                    f"{self.raw.name}: {count} rows of the unknown list {source!r} imported as "
                    f"{builder.info.id}: licence-required, review policy unknown"
                )
            files.append(
                (
                    builder.file_name,
                    ScreeningListFile(
                        kind="screening-list",
                        title=builder.info.name,
                        source=Source(
                            file=self.raw.name,
                            sha256=self.raw.sha256,
                            imported_at=now,
                            as_of=as_of or newest,
                            format=self.raw.format.value,
                            rows_read=self.sink.read,
                        ),
                        list=builder.info,
                        rules=tuple(builder.entries.values()),
                    ),
                )
            )
        if self.hashed and self.raw.format is Format.CSL_CSV:
            self.warnings.append(
                f"{self.raw.name}: {self.hashed} records have no _id; their ids are hashes"
            )
        return files


def _rows(raw: RawInput, sink: RowSink) -> Iterator[tuple[int, list[str], list[str]]]:
    """(first physical line, header, row) for every CSV record; bad rows go to the sink."""
    reader = csv.reader(io.StringIO(raw.text, newline=""))
    header = [h.strip() for h in next(reader)]
    width = len(header)
    for start, row in csv_records(reader, lambda: reader.line_num, sink, reader.line_num):
        if len(row) == 1 and not row[0].strip():
            continue  # a blank line is no record
        if [c.strip() for c in row] == header:
            sink.bad(start, "the header line is repeated")
        elif len(row) != width:
            sink.bad(start, f"{len(row)} of {width} fields: the row is cut off or malformed")
        else:
            yield start, header, row


def import_csl_csv(
    raw: RawInput, sink: RowSink, warnings: list[str], now: dt.datetime
) -> list[tuple[str, ScreeningListFile]]:
    job = CslImport(raw, sink, warnings)
    for line, header, row in _rows(raw, sink):
        data = dict(zip(header, row, strict=True))
        try:
            job.add(_Record(data), data.get("_id", ""))
        except RowError as exc:
            sink.bad(line, exc.message, field=exc.field)
        else:
            sink.ok()
    return job.finish(now, None)


def _json_records(
    raw: RawInput, sink: RowSink, add: Callable[[Mapping[str, Any]], None], records: Any
) -> None:
    if not isinstance(records, list):
        raise RowError("expected a list of records")
    for number, record in enumerate(records, 1):
        try:
            if not isinstance(record, Mapping):
                raise RowError("not an object")
            add(record)
        except RowError as exc:
            sink.bad(None, f"record {number}: {exc.message}", field=exc.field)
        else:
            sink.ok()


def import_csl_json(
    raw: RawInput, sink: RowSink, warnings: list[str], now: dt.datetime
) -> list[tuple[str, ScreeningListFile]]:
    job = CslImport(raw, sink, warnings)
    document = raw.document
    records = document.get("results") if isinstance(document, Mapping) else document

    def add(record: Mapping[str, Any]) -> None:
        official = record.get("_id", record.get("id", ""))
        job.add(_Record(record), str(official or ""))

    _json_records(raw, sink, add, records)
    return job.finish(now, None)


def _table(tables: Mapping[str, Any], name: str, index: Any) -> str:
    if index is None:
        return ""
    try:
        return str(tables[name][int(index)])
    except (KeyError, IndexError, TypeError, ValueError):
        raise RowError(f"index {index!r} is not in tables.{name}") from None


def import_csl_compact(
    raw: RawInput, sink: RowSink, warnings: list[str], now: dt.datetime
) -> list[tuple[str, ScreeningListFile]]:
    job = CslImport(raw, sink, warnings)
    document = raw.document
    tables = document.get("tables") or {}

    def add(item: Mapping[str, Any]) -> None:
        record = {
            "source": _table(tables, "sources", item.get("s")),
            "name": item.get("n") or "",
            "alt_names": list(item.get("a") or []),
            "type": item.get("t") or "",
            "programs": _table(tables, "programmes", item.get("pg")),
            "federal_register_notice": item.get("fr") or "",
            "license_requirement": _table(tables, "licenceRequirements", item.get("lr")),
            "license_policy": _table(tables, "licencePolicies", item.get("lp")),
        }
        countries = []
        for code in item.get("c") or []:
            country = country_of(str(code))
            if country is None:
                unplaced[str(code)] = unplaced.get(str(code), 0) + 1
            else:
                countries.append(country)
        job.add(_Record(record), str(item.get("e") or ""), countries)

    unplaced: dict[str, int] = {}
    _json_records(raw, sink, add, document.get("entries"))
    if unplaced:
        warnings.append(
            f"{raw.name}: country values that name no country were left out: "
            + ", ".join(f"{code!r} ({count})" for code, count in sorted(unplaced.items()))
        )
    generated = document.get("sourceGeneratedAt")
    as_of = None
    if isinstance(generated, str):
        try:
            as_of = dt.date.fromisoformat(generated[:10])
        except ValueError:
            as_of = None
    if job.hashed:
        warnings.append(
            f"{raw.name}: the compact JSON carries no _id for {job.hashed} BIS and State records; "
            "their ids are hashes of list, name, countries and licence texts, unlike the CSV's"
        )
    return job.finish(now, as_of)


__all__ = ["CSL_COLUMNS", "CslImport", "import_csl_compact", "import_csl_csv", "import_csl_json"]
