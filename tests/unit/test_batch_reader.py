"""The batch CSV reader: headers, encodings, delimiters, and rows made into sales or row errors."""

from __future__ import annotations

import datetime as dt
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
