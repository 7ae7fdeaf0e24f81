"""Spreadsheets in and out: lists exported as CSV or XLSX, rosters and fixtures imported from them.

This module knows no add-on.  It writes a table (a header and rows) as
CSV or XLSX (:func:`write_table`, :func:`spreadsheet_response`), reads one
back into dicts keyed by column (:func:`read_table`), and gives an add-on's
import its two steps (:class:`Importer`): a *preview* of every row as it
will be saved, with each row's errors, then the *save* of the whole file,
which the request's transaction commits all together or not at all.

Formula injection
-----------------
A spreadsheet application runs a cell that starts with ``=``, ``+``,
``-`` or ``@`` (or a tab or carriage return before one) as a formula:
``=HYPERLINK(...)`` typed as a player's name must never become a link in
the admin's Excel.  Every text cell written here goes through
:func:`neutralise`, which puts an apostrophe in front (OWASP's advice), and
XLSX cells holding text are typed as text.  :func:`restore`, applied to
every cell read, takes the apostrophe away again, so an exported list
imports back to the same values.

CSV is the csv module's (UTF-8 with a byte order mark, so that Excel reads
the accents right); XLSX is openpyxl's.  Nothing here writes or parses a
spreadsheet format by hand.
"""
import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import ValidationError
from pyramid.response import Response
from sqlalchemy import func, or_, select

from touchline.forms import field_errors


@dataclass(frozen=True)
class Format:
    """A spreadsheet format: its name, the content type it is sent with, its file extension."""

    name: str
    content_type: str
    extension: str
    label: str

    def __getitem__(self, key):
        # FORMATS["csv"]["content_type"] as well as FORMATS["csv"].content_type.
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None


#: The formats lists are exported in and imports are read from.
FORMATS = {
    "csv": Format("csv", "text/csv", ".csv", "CSV"),
    "xlsx": Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   ".xlsx", "Excel workbook"),
}

#: An import refuses files with more data rows than this.
MAX_ROWS = 5000
#: ... and XLSX files that unpack to more than this (a zip bomb is a few kilobytes).
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
#: The key of each read row's number in the spreadsheet (the header is row 1).  A column's
#: name never starts with "#" (see :func:`normalise_name`), so it cannot clash with one.
ROW_NUMBER = "#row"

#: What makes a spreadsheet application read a cell as a formula (OWASP, "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE = "Sheet1"
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NAME_SEPARATORS = re.compile(r"[^\w]+")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old .xls (or another Office 97 file)
_UTF8_BOM = "\ufeff"


class SpreadsheetError(ValueError):
    """A file that cannot be read as a table; the message says why, for a volunteer."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# Formula injection --------------------------------------------------------------------------


def _needs_apostrophe(text):
    # After any apostrophes already there: so that a value that itself starts with "'=" gets
    # one more, and restore() gives it back exactly.
    return text.lstrip("'")[:1] in FORMULA_TRIGGERS


def neutralise(value):
    """``value`` made safe to put in a spreadsheet cell: a formula-like text gets a leading ``'``.

    Only text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return changes (``"=1+1"`` becomes ``"'=1+1"``); numbers, dates and other
    text are returned as they are.
    """
    if isinstance(value, str) and _needs_apostrophe(value):
        return "'" + value
    return value


def restore(value):
    """The inverse of :func:`neutralise`, for cells read from a file: ``"'=1+1"`` is ``"=1+1"``.

    A leading apostrophe is dropped only when a formula character follows
    it, so ``"'Sam"`` stays as it is.
    """
    if isinstance(value, str) and value.startswith("'") and _needs_apostrophe(value):
        return value[1:]
    return value


# Writing --------------------------------------------------------------------------------------


def _column_name(column):
    return getattr(column, "name", column)


def _text(value):
    """A value as a CSV cell's text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None and not value.second and not value.microsecond:
            return value.strftime("%Y-%m-%d %H:%M")
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _write_csv(names, rows):
    buffer = io.StringIO(newline="")
    # Every cell quoted (OWASP's advice for CSV), "\r\n" line ends (RFC 4180, Excel's own).
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([neutralise(name) for name in names])
    for row in rows:
        # Text is neutralised; a number's own text ("-5") stays a number for the spreadsheet.
        writer.writerow([neutralise(value) if isinstance(value, str) else _text(value) for value in row])
    return (_UTF8_BOM + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(sheet, value, bold=None):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = value.isoformat()  # Excel has no timezones: an aware instant goes as ISO 8601 text
    elif isinstance(value, bool):
        value = "yes" if value else "no"
    elif value is not None and not isinstance(value, (str, int, float, Decimal, datetime.date,
                                                       datetime.time)):
        value = str(value)
    if isinstance(value, str):
        value = neutralise(_ILLEGAL_XLSX.sub("\ufffd", value))
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # Text, whatever it looks like: never a formula (openpyxl makes "=..." one), and
        # formatted as text ("@") so that editing the cell in Excel keeps it text.
        cell.data_type = "s"
        cell.number_format = "@"
    elif isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, datetime.time):
        cell.number_format = "hh:mm"
    if bold is not None:
        cell.font = bold
    return cell


def _write_xlsx(names, rows):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_SHEET_TITLE)
    bold = Font(bold=True)
    sheet.append([_xlsx_cell(sheet, name, bold) for name in names])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_table(columns, rows, fmt):
    """A header row (``columns``: names, or :class:`ImportColumn`) and ``rows`` as a file's bytes.

    ``fmt`` is ``"csv"`` or ``"xlsx"``.  Values may be text, numbers,
    booleans (written ``yes``/``no``), dates, times, naive datetimes or
    None (an empty cell).  Every text cell is :func:`neutralise`\\ d.  CSV
    is UTF-8 with a byte order mark, every cell quoted; XLSX has one sheet,
    a bold header, text cells typed as text and dates as date cells.
    """
    names = [_column_name(column) for column in columns]
    if fmt == "csv":
        return _write_csv(names, rows)
    if fmt == "xlsx":
        return _write_xlsx(names, rows)
    raise ValueError(f"unknown spreadsheet format {fmt!r}")


def _ascii_filename(name):
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "export"


def content_disposition(filename):
    """``attachment`` with the file's name: an ASCII fallback, and the UTF-8 one when it differs."""
    from urllib.parse import quote

    fallback = _ascii_filename(filename)
    header = f'attachment; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def spreadsheet_response(request, columns, rows, fmt, filename):
    """A download of the table: the format's content type, ``Content-Disposition: attachment``.

    ``filename`` may leave out the extension; the format's is added.
    """
    spec = FORMATS[fmt]
    if not filename.lower().endswith(spec.extension):
        filename += spec.extension
    body = write_table(columns, rows, fmt)
    response = Response(body=body, content_type=spec.content_type,
                        charset="utf-8" if fmt == "csv" else None)
    response.headers["Content-Disposition"] = content_disposition(filename)
    return response


# Reading -------------------------------------------------------------------------------------


def normalise_name(name):
    """A header cell as a column name: ``" First name "`` is ``first_name``, ``"Home/Away"`` ``home_away``."""
    text = "" if name is None else str(name)
    return _NAME_SEPARATORS.sub("_", text.strip().casefold()).strip("_")


def format_of(filename):
    """``"csv"`` or ``"xlsx"`` from a file's name; a :class:`SpreadsheetError` for anything else."""
    name = (filename or "").strip().lower()
    for spec in FORMATS.values():
        if name.endswith(spec.extension):
            return spec.name
    if name.endswith((".xls", ".ods", ".numbers")):
        raise SpreadsheetError(
            "Only .csv and .xlsx files can be imported: open the file in your spreadsheet "
            "application and save it as \"Excel workbook (.xlsx)\" or \"CSV UTF-8 (.csv)\"."
        )
    raise SpreadsheetError("Only .csv and .xlsx files can be imported: choose a file whose name "
                           "ends in .csv or .xlsx.")


def _cell_text(value):
    """A cell read from XLSX as the text an import works with."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, datetime.timedelta):
        # A duration cell ("[h]:mm"): an hour-and-minutes time is what a volunteer meant.
        minutes, seconds = divmod(int(value.total_seconds()), 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}" + (f":{seconds:02d}" if seconds else "")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))  # 7, not "7.0"
        return repr(value)
    if isinstance(value, str):
        return restore(value)
    return str(value)


def _xlsx_rows(data):
    if not data.startswith(_ZIP_MAGIC):
        if data.startswith(_OLE_MAGIC):
            raise SpreadsheetError(
                "This file is an old Excel file (.xls) renamed .xlsx: open it in Excel and save it "
                "as \"Excel workbook (.xlsx)\".")
        raise SpreadsheetError("This file is not an Excel workbook, though its name ends in .xlsx.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SpreadsheetError("This file is not an Excel workbook, or it is damaged.") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetError("This workbook is too large to import: split it into smaller files.")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise SpreadsheetError("This file is not an Excel workbook, or it is damaged.") from None
    try:
        if not workbook.worksheets:
            raise SpreadsheetError("This workbook has no sheet.")
        sheet = workbook.worksheets[0]
        # The size a workbook says it has may be wrong (some programs never update it).
        sheet.reset_dimensions()
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    except SpreadsheetError:
        raise
    except Exception:
        raise SpreadsheetError("This workbook is damaged: its first sheet cannot be read.") from None
    finally:
        workbook.close()


def _csv_rows(data):
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        raise SpreadsheetError("This file is an Excel workbook, not CSV text, though its name ends "
                               "in .csv: give it a name ending in .xlsx, or save it as CSV.")
    if b"\x00" in data:
        raise SpreadsheetError("This file is not CSV text, though its name ends in .csv.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetError(
            "This CSV file is not in UTF-8: save it again choosing \"CSV UTF-8\" (in Excel: "
            "File, Save As, \"CSV UTF-8 (Comma delimited)\").") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        for values in reader:
            yield [restore(value) for value in values]
    except csv.Error as error:
        raise SpreadsheetError(f"This CSV file cannot be read past row {reader.line_num}: {error}.") from None


def _blank(values):
    return all(not value.strip() for value in values)


def _letter(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def read_table(data, filename, columns=None, max_rows=MAX_ROWS):
    """The rows of a CSV or XLSX file as dicts: ``{column name: text, ROW_NUMBER: n}``.

    The format comes from ``filename``'s extension.  Row 1 names the
    columns; their names are normalised (:func:`normalise_name`: ``First
    name`` is ``first_name``).  Every value is text: ``""`` for an empty
    cell, dates of XLSX date cells as ``YYYY-MM-DD``, times as ``HH:MM``,
    whole numbers as digits; :func:`restore` undoes an export's
    neutralising.  Blank rows are skipped; each row keeps its number in the
    spreadsheet under :data:`ROW_NUMBER`.  CSV is UTF-8 (with or without a
    byte order mark), separated by commas or semicolons; XLSX is read from
    its first sheet.

    With ``columns`` (:class:`ImportColumn`\\ s, or names, all optional),
    a column the file lacks is a :class:`SpreadsheetError` when it is
    required and empty in every row when not, and any column the file has
    beyond them is refused, by name.  A file that is empty, not what its
    name says, or over ``max_rows`` rows is refused too.
    """
    fmt = format_of(filename)
    if not data:
        raise SpreadsheetError("The file is empty.")
    source = _csv_rows(data) if fmt == "csv" else _xlsx_rows(data)
    try:
        return _read_rows(source, columns, max_rows)
    finally:
        source.close()  # the workbook, even when the file is refused half-way


def _read_rows(source, columns, max_rows):
    header = next(source, None)
    if header is None or _blank(header):
        raise SpreadsheetError("The first row must name the columns, but it is empty.")
    names = [normalise_name(value) for value in header]
    positions = {}
    for index, name in enumerate(names):
        if not name:
            continue
        if name in positions:
            raise SpreadsheetError(f"The column {name} appears twice in the first row.")
        positions[name] = index
    if columns is not None:
        _check_columns(positions, columns)
    wanted = [_column_name(column) for column in columns] if columns is not None else list(positions)
    table = []
    for number, values in enumerate(source, start=2):
        if _blank(values):
            continue
        for index, value in enumerate(values):
            if value.strip() and (index >= len(names) or not names[index]):
                raise SpreadsheetError(
                    f"Row {number} has a value in column {_letter(index)}, which has no name in the "
                    f"first row: name the column, or empty it.")
        if len(table) >= max_rows:
            raise SpreadsheetError(
                f"The file has more than {max_rows:,} rows: split it into smaller files.")
        row = {name: (values[positions[name]] if name in positions and positions[name] < len(values)
                      else "") for name in wanted}
        row[ROW_NUMBER] = number
        table.append(row)
    if not table:
        raise SpreadsheetError("The file has no rows under its first row.")
    return table


def _check_columns(positions, columns):
    known = [_column_name(column) for column in columns]
    required = [_column_name(column) for column in columns if getattr(column, "required", False)]
    problems = []
    missing = [name for name in required if name not in positions]
    if missing:
        problems.append(f"The file has no column {_and(missing)}, which {'is' if len(missing) == 1 else 'are'} "
                        f"required.")
    unknown = [name for name in positions if name not in known]
    if unknown:
        problems.append(f"The file has {'a column' if len(unknown) == 1 else 'columns'} this import does "
                        f"not know: {_and(unknown)}.")
    if problems:
        problems.append(f"The columns are: {', '.join(known)}.")
        raise SpreadsheetError(" ".join(problems))


def conform(table, columns):
    """``table`` (rows as :func:`read_table` gives them) with exactly ``columns``' keys.

    A missing optional column is empty in every row; a missing required one,
    or one that is not among ``columns``, is a :class:`SpreadsheetError`, as
    :func:`read_table` with ``columns`` says it.
    """
    names = [_column_name(column) for column in columns]
    present = {}
    for row in table:
        for name in row:
            if name != ROW_NUMBER:
                present.setdefault(name, None)
    if set(present) == set(names):
        return table
    _check_columns(present, columns)
    return [{**{name: row.get(name, "") for name in names}, ROW_NUMBER: row[ROW_NUMBER]} for row in table]


def _and(names):
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# Importing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportColumn:
    """A column of an import: its name (as in the header row), whether it is required,
    what it holds (for the documentation and the import page) and an example value (the template's)."""

    name: str
    required: bool = False
    description: str = ""
    example: object = ""


@dataclass
class PreviewRow:
    """One row of a file as it will be saved (``values``), or why it cannot be (``errors``)."""

    number: int
    values: dict
    errors: list = field(default_factory=list)
    #: The record that would be saved: never sent to the client.
    record: object = field(default=None, repr=False, compare=False)

    @property
    def ok(self):
        return not self.errors

    def __json__(self, request):
        return {"number": self.number, "values": self.values, "errors": self.errors}


class Preview:
    """Every row of a file as it will be saved, with each row's errors."""

    def __init__(self, kind, rows, table):
        self.kind = kind
        self.rows = rows
        #: The rows read from the file: what :meth:`Importer.save` checks again.
        self.table = table

    @property
    def ok(self):
        """True when the file may be imported: it has rows and none has an error."""
        return bool(self.rows) and all(row.ok for row in self.rows)

    @property
    def errors_count(self):
        """How many rows have errors ("3 of 40 rows have errors")."""
        return len(self.bad_rows)

    @property
    def messages_count(self):
        """How many errors the rows have, all rows together."""
        return sum(len(row.errors) for row in self.rows)

    @property
    def bad_rows(self):
        """The rows with errors."""
        return [row for row in self.rows if row.errors]

    def __len__(self):
        return len(self.rows)

    def __json__(self, request):
        return {"kind": self.kind, "ok": self.ok, "errors_count": self.errors_count,
                "messages_count": self.messages_count, "rows": self.rows}


class InvalidImport(Exception):
    """:meth:`Importer.save` found errors: nothing was saved.  ``preview`` has them, row by row."""

    def __init__(self, preview):
        bad = len(preview.bad_rows)
        if not preview.rows:
            message = "The file has no rows: nothing was imported."
        else:
            message = (f"{bad} row{'s' if bad != 1 else ''} of the file "
                       f"{'have' if bad != 1 else 'has'} errors: nothing was imported.")
        super().__init__(message)
        self.message = message
        self.preview = preview


def name_key(name):
    """What makes two names the same in an import: case and runs of spaces aside."""
    return " ".join(str(name).split()).casefold()


class Importer:
    """An add-on's import: a kind of record read from CSV or XLSX, checked, then saved.

    A subclass names its ``kind`` and its ``columns`` and says how a record
    is exported (:meth:`export_row`), what it needs from the database for a
    whole file at once (:meth:`lookups`: a constant number of queries,
    never one per row) and how one row becomes a record or errors
    (:meth:`check_row`), through the add-on's own schema and editor rules.
    The caller (an admin view) does::

        importer = PlayerImporter(request)
        table = importer.read(data, filename)    # SpreadsheetError: the file itself is wrong
        preview = importer.preview(table)        # show preview.rows; nothing is written
        importer.save(importer.preview(table))   # the confirm step, with the file sent again

    :meth:`save` checks every row again before it adds anything, and adds
    nothing unless all are right; the request's transaction makes the
    import all or nothing.
    """

    #: What is imported, in the words of a URL and a file name ("players").
    kind = None
    #: The columns, in the order of the template and of an export.
    columns = ()

    def __init__(self, request):
        self.request = request

    # The columns ---------------------------------------------------------------------

    @property
    def column_names(self):
        return [column.name for column in self.columns]

    def example_row(self):
        """The template's example row: each column's example."""
        return [column.example for column in self.columns]

    def template(self, fmt):
        """The template file: the header and one example row."""
        return write_table(self.columns, [self.example_row()], fmt)

    def template_response(self, fmt):
        return spreadsheet_response(self.request, self.columns, [self.example_row()], fmt,
                                    f"{self.kind}-template")

    # Exporting -----------------------------------------------------------------------

    def export_row(self, record):
        """``record`` as a row of :attr:`columns`, so that an export imports back."""
        raise NotImplementedError

    def export_rows(self, records):
        return [self.export_row(record) for record in records]

    def export_response(self, records, fmt, filename=None):
        """A download of ``records`` (what the user may see, with the list's filters)."""
        return spreadsheet_response(self.request, self.columns, self.export_rows(records), fmt,
                                    filename or self.kind)

    # Importing -----------------------------------------------------------------------

    def read(self, data, filename):
        """The file's rows (:func:`read_table` with this import's columns)."""
        return read_table(data, filename, self.columns)

    def lookups(self, table):
        """What the rows need from the database, for the whole file at once: a few queries."""
        return None

    def check_row(self, row, lookups):
        """One read row as a :class:`PreviewRow`: the record to save and its values, or errors."""
        raise NotImplementedError

    def check_file(self, rows, lookups):
        """Rules across rows (a shirt number given twice): add errors to ``rows``."""

    def preview(self, table):
        """Every row as it will be saved, with its errors.  Nothing is written.

        ``table`` is what :meth:`read` gives.  A table read without this
        import's columns (:func:`read_table` without ``columns``) is checked
        here: a :class:`SpreadsheetError` for a required column it lacks or a
        column it should not have.
        """
        table = conform(table, self.columns)
        lookups = self.lookups(table)
        rows = [self.check_row(row, lookups) for row in table]
        self.check_file(rows, lookups)
        for row in rows:
            if row.errors:
                row.record = None
        return Preview(self.kind, rows, table)

    def save(self, preview):
        """Add every row's record and flush; the records, in the file's order.

        The rows are checked again from ``preview.table`` (the file as read),
        whatever the preview said: the data may have changed since, and a
        preview is never taken on trust.  Raises :class:`InvalidImport`,
        having added nothing, when any row is wrong.
        """
        if preview.kind != self.kind:
            raise ValueError(f"a preview of {preview.kind}, not {self.kind}")
        fresh = self.preview(preview.table)
        if not fresh.ok:
            raise InvalidImport(fresh)
        records = [row.record for row in fresh.rows]
        self.request.dbsession.add_all(records)
        self.request.dbsession.flush()
        return records

    # Helpers for check_row ------------------------------------------------------------

    def find_by_name(self, column, names, *options):
        """The records whose ``column`` matches one of ``names``, case aside: one query.

        Returns ``{name_key(name): [records]}`` (two records may share a
        name).  The database narrows (exact names, and names equal once
        lower-cased, as SQLite and PostgreSQL each lower-case), Python decides.
        """
        names = {" ".join(str(name).split()) for name in names if str(name).strip()}
        if not names:
            return {}
        lowered = {name.lower() for name in names}
        lowered |= {"".join(char.lower() if char.isascii() else char for char in name) for name in names}
        entity = column.class_
        stmt = select(entity).where(or_(column.in_(sorted(names)), func.lower(column).in_(sorted(lowered))))
        found = {}
        for record in self.request.dbsession.scalars(stmt.options(*options)).unique():
            found.setdefault(name_key(getattr(record, column.key)), []).append(record)
        wanted = {name_key(name) for name in names}
        return {key: records for key, records in found.items() if key in wanted}

    def one_named(self, row, column, found, errors):
        """The one record ``row[column]`` names among ``found`` (:meth:`find_by_name`), or None
        with the error in ``errors``: the cell is empty, names nothing, or names two records."""
        name = " ".join(row[column].split())
        if not name:
            errors.append(f"{column}: This field is required.")
            return None
        records = found.get(name_key(name), [])
        if not records:
            errors.append(f"{column}: No {column} is named {name}.")
            return None
        if len(records) > 1:
            errors.append(f"{column}: More than one {column} is named {name}: rename one on the site "
                          f"to import into it.")
            return None
        return records[0]

    def sorted_errors(self, errors):
        """``errors`` in the order of the columns they name (those naming none first), each once."""
        names = self.column_names

        def position(message):
            column = message.split(":", 1)[0]
            return names.index(column) + 1 if column in names else 0

        return sorted(dict.fromkeys(errors), key=position)

    def raw_values(self, row):
        """A row's cells as the file has them: what the preview shows of a row with errors."""
        return {name: row[name] for name in self.column_names}

    def allowed(self, permission, context, cache, key):
        """``request.has_permission(permission, context)``, asked once per ``key`` (a team's id)."""
        if key not in cache:
            cache[key] = bool(self.request.has_permission(permission, context))
        return cache[key]

    @staticmethod
    def cells(row, names):
        """The row's non-empty cells among ``names``, stripped: what goes to a schema.

        An empty cell is left out, so the schema gives a required field's
        message ("Enter the opponent's name.") and an optional one its default.
        """
        data = {}
        for name in names:
            value = row.get(name, "")
            if value.strip():
                data[name] = value.strip()
        return data

    @staticmethod
    def validate(schema, data, columns=None):
        """``(instance, [])`` or ``(None, ["<column>: <message>", ...])``: the schema's errors.

        ``columns`` maps a schema field to the column it came from, when the
        names differ.
        """
        try:
            return schema.model_validate(data), []
        except ValidationError as error:
            messages = []
            for name, texts in field_errors(error, schema).items():
                column = (columns or {}).get(name, name)
                messages.extend(f"{column}: {text}" if column != "_form" else text for text in texts)
            return None, messages
