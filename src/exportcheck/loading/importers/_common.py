"""Shared pieces of the list importers: results, bad-row handling, text clean-up and entries."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from exportcheck.domain.countries import is_country_code, resolve_country
from exportcheck.domain.listmeaning import FR_CITATION
from exportcheck.domain.rules import (
    Address,
    ListEntry,
    ReviewPolicy,
    ScreeningListFile,
    ScreeningListInfo,
)
from exportcheck.errors import InputError

EntityType = Literal["entity", "individual", "vessel", "aircraft"]


@dataclass(frozen=True)
class SkippedRow:
    """A row that was not imported, and why (only with ``skip_bad_rows``)."""

    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.reason}"


@dataclass
class ImportResult:
    """What an import produced: one rule file per source list, and the row counts.

    ``read == imported + skipped`` always; ``warnings`` says what was imported but deserves a
    look (an unknown list, merged duplicate records, addresses without a country, ...).
    """

    files: list[tuple[str, ScreeningListFile]] = field(default_factory=list)
    read: int = 0
    imported: int = 0
    skipped: int = 0
    skipped_rows: list[SkippedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def entries(self) -> int:
        return sum(len(rule_file.rules) for _, rule_file in self.files)


class RowError(Exception):
    """One row cannot be imported; the reader adds the file and line."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RowSink:
    """Counts rows and decides what a bad row does: stop the import, or be listed as skipped."""

    def __init__(self, path: str, name: str, *, skip_bad_rows: bool) -> None:
        self.path = path
        self.name = name
        self.skip_bad_rows = skip_bad_rows
        self.read = 0
        self.imported = 0
        self.skipped: list[SkippedRow] = []

    def ok(self) -> None:
        self.read += 1
        self.imported += 1

    def bad(self, line: int | None, message: str, *, field: str | None = None) -> None:
        self.read += 1
        if not self.skip_bad_rows:
            raise InputError(
                message,
                path=self.path,
                line=line,
                field=field,
                hint="--skip-bad-rows imports the other rows and lists the skipped ones",
            )
        reason = f"{field}: {message}" if field else message
        self.skipped.append(SkippedRow(self.name, line, reason))


# --- text --------------------------------------------------------------------------------------

_C1 = re.compile("[\x80-\x9f]")
_SPACE = re.compile(r"\s+")


def _cp1252(match: re.Match[str]) -> str:
    # Windows-1252 punctuation that survived as a C1 control character (Xi\x92an -> Xi'an).
    try:
        return bytes([ord(match.group())]).decode("cp1252")
    except UnicodeDecodeError:
        return " "


def clean(text: str | None) -> str:
    """Whitespace collapsed and trimmed, C1 control characters read as Windows-1252."""
    if not text:
        return ""
    if _C1.search(text):
        text = _C1.sub(_cp1252, text)
    return _SPACE.sub(" ", text).strip()


def drop_and(text: str) -> str:
    """The English "and" BIS leaves before the last item of a list."""
    return text[4:].lstrip() if text.startswith("and ") else text


def split_values(text: str | None) -> list[str]:
    """A ``"; "``-separated CSL cell as clean values."""
    if not text:
        return []
    values = []
    for part in text.split(";"):
        value = drop_and(clean(part))
        if value:
            values.append(value)
    return values


_AFFILIATED = re.compile(r"\.?\s*\baffiliated entit(?:y|ies)\s*:\s*", re.IGNORECASE)
_TRAILING_PAREN = re.compile(r"^(?P<base>.*\S)\s*\((?P<short>[^()]+)\)\s*\.?$")
_AKA = re.compile(r"^(?:a\.?k\.?a\.?|f\.?k\.?a\.?|n\.?k\.?a\.?)\s*[:,]?\s*", re.IGNORECASE)


def _name_variants(name: str) -> list[str]:
    variants = [name]
    match = _TRAILING_PAREN.match(name)
    if match:
        variants.append(match.group("base").rstrip(" ,"))
        short = _AKA.sub("", match.group("short").strip())
        if short and not short.casefold().startswith(("see ", "and ")):
            variants.append(short)
    return variants


def names_and_aliases(name: str, alt_names: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    """The primary name as written (cleaned) and every alias the record gives or implies.

    Implied aliases: each part of an "X. Affiliated Entity: Y" name, the parts of a
    ``;``-joined name (without "and any successor ..."), and a name with and without its
    trailing parenthetical short name ("... (Huawei)" gives "..." and "Huawei").
    """
    primary = clean(name)
    candidates: list[str] = []
    parts = [primary]
    if ";" in primary:
        parts = [p for p in split_values(primary) if not p.casefold().startswith("any ")]
    expanded: list[str] = []
    for part in parts:
        expanded.extend(p.strip() for p in _AFFILIATED.split(part) if p.strip(" ."))
    for part in expanded:
        candidates.extend(_name_variants(part))
    for alias in alt_names:
        candidates.extend(_name_variants(drop_and(clean(alias))))
    seen = {primary.casefold()}
    aliases: list[str] = []
    for candidate in candidates:
        key = candidate.casefold()
        if candidate and key not in seen:
            seen.add(key)
            aliases.append(candidate)
    return primary, tuple(aliases)


# --- countries and addresses -------------------------------------------------------------------

_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP"
)
US_STATES = frozenset(_STATES.split(" "))
# ZIP codes lose their leading zero in some BIS rows ("NH, 3801").
_ZIP = re.compile(r"^\d{4,5}(?:-\d{4})?$")
_HAS_DIGIT = re.compile(r"\d")
_TRAILING_POSTAL = re.compile(r"[\s\d-]+$")
_COUNTRY_WORDS = re.compile(r"^[A-Za-z][A-Za-z .,'()&-]*$")


# Country names and regions the lists write that are not ISO short names. Disputed regions
# (Kafia Kingi, Kashmir) and retired codes (Netherlands Antilles) are left without a country.
_LIST_COUNTRIES: dict[str, str] = {
    "uk": "GB",
    "palestinian": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "gaza strip": "PS",
    "north gaza": "PS",
    "northern gaza": "PS",
    "the gambia": "GM",
    "gambia, the": "GM",
    "cote d ivoire": "CI",
    "north macedonia, the republic of": "MK",
    "congo, republic of the": "CG",
    "bahamas, the": "BS",
    "man, isle of": "IM",
    "crimea": "UA",
    "crimea (occupied)": "UA",
    "northern mali": "ML",
}
_REGION = re.compile(r"^region:\s*", re.IGNORECASE)


def country_of(text: str) -> str | None:
    """The ISO-2 code a place name or code stands for, or None.

    Codes must be written in capitals (``CN``, ``RUS``) so that ordinary words are not read as
    codes; names are English short names (``Turkey``, ``Hong Kong``), OFAC's inverted names
    (``Bahamas, The``) and regions (``Region: Crimea``).
    """
    value = _REGION.sub("", text.strip().rstrip("."))
    if not value or not _COUNTRY_WORDS.match(value):
        return None
    if len(value) <= 3 and not value.isupper():
        return None
    if len(value) == 2 and is_country_code(value):
        return value
    folded = " ".join(value.casefold().split())
    if folded in _LIST_COUNTRIES:
        return _LIST_COUNTRIES[folded]
    if len(value) == 2:
        return None
    try:
        return resolve_country(value)
    except ValueError:
        return None


_ADDRESS_CACHE: dict[str, Address] = {}


def parse_address(text: str) -> Address | None:
    """A CSL address part: the text as written and the country it ends with.

    The country is the last comma-separated part when that is an ISO-2 code or a country name;
    a US address written ``..., STATE, ZIP`` without a country is in the US. An address that is
    only a country (``HK``) keeps no text.
    """
    cached = _ADDRESS_CACHE.get(text)
    if cached is not None:
        return cached
    value = drop_and(clean(text)).rstrip(" ,;")
    if not value:
        return None
    pieces = [p.strip() for p in value.split(",") if p.strip()]
    country = country_of(pieces[-1]) if pieces else None
    if country is None and pieces and _HAS_DIGIT.search(pieces[-1]):
        if len(pieces) >= 2 and _ZIP.match(pieces[-1]) and pieces[-2] in US_STATES:
            country = "US"  # "..., PORTSMOUTH, NH, 3801": a US address without its country
        elif len(pieces) >= 2 and len(pieces[-2]) > 3:
            country = country_of(pieces[-2])  # "..., Moscow, Russia, 123456"
        if country is None:
            # "..., Chengdu, China 610036": a postal code after the country name
            head = _TRAILING_POSTAL.sub("", pieces[-1])
            country = country_of(head) if len(head) > 3 else None
    only_country = country is not None and len(pieces) == 1
    address = Address(text=None if only_country else value, country=country)
    if len(_ADDRESS_CACHE) < 200_000:
        _ADDRESS_CACHE[text] = address
    return address


# --- citations, dates, ids ---------------------------------------------------------------------


def normalise_citations(text: str | None) -> str | None:
    """Federal Register citations as ``84 FR 22963; 85 FR 51603`` (in order, without repeats);
    text with no ``NN FR NNNN`` citation is kept, cleaned."""
    if not text:
        return None
    found = [f"{volume} FR {page}" for volume, page in FR_CITATION.findall(text)]
    if found:
        return "; ".join(dict.fromkeys(found))
    return clean(text) or None


def merge_citations(*citations: str | None) -> str | None:
    parts: list[str] = []
    for citation in citations:
        if citation:
            parts.extend(p.strip() for p in citation.split(";") if p.strip())
    return "; ".join(dict.fromkeys(parts)) or None


def iso_date(text: str | None, field: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` date (time parts ignored), or None when empty."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise RowError(f"not a date: {value!r} (expected YYYY-MM-DD)", field=field) from None


def us_date(text: str | None, field: str) -> dt.date | None:
    """A ``MM/DD/YYYY`` date, or None when empty."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%m/%d/%Y").date()
    except ValueError:
        raise RowError(f"not a date: {value!r} (expected MM/DD/YYYY)", field=field) from None


def short_hash(*parts: str) -> str:
    """A stable 20-hex-digit id from the parts (for records that carry no official id)."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8"), usedforsecurity=False)
    return digest.hexdigest()[:20]


_TYPES: dict[str, EntityType] = {
    "entity": "entity",
    "individual": "individual",
    "vessel": "vessel",
    "aircraft": "aircraft",
    "-0-": "entity",  # OFAC's legacy files write entities as a null type
}


def entity_type(text: str | None) -> EntityType | None:
    return _TYPES.get(clean(text).casefold()) if text else None


# --- entries -----------------------------------------------------------------------------------


def make_entry(values: dict[str, Any]) -> ListEntry:
    """Validate an entry; a value the rule-file schema refuses makes the row bad."""
    try:
        return ListEntry.model_validate(values)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in error["loc"]) or None
        raise RowError(error["msg"], field=where) from None


def merge_entries(first: ListEntry, second: ListEntry) -> ListEntry:
    """One entry from two records with the same official id: names and addresses united."""
    aliases = [a for a in (*first.aliases, second.name, *second.aliases) if a != first.name]
    return first.model_copy(
        update={
            "aliases": tuple(dict.fromkeys(aliases)),
            "addresses": tuple(dict.fromkeys((*first.addresses, *second.addresses))),
            "countries": tuple(dict.fromkeys((*first.countries, *second.countries))),
            "programs": tuple(dict.fromkeys((*first.programs, *second.programs))),
            "citation": merge_citations(first.citation, second.citation) or first.citation,
            "policy": _stricter(first.policy, second.policy),
        }
    )


def _stricter(first: ReviewPolicy | None, second: ReviewPolicy | None) -> ReviewPolicy | None:
    if first is None or second is None:
        return first or second
    return max(first, second, key=lambda policy: policy.restrictiveness)


class ListBuilder:
    """Collects the entries of one source list, merging records that repeat an official id."""

    def __init__(self, info: ScreeningListInfo, file_name: str, source_label: str) -> None:
        self.info = info
        self.file_name = file_name
        self.source_label = source_label
        self.entries: dict[str, ListEntry] = {}
        self.merged: list[str] = []
        self.newest: dt.date | None = None

    def add(self, entry: ListEntry) -> None:
        previous = self.entries.get(entry.id)
        if previous is None:
            self.entries[entry.id] = entry
        else:
            self.entries[entry.id] = merge_entries(previous, entry)
            self.merged.append(entry.id)
        if entry.from_ is not None and (self.newest is None or entry.from_ > self.newest):
            self.newest = entry.from_


def csv_records(
    reader: Iterator[list[str]],
    line_num: Callable[[], int],
    sink: RowSink,
    start_line: int,
    *,
    malformed: str = "malformed CSV",
) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells) for every non-blank CSV record after ``start_line``.

    A record the csv module cannot parse goes to the sink with its line (as ``malformed``: the
    csv module's words); the caller checks the cells it gets (field counts, repeated headers)
    and keeps its own blank-line rules.
    """
    end = start_line
    while True:
        start = end + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            end = line_num()
            sink.bad(start, f"{malformed}: {exc}")
            continue
        end = line_num()
        if row:
            yield start, row
