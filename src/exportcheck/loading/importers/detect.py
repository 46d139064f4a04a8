"""Reading a list download (plain or gzip) and telling its format from its content."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import zlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from exportcheck.errors import InputError
from exportcheck.loading.yamlio import read_text

CSL_COLUMNS: tuple[str, ...] = (
    "_id",
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
)
CSL_COLUMNS_2019 = CSL_COLUMNS[1:]
DPL_COLUMNS: tuple[str, ...] = (
    "Name",
    "Street_Address",
    "City",
    "State",
    "Country",
    "Postal_Code",
    "Effective_Date",
    "Expiration_Date",
    "Standard_Order",
    "Last_Update",
    "Action",
    "FR_Citation",
)


class Format(StrEnum):
    """The official download formats ``exportcheck rules import`` reads."""

    CSL_CSV = "csl-csv"  # trade.gov CSL, 29 columns with _id (2022 onwards)
    CSL_CSV_2019 = "csl-csv-2019"  # the older 28-column layout without _id
    CSL_JSON = "csl-json"  # trade.gov API JSON: {"results": [...]} or a list of records
    CSL_COMPACT_JSON = "csl-compact-json"  # a compact re-encoding: {"tables", "entries"}
    OFAC_SDN = "ofac-sdn"  # sdn.csv: ent_num, SDN_Name, SDN_Type, Program, ... (12 columns)
    OFAC_ALT = "ofac-alt"  # alt.csv: ent_num, alt_num, alt_type, alt_name, alt_remarks
    OFAC_ADD = "ofac-add"  # add.csv: ent_num, add_num, address, city..., country, add_remarks
    OFAC_COMMENTS = "ofac-comments"  # sdn_comments.csv: ent_num, remarks_extended
    BIS_DPL = "bis-dpl"  # BIS Denied Persons List, tab-separated text


@dataclass(frozen=True)
class RawInput:
    """A download read into memory: its bytes as given (for the hash) and its text."""

    path: Path
    sha256: str
    text: str
    format: Format
    # The parsed document of a JSON download (parsed once, while sniffing).
    document: Any = None

    @property
    def name(self) -> str:
        return self.path.name


def _unpack(path: Path, data: bytes) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"damaged gzip file: {exc}", path=str(path)) from None


def _decode(path: Path, data: bytes) -> str:
    return read_text(path, data, hint="official list downloads are UTF-8 or ASCII")


def _first_line(text: str) -> str:
    end = text.find("\n")
    return (text if end < 0 else text[:end]).rstrip("\r")


def _sniff(path: Path, text: str) -> tuple[Format, Any]:
    head = text.lstrip()[:1]
    if head in "{[" and head:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"malformed JSON: {exc.msg}", path=str(path), line=exc.lineno
            ) from None
        if isinstance(document, dict) and "entries" in document and "tables" in document:
            return Format.CSL_COMPACT_JSON, document
        records = document.get("results") if isinstance(document, dict) else document
        if isinstance(records, list) and all(
            isinstance(r, dict) and "name" in r and "source" in r for r in records[:50]
        ):
            return Format.CSL_JSON, document
        raise InputError(
            "JSON that is not a Consolidated Screening List download "
            '(expected {"results": [...]} with source and name fields)',
            path=str(path),
        )
    first = _first_line(text)
    if not first.strip():
        raise InputError("the file is empty", path=str(path), line=1)
    if "\t" in first:
        header = next(csv.reader([first], delimiter="\t"))
        if tuple(h.strip() for h in header) == DPL_COLUMNS:
            return Format.BIS_DPL, None
    header = next(csv.reader([first]))
    columns = tuple(h.strip().casefold() for h in header)
    if columns == CSL_COLUMNS:
        return Format.CSL_CSV, None
    if columns == CSL_COLUMNS_2019:
        return Format.CSL_CSV_2019, None
    if {"source", "name"} <= set(columns):
        return (Format.CSL_CSV if "_id" in columns else Format.CSL_CSV_2019), None
    if header and header[0].strip().isdigit():
        count = len(header)
        if count == 12:
            return Format.OFAC_SDN, None
        if count == 5 and header[2].strip().strip('"').casefold() in ("aka", "fka", "nka"):
            return Format.OFAC_ALT, None
        if count == 6:
            return Format.OFAC_ADD, None
        if count == 2:
            return Format.OFAC_COMMENTS, None
    raise InputError(
        "unrecognised list format: expected a CSL CSV or JSON download, an OFAC legacy CSV "
        "(sdn.csv, alt.csv, add.csv, sdn_comments.csv) or the BIS Denied Persons List text file",
        path=str(path),
        line=1,
    )


def read_input(path: Path) -> RawInput:
    """Read, unpack, decode and identify one download."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=str(path)) from None
    sha256 = hashlib.sha256(data).hexdigest()
    text = _decode(path, _unpack(path, data))
    found, document = _sniff(path, text)
    return RawInput(path=path, sha256=sha256, text=text, format=found, document=document)


def detect_format(path: Path) -> Format:
    """The format of a download, told from its content (never from its name)."""
    return read_input(path).format
