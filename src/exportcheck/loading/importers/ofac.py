"""OFAC's legacy SDN CSV set: ``sdn.csv`` with the optional ``alt.csv``, ``add.csv`` and
``sdn_comments.csv`` joined to it by ``ent_num``.

The files have no header, CRLF line ends, ``-0- `` for an empty value and a last line holding a
single Ctrl-Z byte, which is not a record. Entry ids are ``ofac-sdn-<ent_num>``; names are kept
as written ("LAST, First"). The files carry no date, so the list's as-of date is unknown.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from typing import Any

from exportcheck.domain.listmeaning import LIST_MEANINGS
from exportcheck.domain.rules import Address, ListEntry, ScreeningListFile, Source
from exportcheck.loading.importers._common import (
    RowError,
    RowSink,
    clean,
    country_of,
    csv_records,
    entity_type,
    make_entry,
)
from exportcheck.loading.importers.detect import Format, RawInput

_WIDTH = {
    Format.OFAC_SDN: 12,
    Format.OFAC_ALT: 5,
    Format.OFAC_ADD: 6,
    Format.OFAC_COMMENTS: 2,
}
_EOF = "\x1a"


def _value(text: str) -> str:
    value = text.strip()
    return "" if value == "-0-" else value


def _rows(raw: RawInput, sink: RowSink) -> Iterator[tuple[int, int, list[str]]]:
    """(physical line, ent_num, values with nulls emptied) for every record."""
    width = _WIDTH[raw.format]
    reader = csv.reader(io.StringIO(raw.text, newline=""))
    for start, row in csv_records(reader, lambda: reader.line_num, sink, 0):
        if len(row) == 1 and row[0].strip() in ("", _EOF):
            continue  # blank line, or the DOS end-of-file mark
        if len(row) != width:
            sink.bad(start, f"{len(row)} of {width} fields: the row is cut off or malformed")
            continue
        number = row[0].strip()
        if not number.isdigit():
            sink.bad(start, f"ent_num {number!r} is not a number", field="ent_num")
            continue
        yield start, int(number), [_value(v) for v in row]


class _Entity:
    __slots__ = ("addresses", "aliases", "remarks", "values")

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.aliases: list[str] = []
        self.addresses: list[Address] = []
        self.remarks: list[str] = []


def _address(parts: list[str]) -> Address | None:
    street, city, country_text = clean(parts[2]), clean(parts[3]), clean(parts[4])
    country = country_of(country_text) if country_text else None
    text = ", ".join(p for p in (street, city, country_text) if p)
    if not text:
        return None
    only_country = country is not None and not (street or city)
    return Address(text=None if only_country else text, country=country)


def import_ofac(
    sdn: RawInput,
    extras: Sequence[RawInput],
    sinks: dict[str, RowSink],
    warnings: list[str],
    now: dt.datetime,
) -> list[tuple[str, ScreeningListFile]]:
    """The SDN list from one ``sdn.csv`` and the alias, address and comment files given with it."""
    info = LIST_MEANINGS["sdn"]
    entities: dict[int, _Entity] = {}
    sink = sinks[str(sdn.path)]
    for line, number, row in _rows(sdn, sink):
        name = clean(row[1])
        if not name:
            sink.bad(line, "no name", field="SDN_Name")
            continue
        if number in entities:
            sink.bad(line, f"ent_num {number} appears twice", field="ent_num")
            continue
        programs = tuple(
            p for p in (clean(x) for x in row[3].replace("] [", ";").strip("[]").split(";")) if p
        )
        vessel = [
            f"{label}: {clean(value)}"
            for label, value in zip(
                ("call sign", "vessel type", "tonnage", "GRT", "vessel flag", "vessel owner"),
                row[5:11],
                strict=True,
            )
            if clean(value)
        ]
        entities[number] = _Entity(
            {
                "id": f"ofac-sdn-{number}",
                "name": name,
                "type": entity_type(row[2] or "-0-"),
                "programs": programs,
                "citation": info.citation,
                "note": "; ".join(
                    [*([f"title: {clean(row[4])}"] if clean(row[4]) else []), *vessel]
                )
                or None,
            }
        )
        if clean(row[11]):
            entities[number].remarks.append(clean(row[11]))
        sink.ok()

    for extra in extras:
        extra_sink = sinks[str(extra.path)]
        for line, number, row in _rows(extra, extra_sink):
            entity = entities.get(number)
            if entity is None:
                extra_sink.bad(line, f"ent_num {number} is not in {sdn.name}", field="ent_num")
                continue
            if extra.format is Format.OFAC_ALT:
                alias = clean(row[3])
                if alias:
                    entity.aliases.append(alias)
            elif extra.format is Format.OFAC_ADD:
                address = _address(row)
                if address is not None:
                    entity.addresses.append(address)
            else:
                # The continuation of a Remarks value that was cut off: joined without a space.
                if entity.remarks:
                    entity.remarks[-1] += row[1]
                else:
                    entity.remarks.append(clean(row[1]))
            extra_sink.ok()

    rules: list[ListEntry] = []
    for number, entity in entities.items():
        values = entity.values
        seen = {values["name"].casefold()}
        aliases = []
        for alias in entity.aliases:
            if alias.casefold() not in seen:
                seen.add(alias.casefold())
                aliases.append(alias)
        values["aliases"] = tuple(aliases)
        values["addresses"] = tuple(dict.fromkeys(entity.addresses))
        remarks = clean(" ".join(entity.remarks))
        if remarks:
            values["note"] = "; ".join(p for p in (values["note"], f"remarks: {remarks}") if p)
        try:
            rules.append(make_entry(values))
        except RowError as exc:  # pragma: no cover - every value was checked above
            raise RowError(f"ent_num {number}: {exc.message}", field=exc.field) from None
    names = [sdn.name, *(e.name for e in extras)]
    description = "Imported from " + ", ".join(
        f"{raw.name} (sha256 {raw.sha256})" for raw in (sdn, *extras)
    )
    read = sum(sinks[str(raw.path)].read for raw in (sdn, *extras))
    if not extras:
        warnings.append(
            f"{sdn.name}: imported without alt.csv and add.csv: no aliases or addresses"
        )
    return [
        (
            "ofac-sdn.yaml",
            ScreeningListFile(
                kind="screening-list",
                title=f"{info.name} ({' + '.join(names)})",
                description=description,
                source=Source(
                    file=sdn.name,
                    sha256=sdn.sha256,
                    imported_at=now,
                    as_of=None,
                    format=sdn.format.value,
                    rows_read=read,
                ),
                list=info,
                rules=tuple(rules),
            ),
        )
    ]
