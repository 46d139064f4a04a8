"""The batch CSV reader: headers, encodings, delimiters, and rows made into sales or row errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

import pytest

from exportcheck.domain.sale import Item, Purpose, Role, Sale
from exportcheck.errors import InputError
from exportcheck.loading.batch import (
    RowError,
    canonical_column,
    open_batch,
    parse_number,
    sale_from_fields,
    still_quoted,
)

GOOD = {
    "id": "PO-1",
    "date": "2021-06-01",
    "buyer": "Acme GmbH",
    "buyer_country": "DE",
    "origin": "US",
    "value": "1000",
}


def _write(tmp_path: Path, text: str | bytes, name: str = "sales.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def test_a_good_row_becomes_a_sale() -> None:
    sale = sale_from_fields(
        {
            **GOOD,
            "end_user": " Zenith Optics ",
            "end_user_country": "China",
            "classification": "3a001.A",
            "us_content_percent": "8%",
            "purpose": "Software update",
            "existing_since": "2019-03-26",
            "direct_product": "no",
        }
    )
    assert sale.id == "PO-1"
    assert sale.date == dt.date(2021, 6, 1)
    assert [(p.role, p.name, p.country) for p in sale.parties] == [
        (Role.BUYER, "Acme GmbH", "DE"),
        (Role.END_USER, "Zenith Optics", "CN"),
    ]
    assert sale.destination == "CN"
    item = sale.items[0]
    assert (item.classification, item.origin, item.value) == ("3A001.a", "US", 1000.0)
    assert item.us_content_percent == 8.0
    assert item.purpose is Purpose.SOFTWARE_UPDATE
    assert item.existing_since == dt.date(2019, 3, 26)
    assert item.direct_product is False


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"id": " "}, "id: required value is missing"),
        ({"date": ""}, "date: required value is missing"),
        ({"date": "2019-02-30"}, "date: '2019-02-30' is not a valid date (YYYY-MM-DD)"),
        ({"date": "03/06/2019"}, "date: '03/06/2019' is not a valid date (YYYY-MM-DD)"),
        ({"date": "20190603"}, "date: '20190603' is not a valid date (YYYY-MM-DD)"),
        ({"buyer_country": "Narnia"}, "buyer_country: unknown country 'Narnia'"),
        ({"buyer_country": ""}, "buyer_country: required when buyer is given"),
        ({"buyer": ""}, "buyer: required when buyer_country is given"),
        ({"buyer": "", "buyer_country": ""}, "buyer: at least one party with its country"),
        ({"origin": ""}, "origin: required value is missing"),
        ({"origin": "Atlantis"}, "origin: unknown country 'Atlantis'"),
        ({"value": ""}, "value: required value is missing"),
        ({"value": "12k"}, "value: '12k' is not a number"),
        ({"value": "1,234"}, "value: '1,234' is not a number"),
        ({"value": "$500"}, "value: '$500' is not a number"),
        ({"value": "nan"}, "value: 'nan' is not a number"),
        ({"value": "0"}, "value: '0' must be greater than 0"),
        ({"us_content_percent": "120"}, "us_content_percent: '120' is out of range (0-100)"),
        ({"us_content_percent": "-1"}, "us_content_percent: '-1' is out of range (0-100)"),
        ({"us_content_percent": "lots"}, "us_content_percent: 'lots' is not a number"),
        ({"classification": "5A99"}, "classification: malformed ECCN '5A99'"),
        ({"purpose": "gift"}, "purpose: unknown purpose 'gift'"),
        ({"existing_since": "yesterday"}, "existing_since: 'yesterday' is not a valid date"),
        ({"direct_product": "maybe"}, "direct_product: 'maybe' is not yes or no"),
    ],
)
def test_each_bad_cell_is_a_row_error_naming_its_column(
    change: dict[str, str], expected: str
) -> None:
    with pytest.raises(RowError) as caught:
        sale_from_fields({**GOOD, **change})
    assert str(caught.value).startswith(expected)


def test_several_problems_are_all_reported() -> None:
    with pytest.raises(RowError) as caught:
        sale_from_fields({**GOOD, "date": "2019-13-01", "value": "abc"})
    assert str(caught.value).startswith("date: '2019-13-01' is not a valid date")
    assert "; value: 'abc' is not a number" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "number"), [("1234.5", 1234.5), ("12,5", 12.5), ("1e3", 1000.0), (" 7 ", 7.0)]
)
def test_numbers(text: str, number: float) -> None:
    assert parse_number(text.strip()) == number


def test_column_names_are_case_and_spacing_insensitive() -> None:
    assert canonical_column(" End User Country ") == "end_user_country"
    assert canonical_column("US-Content-Percent") == "us_content_percent"


def test_reader_header_rows_and_line_numbers(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "\ufeffID,Date,BUYER,Buyer_Country,Origin,Value,Notes\n"
        'PO-1,2021-06-01,"Acme, Inc.",DE,US,10,"two\nlines"\n'
        "\n"
        "PO-2,2021-06-01,Beta,FR,US,20,x\n",
    )
    with open_batch(path) as reader:
        assert reader.header == ("ID", "Date", "BUYER", "Buyer_Country", "Origin", "Value", "Notes")
        rows = list(reader)
        assert [(r.line, r.values[0]) for r in rows] == [(2, "PO-1"), (5, "PO-2")]
        assert rows[0].values[6] == "two\nlines"
        fields = reader.columns.fields(rows[0].values)
    assert fields["buyer"] == "Acme, Inc." and "notes" not in fields


def test_ragged_rows_are_row_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, "id,date,buyer,buyer_country,origin,value\nPO-1,2021-06-01,A,DE\n")
    with open_batch(path) as reader:
        (row,) = list(reader)
        with pytest.raises(RowError, match="ragged row: 4 fields where the header has 6"):
            reader.columns.fields(row.values)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("", "empty file: expected a header row"),
        ("id,date,buyer,buyer_country,origin\n", "missing column 'value'"),
        ("id,date,origin,value\n", "no party columns"),
        ("id,date,buyer,origin,value\n", "column 'buyer' needs column 'buyer_country'"),
        ("id,ID,date,buyer,buyer_country,origin,value\n", "column 'id' appears twice"),
        ("id,date,buyer,buyer_country,origin,value,Verdict\n", "column 'Verdict' is one that"),
    ],
)
def test_header_problems_stop_the_batch(tmp_path: Path, header: str, message: str) -> None:
    path = _write(tmp_path, header)
    with pytest.raises(InputError) as caught:
        open_batch(path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{path}:1: ")


LATIN1 = "id;date;buyer;buyer_country;origin;value\nPO-1;2021-06-01;Société Générale;FR;US;10\n"


def test_latin1_file_with_its_encoding(tmp_path: Path) -> None:
    path = _write(tmp_path, LATIN1.encode("latin-1"))
    with open_batch(path, encoding="latin-1", delimiter=";") as reader:
        (row,) = list(reader)
    assert row.values[2] == "Société Générale"


def test_latin1_file_read_as_utf8_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, LATIN1.encode("latin-1"))
    with open_batch(path, delimiter=";") as reader, pytest.raises(InputError) as caught:
        list(reader)
    assert str(caught.value).startswith(f"{path}:2: not utf-8 text: byte 0xe9")
    assert "--encoding cp1252" in str(caught.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"encoding": "klingon"}, "--encoding: unknown encoding 'klingon'"),
        ({"encoding": "utf-16"}, "utf-16 files are not supported"),
        ({"delimiter": ";;"}, "--delimiter: ';;' is not a usable delimiter"),
    ],
)
def test_bad_options(tmp_path: Path, kwargs: dict[str, str], message: str) -> None:
    path = _write(tmp_path, "id,date,buyer,buyer_country,origin,value\n")
    with pytest.raises(InputError, match=message):
        open_batch(path, **kwargs)


def test_a_utf8_bom_with_another_encoding_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeffid,date,buyer,buyer_country,origin,value\n")
    with pytest.raises(InputError, match="UTF-8 byte-order mark"):
        open_batch(path, encoding="cp1252")


def test_tab_delimiter(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "id\tdate\tbuyer\tbuyer_country\torigin\tvalue\nPO-1\t2021-06-01\tA\tDE\tUS\t1\n"
    )
    with open_batch(path, delimiter="tab") as reader:
        assert [r.values[0] for r in reader] == ["PO-1"]


@pytest.mark.parametrize(
    "change",
    [
        {},
        {
            "id": " PO-9 ",
            "consignee": "Depot",
            "consignee_country": "nld",
            "end_user": " Zenith Optics ",
            "end_user_country": "China",
            "description": " router ",
            "classification": "3a001.b.2",
            "origin": "Germany",
            "value": "12,5",
            "us_content_percent": "0",
            "purpose": "repair",
            "existing_since": "2019-03-26",
            "direct_product": "YES",
        },
        {"classification": "ear99", "value": "1e-3", "us_content_percent": "100%"},
        {"value": "2.5E6", "us_content_percent": "8.25", "direct_product": "0"},
    ],
)
def test_a_row_becomes_the_sale_the_models_would_validate(change: dict[str, str]) -> None:
    # sale_from_fields builds the sale without validating it again: what it builds must be
    # exactly what validation of the same values gives.
    sale = sale_from_fields({**GOOD, **change})
    validated = Sale.model_validate(sale.model_dump(exclude_unset=True, by_alias=True))
    assert sale == validated
    assert sale.items[0] == Item.model_validate(sale.items[0].model_dump(exclude_unset=True))
    assert sale.model_fields_set == validated.model_fields_set
    assert sale.items[0].model_fields_set == validated.items[0].model_fields_set
    assert sale.destination == validated.destination


def test_the_reader_knows_every_field_of_a_sale_and_its_item() -> None:
    # A new field or constraint on Sale or Item must be checked by sale_from_fields too, since
    # it builds them without validation: this test is the reminder.
    assert Sale.__pydantic_post_init__ is None and Item.__pydantic_post_init__ is None
    assert not any(f.alias for f in (*Sale.model_fields.values(), *Item.model_fields.values()))
    assert set(Sale.model_fields) == {"id", "date", "exporter", "parties", "items"}
    assert set(Item.model_fields) == {
        "description",
        "classification",
        "origin",
        "value",
        "us_content_percent",
        "components",
        "purpose",
        "existing_since",
        "direct_product",
    }


# --- blocks: the file cut into whole records without parsing it ---------------------------------


def test_still_quoted_agrees_with_the_csv_module_on_random_lines() -> None:
    rng = random.Random(7)
    pieces = ["a", ",", '"', '""', " ", ";", "x y"]
    for _ in range(5000):
        lines = [
            "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) + "\n"
            for _ in range(rng.randint(1, 4))
        ]
        reader = csv.reader(lines)
        ends = set()
        for _ in reader:
            ends.add(reader.line_num)
        quoted = False
        for number, line in enumerate(lines[:-1], 1):
            quoted = still_quoted(line.encode(), quoted, ord(","))
            assert (not quoted) == (number in ends), lines


MESSY = (
    "id,date,buyer,buyer_country,origin,value,note\n"
    'PO-1,2021-06-01,"Acme, Inc.",DE,US,10,"two\nlines, ""quoted"""\n'
    'PO-2,2021-06-01,Beta,FR,US,20,a 12" monitor\n'
    "\n"
    'PO-3,2021-06-01,"Gamma ""G"" Ltd",FR,US,30,"three\n\nlines"\n'
    'PO-4,2021-06-01,Delta,FR,US,40,"x"y\n'
    "PO-5,2021-06-01,Epsilon,FR,US,50,\r\n"
)


@pytest.mark.parametrize("lines", [1, 2, 3, 1000])
def test_blocks_hold_whole_records_whatever_their_size(tmp_path: Path, lines: int) -> None:
    path = _write(tmp_path, MESSY)
    expected = list(csv.reader(io.StringIO(MESSY, newline="")))[1:]
    with open_batch(path) as reader:
        blocks = list(reader.blocks(lines))
        rows = [row for block in blocks for row in reader.reader.rows(block)]
    assert [row.values for row in rows] == [values for values in expected if values]
    assert [row.line for row in rows] == [2, 4, 6, 9, 10]
    assert b"".join(block.data for block in blocks) == MESSY.split("\n", 1)[1].encode()


def test_a_bad_byte_in_a_later_block_names_its_line_and_column(tmp_path: Path) -> None:
    good = "PO-{n},2021-06-01,Beta,FR,US,20,x\n"
    text = "id,date,buyer,buyer_country,origin,value,note\n" + "".join(
        good.format(n=n) for n in range(10)
    )
    path = _write(tmp_path, text.encode() + b"PO-X,2021-06-01,Soci\xe9t\xe9,FR,US,1,x\n")
    with open_batch(path) as reader, pytest.raises(InputError) as caught:
        for block in reader.blocks(3):
            list(reader.reader.rows(block))
    assert str(caught.value).startswith(f"{path}:12: not utf-8 text: byte 0xe9 at column 21 ")


def test_a_quote_never_closed_is_an_error_and_memory_stays_flat(tmp_path: Path) -> None:
    row = "PO-{n},2021-06-01,Beta,FR,US,20,{note}\n"
    lines = [row.format(n=n, note="x") for n in range(3)]
    lines.append(row.format(n=3, note='"never closed'))
    lines += [row.format(n=n, note="y" * 100) for n in range(4, 20_000)]  # about 2.6 MB
    path = _write(tmp_path, "id,date,buyer,buyer_country,origin,value,note\n" + "".join(lines))
    with open_batch(path) as reader, pytest.raises(InputError) as caught:
        for block in reader.blocks(100):
            assert len(block.data) < 4 * csv.field_size_limit() + 200_000
            list(reader.reader.rows(block))
    assert "malformed CSV: field larger than field limit" in str(caught.value)
    assert str(caught.value).startswith(f"{path}:5: ")  # where the quote opened
    assert "is a quote unclosed?" in str(caught.value)
