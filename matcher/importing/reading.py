"""Bytes to a :class:`Table`: text encodings, CSV dialects, Excel workbooks, JSON and JSONL.

A table is what a file holds before any column is matched to a field: its column names in
file order and each data record as ``{column: value}``. Problems with the file itself (an
unknown encoding, a quote never closed, a cell over the CSV size limit, JSON nested too
deeply) are :class:`~matcher.errors.RowError` values naming the row and the line; reading never
raises on bad input. Rows are numbered 1-based over the data records (not the header, not
blank lines).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RowError

FORMATS = ("csv", "json", "jsonl", "xlsx")
DELIMITERS = (",", ";", "\t", "|")
UNNAMED = "unnamed column "  # + its position, for a header cell left empty
MAX_DEPTH = 8  # a member record is flat: a list of phrases is as deep as it gets


@dataclass
class Table:
    fmt: str
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None


def detect_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix in ("tsv", "txt"):  # Excel's "Unicode text" is tab-separated UTF-16
        return "csv"
    if suffix in FORMATS:
        return suffix
    raise ValueError(f"cannot tell the format of {str(path)!r}; "
                     "expected .csv, .tsv, .txt, .xlsx, .json or .jsonl")


def read_table(data: bytes | str, fmt: str) -> Table:
    """Read ``data`` as ``fmt`` (csv, json, jsonl or xlsx)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "xlsx":
        if isinstance(data, str):
            raise ValueError("an .xlsx workbook is bytes, not text")
        return _xlsx_table(data)
    encoding = None
    if isinstance(data, bytes):
        text, encoding, problem = decode(data)
        if problem:
            return Table(fmt, errors=[RowError(0, "file", problem)])
    else:
        text = data.lstrip("\ufeff")
    table = {"csv": _csv_table, "json": _json_table, "jsonl": _jsonl_table}[fmt](text)
    table.encoding = encoding
    return table


def decode(data: bytes) -> tuple[str, str, str | None]:
    """``(text, encoding, problem)``: UTF-8 (with or without BOM), UTF-16 (BOM, or plain
    text with every other byte zero) and else Windows-1252, which is what Excel on Windows
    writes as "CSV"."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif len(data) >= 4 and data[1::2].count(0) > len(data) // 4:
        candidates = ["utf-16-le"]
    elif len(data) >= 4 and data[0::2].count(0) > len(data) // 4:
        candidates = ["utf-16-be"]
    else:
        candidates = ["utf-8", "cp1252"]
    first = None
    for enc in candidates:
        try:
            return data.decode(enc).lstrip("\ufeff"), enc, None
        except UnicodeDecodeError as exc:
            first = first or exc
    bad = first.object[first.start:first.start + 1]
    return "", candidates[0], (f"not text in UTF-8, UTF-16 or Windows-1252 "
                               f"(byte {first.start}: {bad!r})")


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of , ; tab | outside quotes."""
    header, quoted = [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif ch in "\r\n" and not quoted:
            break
        elif not quoted:
            header.append(ch)
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties go to the first: the comma
    return best if counts[best] else ","


def _columns(raw: list[Any]) -> list[str]:
    """Header cells as column names: stripped, blanks named by position, repeats numbered."""
    out: list[str] = []
    for i, cell in enumerate(raw, start=1):
        name = _cell(cell).strip() or f"{UNNAMED}{i}"
        base, k = name, 2
        while name in out:
            name, k = f"{base} ({k})", k + 1
        out.append(name)
    return out


def _cell(value: Any) -> str:
    """A spreadsheet value as the text a person sees."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _add_rows(table: Table, records, *, first_line: int = 2) -> None:
    """Append data records (lists of cells) to ``table``; blank records are skipped."""
    width = len(table.columns)
    row = 0
    for line, cells in records:
        row += 1  # blank records count, so row N is the N-th line under the header
        if not any(_cell(c).strip() for c in cells):
            continue
        if any(_cell(c).strip() for c in cells[width:]):
            table.errors.append(RowError(row, "-", f"line {line}: more cells than header columns: "
                                         f"{show([_cell(c) for c in cells[width:]])}"))
            table.rows.append((row, {}))
            continue
        values = [_cell(c) for c in cells[:width]] + [""] * (width - len(cells))
        table.rows.append((row, dict(zip(table.columns, values, strict=True))))
    # columns without a header and without a value (trailing separators) are not columns
    unnamed = [c for c in table.columns if c.startswith(UNNAMED)
               and not any(str(cells.get(c, "")).strip() for _, cells in table.rows)]
    table.columns = [c for c in table.columns if c not in unnamed]
    for _, cells in table.rows:
        for c in unnamed:
            cells.pop(c, None)


def _csv_table(text: str) -> Table:
    delimiter = sniff_delimiter(text)
    table = Table("csv", delimiter=delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    def records():
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, exc
                return
            yield start, cells

    rows, failure = [], None
    for line, cells in records():
        if isinstance(cells, csv.Error):
            failure = _malformed(cells, line, reader.line_num)
            break
        if not table.columns:
            if any(c.strip() for c in cells):
                table.columns = _columns(cells)
            continue
        rows.append((line, cells))
    if not table.columns:
        table.errors.append(RowError(0, "file", failure) if failure else
                            RowError(0, "header", "the CSV file is empty; expected a header row"))
        return table
    _add_rows(table, rows)
    if failure:  # the record being read when the reader gave up
        table.errors.append(RowError(len(table.rows) + 1, "-", failure))
    return table


def _malformed(exc: csv.Error, start: int, end: int) -> str:
    msg = str(exc)
    if "field larger than field limit" in msg:
        return (f"line {start}: a cell is longer than {csv.field_size_limit():,} characters; "
                "the file is malformed (an unclosed quote?) or not a member list")
    if "unexpected end of data" in msg:
        return (f"the file is malformed: the quoted cell opened on line {start} is never closed "
                f"(read to the end, line {end})")
    return f"the file is malformed at line {end}: {msg}"


def _xlsx_table(data: bytes) -> Table:
    import zipfile

    from openpyxl import load_workbook

    table = Table("xlsx")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        table.errors.append(RowError(0, "file", f"not an Excel .xlsx workbook ({exc})"))
        return table
    try:
        sheet = book.worksheets[0]
        rows = []
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(cells)
            if not table.columns:
                if any(_cell(c).strip() for c in cells):
                    table.columns = _columns(cells)
                continue
            rows.append((line, cells))
    finally:
        book.close()
    if not table.columns:
        table.errors.append(RowError(0, "header", "the first sheet is empty; expected a header row"))
    _add_rows(table, rows)
    return table


def _json_table(text: str) -> Table:
    table = Table("json")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        table.errors.append(RowError(0, "file", f"invalid JSON at line {exc.lineno}: {exc.msg}"))
        return table
    except RecursionError:
        table.errors.append(RowError(0, "file", "the JSON is nested too deeply to be a member list"))
        return table
    if not isinstance(data, list):
        table.errors.append(RowError(0, "file", f"expected a JSON array of objects, got "
                                     f"{type(data).__name__}"))
        return table
    _add_objects(table, enumerate(data, start=1))
    return table


def _jsonl_table(text: str) -> Table:
    table = Table("jsonl")
    records = []
    lines = (ln for ln in text.splitlines() if ln.strip())
    for row, line in enumerate(lines, start=1):
        try:
            records.append((row, json.loads(line)))
        except json.JSONDecodeError as exc:
            table.errors.append(RowError(row, "-", f"invalid JSON: {exc.msg}"))
            records.append((row, {}))
        except RecursionError:
            table.errors.append(RowError(row, "-", "the JSON is nested too deeply"))
            records.append((row, {}))
    _add_objects(table, records)
    return table


def _add_objects(table: Table, records) -> None:
    seen: dict[str, None] = {}
    reported = {e.row for e in table.errors}
    for row, obj in records:
        if row in reported:
            table.rows.append((row, {}))
            continue
        if not isinstance(obj, dict):
            table.errors.append(RowError(row, "-", f"expected an object, got {show(obj)}"))
            table.rows.append((row, {}))
            continue
        deep = next((k for k, v in obj.items() if _depth(v) > MAX_DEPTH), None)
        if deep is not None:
            table.errors.append(RowError(row, str(deep), f"the value is nested more than "
                                         f"{MAX_DEPTH} levels deep"))
            table.rows.append((row, {}))
            continue
        seen.update(dict.fromkeys(str(k) for k in obj))
        table.rows.append((row, {str(k): v for k, v in obj.items()}))
    table.columns = list(seen)


def _depth(value: Any) -> int:
    """Nesting depth of lists and dicts, without recursion."""
    deepest, todo = 0, [(value, 0)]
    while todo:
        v, d = todo.pop()
        if isinstance(v, list | dict):
            d += 1
            if d > MAX_DEPTH:
                return d
            deepest = max(deepest, d)
            todo.extend((x, d) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


def show(value: Any, limit: int = 60) -> str:
    try:
        text = repr(value)
    except RecursionError:
        return "<a deeply nested value>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
