"""Read members from the files hosts have: CSV (UTF-8 with or without BOM, Windows-1252,
UTF-16; comma, semicolon, tab or bar separated), Excel ``.xlsx``, JSON (array of objects) and
JSONL.

The pipeline, one small module per step:

    bytes --reading--> Table --columns--> fields per row --ids--> ids --merge--> Plan

Parsing is all-or-nothing: :func:`parse_members` either returns every row as a
:class:`~matcher.profiles.Member` or raises :class:`~matcher.errors.ValidationFailed` listing
every bad row as ``row N, field F: message``. Rows are numbered 1-based over the data
records (the header is not a row). :func:`parse_file` keeps the rows partial (only the fields
the file gives) so that :meth:`matcher.engine.Engine.import_file` can update stored members
without blanking the columns a file leaves out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RowError
from ..profiles import Member
from .columns import Columns, build_record, match_columns, normalise, parse_map, split_list
from .ids import derive_id
from .merge import ParsedRow, Plan, plan
from .reading import FORMATS, Table, decode, detect_format, read_table

__all__ = [
    "FORMATS", "Columns", "ParsedFile", "ParsedRow", "Plan", "Table", "decode", "derive_id",
    "detect_format", "match_columns", "normalise", "parse_file", "parse_map", "parse_members",
    "plan", "read_file", "read_members", "read_table", "split_list", "validate_records",
]


@dataclass
class ParsedFile:
    """A file read and matched to fields, not yet checked against the store."""

    fmt: str
    columns: Columns
    rows: list[ParsedRow]
    errors: list[RowError]
    encoding: str | None = None
    delimiter: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)  # the explicit mapping to remember

    def ids(self) -> list[str]:
        return [r.given["id"].strip() for r in self.rows if isinstance(r.given.get("id"), str)]

    def describe(self) -> dict[str, Any]:
        """How the file was read: format, encoding, delimiter, column -> field, and the
        columns kept aside."""
        return {"format": self.fmt, "encoding": self.encoding, "delimiter": self.delimiter,
                "columns": dict(self.columns.fields), "unknown_columns": list(self.columns.unknown)}


def parse_file(data: bytes | str, fmt: str, *, mapping: Mapping[str, str] | None = None,
               saved: Mapping[str, str] | None = None) -> ParsedFile:
    """Read ``data`` and match its columns; see :func:`~.columns.match_columns` for
    ``mapping`` and ``saved``. Never raises on bad rows (they are in ``errors``); raises
    :class:`~matcher.errors.ValidationFailed` for a mapping that names no column of the file."""
    table = read_table(data, fmt)
    cols = match_columns(table.columns, mapping, saved=saved)
    rows = []
    for row, cells in table.rows:
        given = build_record(cells, cols)
        id_from = ""
        if not isinstance(given.get("id"), str | int) or not str(given["id"]).strip():
            new_id, id_from = derive_id(given)
            if new_id is not None:
                given["id"] = new_id
        aside = {c: cells[c] for c in cols.unknown if c in cells and cells[c] not in (None, "")}
        rows.append(ParsedRow(row, given, id_from, aside))
    remembered = {**(saved or {}), **(mapping or {})}
    return ParsedFile(table.fmt, cols, rows, list(table.errors), table.encoding,
                      table.delimiter, remembered)


def read_file(path: str | Path, fmt: str | None = None, **kwargs) -> ParsedFile:
    """:func:`parse_file` on the bytes of ``path`` (format from its suffix unless given)."""
    return parse_file(Path(path).read_bytes(), fmt or detect_format(path), **kwargs)


def parse_members(data: bytes | str, fmt: str, **kwargs) -> list[Member]:
    """Parse and validate whole members (every required field present) from ``data``."""
    parsed = parse_file(data, fmt, **kwargs)
    return plan(parsed.rows, {}, parsed.errors, columns=parsed.columns).members


def read_members(path: str | Path, fmt: str | None = None, **kwargs) -> list[Member]:
    """Parse a file of members; see :func:`parse_members`."""
    return parse_members(Path(path).read_bytes(), fmt or detect_format(path), **kwargs)


def validate_records(records: list[Any], errors: list[RowError] | None = None) -> list[Member]:
    """Validate raw records (dicts keyed by field name, nothing renamed); duplicate ids are
    errors. Raises on any error."""
    errors = list(errors or [])
    rows = []
    for row, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            errors.append(RowError(row, "-", f"expected an object, got {type(record).__name__}"))
        else:
            rows.append(ParsedRow(row, record))
    return plan(rows, {}, errors).members

