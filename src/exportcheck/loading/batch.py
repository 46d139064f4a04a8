"""Reading CSV batches of sales: streaming, encodings, delimiters, and each row turned into a sale.

The reader holds one block of about a thousand lines at a time (cut where a record ends, so a
worker process can parse it); a row that cannot become a sale raises ``RowError`` naming the
column, so the caller can report it and carry on with the next row.
Problems of the whole file (no header, a missing required column, bytes that are not in the
encoding, broken quoting) raise ``InputError`` with the file and line.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import math
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, NamedTuple, TypeVar

from pydantic import BaseModel

from exportcheck.domain.countries import resolve_country
from exportcheck.domain.eccn import normalise_eccn
from exportcheck.domain.results import OUTPUT_COLUMNS
from exportcheck.domain.sale import Item, Party, Purpose, Role, Sale
from exportcheck.errors import InputError

STDIN = "-"

# The parties a row may name, as (name column, country column, role).
PARTY_COLUMNS: tuple[tuple[str, str, Role], ...] = (
    ("buyer", "buyer_country", Role.BUYER),
    ("consignee", "consignee_country", Role.CONSIGNEE),
    ("end_user", "end_user_country", Role.END_USER),
)
ITEM_COLUMNS = (
    "description",
    "classification",
    "origin",
    "value",
    "us_content_percent",
    "purpose",
    "existing_since",
    "direct_product",
)
KNOWN_COLUMNS: tuple[str, ...] = (
    "id",
    "date",
    *(column for name, country, _ in PARTY_COLUMNS for column in (name, country)),
    *ITEM_COLUMNS,
)
REQUIRED_COLUMNS = ("id", "date", "origin", "value")
_PARTY_CELLS = frozenset(column for *columns, _ in PARTY_COLUMNS for column in columns)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
# A decimal comma is accepted only where it cannot be a thousands separator (not 3 digits after).
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,(?:\d{1,2}|\d{4,})$")
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})
_UTF8_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def canonical_column(name: str) -> str:
    """How a header cell is compared with the known columns: case, spaces and hyphens ignored."""
    return "_".join(name.strip().lower().replace("-", " ").split())


class RowError(ValueError):
    """A row that cannot be screened; ``column`` names the cell at fault (None: the whole row)."""

    def __init__(self, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return f"{self.column}: {self.message}" if self.column else self.message

    def __reduce__(self) -> tuple[type[RowError], tuple[str, str | None]]:
        return (RowError, (self.message, self.column))


@dataclass(frozen=True, slots=True)
class Columns:
    """Where the known columns sit in a header, and how many cells a row must have."""

    header: tuple[str, ...]
    positions: tuple[tuple[str, int], ...]  # (canonical name, index) of every known column

    def fields(self, values: list[str]) -> dict[str, str]:
        """The known cells of a row; raises RowError when the row is ragged."""
        if len(values) != len(self.header):
            raise RowError(
                f"ragged row: {len(values)} fields where the header has {len(self.header)} "
                "(check the delimiter and the quoting of this line)"
            )
        return {name: values[index] for name, index in self.positions}


def read_header(cells: list[str], *, path: str) -> Columns:
    """Check a header row: the required columns are there and no known column appears twice."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = canonical_column(cell)
        if name in OUTPUT_COLUMNS:
            raise InputError(
                f"column {cell!r} is one that batch output adds: rename or drop it "
                "(was this file already screened?)",
                path=path,
                line=1,
            )
        if name not in KNOWN_COLUMNS:
            continue  # passed through untouched
        if name in positions:
            raise InputError(
                f"column {name!r} appears twice (column names are case-insensitive)",
                path=path,
                line=1,
            )
        positions[name] = index
    for required in REQUIRED_COLUMNS:
        if required not in positions:
            raise InputError(
                f"missing column {required!r}: a batch needs id, date, origin, value and at "
                "least one party with its country (buyer and buyer_country, ...)",
                path=path,
                line=1,
            )
    for name, country, _ in PARTY_COLUMNS:
        if (name in positions) != (country in positions):
            present, absent = (name, country) if name in positions else (country, name)
            raise InputError(
                f"column {present!r} needs column {absent!r} as well", path=path, line=1
            )
    if not any(name in positions for name, _, _ in PARTY_COLUMNS):
        raise InputError(
            "no party columns: give at least buyer and buyer_country "
            "(or consignee / end_user with their _country columns)",
            path=path,
            line=1,
        )
    ordered = tuple(sorted(positions.items(), key=lambda item: item[1]))
    return Columns(header=tuple(cells), positions=ordered)


# --- cells -> a sale ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _country(text: str) -> str:
    return resolve_country(text)


@functools.lru_cache(maxsize=8192)
def _date(text: str) -> dt.date:
    if not _DATE.match(text):
        raise ValueError
    return dt.date.fromisoformat(text)


@functools.lru_cache(maxsize=4096)
def _eccn(text: str) -> str:
    return normalise_eccn(text)


@functools.lru_cache(maxsize=65536)
def _party(role: Role, name: str, country: str) -> Party:
    # Counterparties recur row after row; a validated party is immutable and can be shared.
    return Party.model_validate({"role": role, "name": name, "country": country})


@functools.lru_cache(maxsize=64)
def _purpose(text: str) -> Purpose:
    return Purpose("-".join(text.lower().replace("_", " ").split()))


def parse_number(text: str) -> float:
    """A number as spreadsheets export it: ``1234.5``, ``-3``, ``1e6``, or ``12,5``.

    Thousands separators are refused rather than guessed: ``1,234`` could be either.
    """
    if _NUMBER.match(text):
        number = float(text)
    elif _DECIMAL_COMMA.match(text):
        number = float(text.replace(",", "."))
    else:
        raise ValueError(
            f"{text!r} is not a number: write digits with a '.' decimal point and no currency "
            "sign or thousands separators, e.g. 1234.56"
        )
    if not math.isfinite(number):
        raise ValueError(f"{text!r} is not a finite number")
    return number


class _Row:
    """The cells of one row being read, and the problems found so far."""

    __slots__ = ("cells", "problems")

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.cells = {key: value.strip() for key, value in fields.items() if value}
        self.problems: list[RowError] = []

    def problem(self, message: str, column: str | None) -> None:
        self.problems.append(RowError(message, column))

    def date(self, column: str, *, required: bool) -> dt.date | None:
        text = self.cells.get(column, "")
        if not text:
            if required:
                self.problem("required value is missing", column)
            return None
        try:
            return _date(text)
        except ValueError:
            self.problem(f"{text!r} is not a valid date (YYYY-MM-DD)", column)
            return None

    def country(self, column: str, text: str) -> str | None:
        try:
            return _country(text)
        except ValueError as exc:
            self.problem(str(exc), column)
            return None

    def number(self, column: str) -> float | None:
        text = self.cells.get(column, "")
        if not text:
            return None
        try:
            if column.endswith("percent"):
                text = text.removesuffix("%").rstrip()
            return parse_number(text)
        except ValueError as exc:
            self.problem(str(exc), column)
            return None


def sale_from_fields(fields: Mapping[str, str]) -> Sale:
    """The sale of one row, from its cells keyed by canonical column name.

    Every problem of the row is collected; a RowError says them all, each naming its column.
    """
    row = _Row(fields)
    cells = row.cells
    sale_id = cells.get("id", "")
    if not sale_id:
        row.problem("required value is missing", "id")
    date = row.date("date", required=True)
    parties: list[Party] = []
    for name_column, country_column, role in PARTY_COLUMNS:
        name = cells.get(name_column, "")
        country_text = cells.get(country_column, "")
        if not name and not country_text:
            continue
        if not name:
            # A destination without its party would be silently dropped: refuse it.
            row.problem(f"required when {country_column} is given", name_column)
        elif not country_text:
            row.problem(f"required when {name_column} is given", country_column)
        else:
            country = row.country(country_column, country_text)
            if country is not None:
                parties.append(_party(role, name, country))
    if not parties and not any(p.column in _PARTY_CELLS for p in row.problems):
        row.problem("at least one party with its country is required", PARTY_COLUMNS[0][0])
    item: dict[str, object] = {}
    description = cells.get("description")
    if description:
        item["description"] = description
    classification = cells.get("classification")
    if classification:
        try:
            item["classification"] = _eccn(classification)
        except ValueError as exc:
            row.problem(str(exc), "classification")
    origin = cells.get("origin")
    if origin:
        item["origin"] = row.country("origin", origin)
    else:
        row.problem("required value is missing", "origin")
    value = row.number("value")
    if value is not None:
        if value <= 0:
            row.problem(f"{cells['value']!r} must be greater than 0", "value")
        item["value"] = value
    elif "value" not in cells:
        row.problem("required value is missing", "value")
    percent = row.number("us_content_percent")
    if percent is not None:
        if not 0 <= percent <= 100:
            text = cells["us_content_percent"]
            row.problem(f"{text!r} is out of range (0-100)", "us_content_percent")
        item["us_content_percent"] = percent
    purpose = cells.get("purpose")
    if purpose:
        try:
            item["purpose"] = _purpose(purpose)
        except ValueError:
            choices = ", ".join(p.value for p in Purpose)
            row.problem(f"unknown purpose {purpose!r} (one of {choices})", "purpose")
    existing = row.date("existing_since", required=False)
    if existing is not None:
        item["existing_since"] = existing
    direct = cells.get("direct_product", "").lower()
    if direct:
        if direct in _TRUE:
            item["direct_product"] = True
        elif direct in _FALSE:
            item["direct_product"] = False
        else:
            row.problem(f"{direct!r} is not yes or no", "direct_product")
    if row.problems:
        if len(row.problems) == 1:
            raise row.problems[0]
        raise RowError("; ".join(str(p) for p in row.problems))
    # Every value was checked above as the models would check it, and is already what they
    # would make of it: a stripped non-empty id, a date, validated parties, a resolved origin, a
    # normalised ECCN, a finite value > 0, a finite percentage 0-100, a Purpose, a date, a bool.
    # Validating it all again would repeat that work row after row (a tenth of the batch's CPU);
    # tests/unit/test_batch_reader.py checks that the result equals the validated sale.
    items = (_construct(Item, item),)
    return _construct(
        Sale, {"id": sale_id, "date": date, "parties": tuple(parties), "items": items}
    )


_M = TypeVar("_M", bound=BaseModel)


@functools.cache
def _defaults(model: type[BaseModel]) -> dict[str, Any]:
    """Each field of a model in order with its default (None for required fields)."""
    return {
        name: None if field.is_required() else field.get_default(call_default_factory=True)
        for name, field in model.model_fields.items()
    }


def _construct(model: type[_M], values: dict[str, Any]) -> _M:
    """``model.model_construct(**values)`` for values already checked, without its generic
    per-field work: these models have no aliases, no post-init and only immutable defaults."""
    instance = model.__new__(model)
    _set = object.__setattr__
    _set(instance, "__dict__", {**_defaults(model), **values})
    _set(instance, "__pydantic_fields_set__", set(values))
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance


# --- the file -----------------------------------------------------------------------------------


def parse_delimiter(text: str) -> str:
    """``,`` ``;`` ``|``, or ``tab`` / ``\\t`` for tab-separated files."""
    if text.lower() in ("tab", "\\t", "\t"):
        return "\t"
    if len(text) != 1 or text in ('"', "\r", "\n"):
        raise InputError(
            f"{text!r} is not a usable delimiter: give one character such as ',' or ';' (or 'tab')",
            field="--delimiter",
        )
    return text


def check_encoding(encoding: str) -> str:
    """The codec's canonical name; only encodings that keep ASCII as ASCII, line by line."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(
            f"unknown encoding {encoding!r} (try utf-8, cp1252 or latin-1)", field="--encoding"
        ) from None
    if name.startswith(("utf-16", "utf-32")) or name in ("utf-7",):
        raise InputError(
            f"{encoding} files are not supported: save the file as UTF-8 CSV",
            field="--encoding",
        )
    return name


def _is_utf8(encoding: str) -> bool:
    return encoding in ("utf-8", "utf-8-sig")


@dataclass(frozen=True, slots=True)
class RawRow:
    """One record as read: the line it starts on and its cells."""

    line: int
    values: list[str]


class Block(NamedTuple):
    """Whole records as bytes, as read from the file, and the line the first one starts on."""

    data: bytes
    first_line: int


def still_quoted(line: bytes, quoted: bool, delimiter: int) -> bool:
    """Whether a record is still inside a quoted field at the end of this physical line, given
    whether it was at its start, as the csv module reads it: a quote opens a field only at the
    field's start, ``""`` inside a quoted field is a quote, and other quotes are text."""
    position = 0  # outside quotes, always the start of a field
    while True:
        quote = line.find(b'"', position)
        if quoted:
            if quote < 0:
                return True
            if line[quote + 1 : quote + 2] == b'"':
                position = quote + 2
                continue
            quoted = False  # the rest of the field, up to a delimiter, is text
        elif quote < 0:
            return False
        elif quote == position or line[quote - 1] == delimiter:
            quoted = True
            position = quote + 1
            continue
        following = line.find(delimiter, quote + 1)
        if following < 0:
            return False
        position = following + 1


@dataclass(frozen=True, slots=True)
class BlockReader:
    """Turns blocks of a batch file into records; picklable, so worker processes can do it."""

    name: str
    encoding: str
    delimiter: str

    def rows(self, block: Block) -> Iterator[RawRow]:
        """The records of a block with the line each starts on (blank lines are skipped)."""
        data, first_line = block
        try:
            text = data.decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise self._decode_error(data, exc, first_line) from None
        parts = text.split("\n")
        lines = [part + "\n" for part in parts[:-1]]
        if parts[-1]:
            lines.append(parts[-1])
        reader = csv.reader(lines, delimiter=self.delimiter)
        while True:
            start = first_line + reader.line_num
            try:
                values = next(reader, None)
            except csv.Error as exc:
                end = first_line + reader.line_num - 1
                hint = None
                if end > start:
                    hint = f"the record starting here runs on to line {end}: is a quote unclosed?"
                raise InputError(
                    f"malformed CSV: {exc}", path=self.name, line=start, hint=hint
                ) from None
            if values is None:
                return
            if values:
                yield RawRow(start, values)

    def _decode_error(self, data: bytes, exc: UnicodeDecodeError, first_line: int) -> InputError:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        return InputError(
            f"not {self.encoding} text: byte 0x{data[exc.start]:02x} at column "
            f"{exc.start - line_start + 1} cannot be decoded",
            path=self.name,
            line=first_line + data.count(b"\n", 0, exc.start),
            hint=(
                "if the file comes from Excel or an ERP system, try --encoding cp1252 "
                "or --encoding latin-1"
                if _is_utf8(self.encoding)
                else "give the file's real encoding with --encoding"
            ),
        )


class CsvBatch:
    """A CSV of sales opened for streaming: the header is read at once, the records in blocks.

    ``blocks()`` cuts the file into blocks of whole records without parsing them (only lines
    with a quote are looked at, to tell where a record ends); a `BlockReader` decodes and parses
    a block, in whichever process screens it. Iterating gives the records in order.
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        name: str,
        encoding: str,
        delimiter: str,
        size: int | None,
        owned: bool,
    ) -> None:
        self.name = name
        self.encoding = check_encoding(encoding)
        self.delimiter = parse_delimiter(delimiter)
        self.size = size
        self.bytes_read = 0
        self._stream = stream
        self._owned = owned
        self._line = 0  # physical lines read so far
        self.reader = BlockReader(name, self.encoding, self.delimiter)
        # The delimiter as a byte: encodings allowed here keep ASCII as ASCII.
        self._delimiter_byte = self.delimiter.encode("ascii", "replace")[0]
        # The header is the first record: a block of one record, cut as every block is.
        first = next(self.blocks(1), Block(b"", 1))
        head = Block(self._strip_bom(first.data), 1)
        header = next((row.values for row in self.reader.rows(head)), None)
        if header is None or not any(cell.strip() for cell in header):
            raise InputError(
                "empty file: expected a header row naming the columns "
                "(id, date, buyer, buyer_country, origin, value, ...)",
                path=name,
                line=1,
            )
        self.columns = read_header(header, path=name)

    @property
    def header(self) -> tuple[str, ...]:
        return self.columns.header

    def _strip_bom(self, raw: bytes) -> bytes:
        if raw.startswith(_UTF8_BOM):
            if not _is_utf8(self.encoding):
                raise InputError(
                    f"the file starts with a UTF-8 byte-order mark but --encoding is "
                    f"{self.encoding}: it is UTF-8, drop --encoding",
                    path=self.name,
                    line=1,
                )
            return raw[len(_UTF8_BOM) :]
        if raw.startswith(_UTF16_BOMS):
            raise InputError(
                "the file is UTF-16 text: save it as UTF-8 CSV", path=self.name, line=1
            )
        return raw

    def blocks(self, lines: int = 1000) -> Iterator[Block]:
        """The rest of the file in blocks of about ``lines`` physical lines, each ending where a
        record ends; ``bytes_read`` counts what was handed out.

        A quote that is never closed would make the rest of the file one record. The csv module
        refuses a field longer than ``csv.field_size_limit()`` characters, so once an open
        quoted field is longer than that in any encoding (four bytes a character), the block is
        cut anyway: parsing it fails with that error, and memory stays flat."""
        delimiter = self._delimiter_byte
        too_long = 4 * csv.field_size_limit()
        pending: list[bytes] = []
        size = opened = 0  # bytes pending, and where the open quoted field began
        quoted = False
        for raw in self._stream:
            pending.append(raw)
            size += len(raw)
            if quoted or b'"' in raw:
                was_quoted = quoted
                quoted = still_quoted(raw, quoted, delimiter)
                if quoted and not was_quoted:
                    opened = size - len(raw)
            if len(pending) >= lines and (not quoted or size - opened > too_long):
                yield self._block(pending)
                pending = []
                size = opened = 0
        if pending:
            yield self._block(pending)

    def _block(self, lines: list[bytes]) -> Block:
        data = b"".join(lines)
        block = Block(data, self._line + 1)
        self._line += len(lines)
        self.bytes_read += len(data)
        return block

    def __iter__(self) -> Iterator[RawRow]:
        for block in self.blocks():
            yield from self.reader.rows(block)

    def close(self) -> None:
        if self._owned:
            self._stream.close()

    def __enter__(self) -> CsvBatch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_batch(path: Path | str, *, encoding: str = "utf-8", delimiter: str = ",") -> CsvBatch:
    """Open a batch CSV (``-`` for standard input) and read its header."""
    name = str(path)
    if name == STDIN:
        return CsvBatch(
            sys.stdin.buffer,
            name="<stdin>",
            encoding=encoding,
            delimiter=delimiter,
            size=None,
            owned=False,
        )
    file = Path(path)
    try:
        stream = file.open("rb")
        size = file.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=name) from None
    try:
        return CsvBatch(
            stream, name=name, encoding=encoding, delimiter=delimiter, size=size, owned=True
        )
    except BaseException:
        stream.close()
        raise
