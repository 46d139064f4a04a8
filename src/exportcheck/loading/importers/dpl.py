"""The BIS Denied Persons List in BIS's own tab-separated text format.

One row per address: rows with the same name and effective date are one denial order and become
one entry, ``dpl-<hash of name and effective date>``, with all their addresses. ``Country`` is
the ISO-2 code (``CA`` is Canada); when it is empty and ``State`` holds a US state code the
address is in the US (``CA`` there is California).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from exportcheck.domain.listmeaning import LIST_MEANINGS
from exportcheck.domain.rules import Address, ScreeningListFile, Source
from exportcheck.loading.importers._common import (
    US_STATES,
    RowError,
    RowSink,
    clean,
    country_of,
    csv_records,
    make_entry,
    merge_citations,
    normalise_citations,
    short_hash,
    us_date,
)
from exportcheck.loading.importers.detect import DPL_COLUMNS, RawInput


def _address(row: dict[str, str], problems: list[str]) -> Address | None:
    street, city, state = clean(row["Street_Address"]), clean(row["City"]), clean(row["State"])
    country_text, postal = clean(row["Country"]), clean(row["Postal_Code"])
    country = None
    if country_text:
        country = country_of(country_text)
        if country is None and country_text.upper() in US_STATES:
            country = "US"  # a US state written in the Country column ("NM")
            problems.append(f"Country {country_text!r} read as the US state")
        elif country is None:
            problems.append(f"unknown Country {country_text!r} kept as text, without a country")
    elif state.upper() in US_STATES:
        country = "US"
    text = ", ".join(p for p in (street, city, state, postal, country_text) if p)
    if not text:
        return None
    return Address(text=text if (street or city or state or postal) else None, country=country)


def import_dpl(
    raw: RawInput, sink: RowSink, warnings: list[str], now: dt.datetime
) -> list[tuple[str, ScreeningListFile]]:
    info = LIST_MEANINGS["denied-persons"]
    reader = csv.reader(io.StringIO(raw.text, newline=""), delimiter="\t")
    header = [h.strip() for h in next(reader)]
    width = len(DPL_COLUMNS)
    orders: dict[tuple[str, dt.date | None], dict[str, Any]] = {}
    newest: dt.date | None = None
    records = csv_records(
        reader, lambda: reader.line_num, sink, reader.line_num, malformed="malformed line"
    )
    for start, cells in records:
        if len(cells) == 1 and not cells[0].strip():
            continue
        if [c.strip() for c in cells] == header:
            sink.bad(start, "the header line is repeated")
            continue
        if len(cells) != width:
            sink.bad(start, f"{len(cells)} of {width} fields: the row is cut off or malformed")
            continue
        row = dict(zip(DPL_COLUMNS, cells, strict=True))
        try:
            name = clean(row["Name"])
            if not name:
                raise RowError("no name", field="Name")
            effective = us_date(row["Effective_Date"], "Effective_Date")
            expires = us_date(row["Expiration_Date"], "Expiration_Date")
            problems: list[str] = []
            address = _address(row, problems)
        except RowError as exc:
            sink.bad(start, exc.message, field=exc.field)
            continue
        warnings.extend(f"{raw.name}:{start}: {problem}" for problem in problems)
        citation = normalise_citations(row["FR_Citation"])
        update = " ".join(p for p in (clean(row["Last_Update"]), clean(row["Action"])) if p)
        key = (name.casefold(), effective)
        order = orders.get(key)
        if order is None:
            order = orders[key] = {
                "id": f"dpl-{short_hash(name.casefold(), str(effective))}",
                "name": name,
                "from": effective,
                "until": expires,
                "addresses": [],
                "citation": citation,
                "notes": [],
            }
        else:
            if expires is not None and (order["until"] is None or expires > order["until"]):
                order["until"] = expires  # the longer order wins: a denial is never cut short
            order["citation"] = merge_citations(order["citation"], citation)
        if address is not None and address not in order["addresses"]:
            order["addresses"].append(address)
        if clean(row["Standard_Order"]):
            standard = f"standard order: {clean(row['Standard_Order'])}"
            if standard not in order["notes"]:
                order["notes"].append(standard)
        if update and f"last update: {update}" not in order["notes"]:
            order["notes"].append(f"last update: {update}")
        if effective is not None and (newest is None or effective > newest):
            newest = effective
        sink.ok()
    rules = []
    for order in orders.values():
        notes = order.pop("notes")
        order["note"] = "; ".join(notes) or None
        order["addresses"] = tuple(order["addresses"])
        order["citation"] = order["citation"] or info.citation
        rules.append(make_entry(order))
    return [
        (
            "bis-dpl.yaml",
            ScreeningListFile(
                kind="screening-list",
                title=info.name,
                source=Source(
                    file=raw.name,
                    sha256=raw.sha256,
                    imported_at=now,
                    as_of=newest,
                    format=raw.format.value,
                    rows_read=sink.read,
                ),
                list=info,
                rules=tuple(rules),
            ),
        )
    ]
