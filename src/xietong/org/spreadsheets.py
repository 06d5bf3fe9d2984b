"""Reading a table of text from an uploaded spreadsheet: CSV or XLSX, as people export them.

A CSV from Excel in China is GBK (GB18030 read here, its superset) unless saved as "CSV
UTF-8", which starts with a byte-order mark; Excel's "Unicode text" is UTF-16 with tabs.
So the bytes say what they are: a BOM, else UTF-8 if they decode as UTF-8, else GB18030.
XLSX is read with openpyxl in read-only mode (defusedxml refuses entity bombs in its XML)
after its zip directory is checked, so a small file that unpacks to gigabytes is refused
before anything is unpacked. The old binary .xls is not read: it is named as such, so the
person can save it as .xlsx or CSV.

Nothing here knows what the columns mean (`org.people_import` does); every refusal is an
`Invalid` with a code of its own, for the whole file.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from xietong.core.errors import Invalid
from xietong.core.text import decode_text_file

# What one import may hold: plenty for a company's people at once, small enough that one
# request reads, checks and writes it in seconds.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
# Columns past these are not read; the longest cell kept (longer ones are cut, and every
# field's own limit is far below it, so a cut cell is refused by its field's rule).
MAX_COLUMNS = 30
MAX_CELL_CHARS = 1000
# An XLSX is a zip: the most its parts may unpack to.
MAX_UNPACKED_BYTES = 40 * 1024 * 1024

# How many rows above the table (a title, a note) are passed over looking for its header.
_HEADER_SEARCH = 10

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc)


@dataclass(frozen=True, slots=True)
class Table:
    kind: str  # "csv" or "xlsx"
    header: list[str]
    # (the row's number as the person sees it: the spreadsheet's row, or the CSV record's,
    # counting from 1), its cells, as many as the header has. Blank rows are left out.
    rows: list[tuple[int, list[str]]]


def read_table(data: bytes, is_header: Callable[[list[str]], bool] = bool) -> Table:
    """The header and the rows below it, every cell as trimmed text. The header is the
    first row `is_header` accepts among the first few that are not blank (a sheet may have
    a title above its table), or else the first that is not blank. Refuses what is not a
    CSV or XLSX, a table without rows and one over `MAX_ROWS`."""
    if len(data) > MAX_FILE_BYTES:
        raise Invalid(f"The file is larger than {MAX_FILE_BYTES} bytes.",
                      code="import_too_large", details={"max_bytes": MAX_FILE_BYTES})
    records: Generator[tuple[int, list[str]]]
    if data.startswith(_ZIP):
        kind, records = "xlsx", _xlsx_records(data)
    elif data.startswith(_OLE):
        raise Invalid("This is an old Excel (.xls) file: save it as .xlsx or CSV.",
                      code="import_xls")
    else:
        kind, records = "csv", _csv_records(_decode(data))
    header: list[str] | None = None
    above: list[tuple[int, list[str]]] = []  # rows not (yet) taken for the header
    rows: list[tuple[int, list[str]]] = []
    with closing(records):
        for number, cells in records:
            if not any(cells):
                continue
            if header is None:
                if is_header(cells):
                    header = cells
                    continue
                above.append((number, cells))
                if len(above) <= _HEADER_SEARCH:
                    continue
                # None of the first rows looks like the header: the first one is it.
                (_, header), *rows = above
                continue
            if len(rows) == MAX_ROWS:
                raise Invalid(f"The file has more than {MAX_ROWS} rows; split it.",
                              code="import_too_many_rows", details={"max_rows": MAX_ROWS})
            rows.append((number, cells))
    if header is None and above:
        (_, header), *rows = above
    if header is None or not rows:
        raise Invalid("The file has no rows below its header.", code="import_empty")
    width = len(header)
    return Table(kind=kind, header=header,
                 rows=[(number, (cells + [""] * width)[:width]) for number, cells in rows])


def _cell_text(value: object) -> str:
    """A cell as the person typed it: numbers without a spurious ".0" (a phone number
    typed into a number cell), dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    if isinstance(value, datetime | date | time):
        value = value.isoformat()
    return str(value)[:MAX_CELL_CHARS].strip()


def _decode(data: bytes) -> str:
    text = decode_text_file(data)
    if text is not None:
        return text
    raise Invalid("The file is neither an .xlsx spreadsheet nor CSV text in UTF-8 or GBK.",
                  code="import_unreadable")


def _delimiter(text: str) -> str:
    """Comma, or the tab of Excel's "Unicode text", or the semicolon of locales whose
    decimal mark is a comma: whichever the first line has most of."""
    first = text.split("\n", 1)[0]
    return max((",", "\t", ";"), key=first.count)


def _csv_records(text: str) -> Generator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=False)
    try:
        for number, record in enumerate(reader, start=1):
            yield number, [_cell_text(cell) for cell in record[:MAX_COLUMNS]]
    except csv.Error as error:
        raise Invalid(f"The CSV cannot be read: {error}.", code="import_unreadable") from None


def _xlsx_records(data: bytes) -> Generator[tuple[int, list[str]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Invalid("The file is not a readable .xlsx spreadsheet.",
                      code="import_unreadable") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise Invalid("The spreadsheet unpacks to more than we read at once; split it.",
                      code="import_too_large", details={"max_bytes": MAX_FILE_BYTES})
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except _XLSX_ERRORS:
        raise Invalid("The file is not a readable .xlsx spreadsheet.",
                      code="import_unreadable") from None
    try:
        # The first sheet: the one a person fills in when handed a template. Rows are read
        # as they are unpacked; `read_table` stops at its limit.
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True),
                                        start=1):
            yield number, [_cell_text(value) for value in values]
    except _XLSX_ERRORS:
        raise Invalid("The file is not a readable .xlsx spreadsheet.",
                      code="import_unreadable") from None
    finally:
        workbook.close()


# What openpyxl and the XML parsers raise on a broken or hostile file (a SyntaxError is the
# XML parsers' ParseError; defusedxml's refusals of entities are ValueErrors).
_XLSX_ERRORS = (InvalidFileException, zipfile.BadZipFile, KeyError, IndexError, ValueError,
                TypeError, OSError, SyntaxError, EOFError)
