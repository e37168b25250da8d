"""Read members from CSV (header row), JSON (array of objects) or JSONL.

Parsing is all-or-nothing: :func:`parse_members` either returns every row as a
:class:`~matcher.profiles.Member` or raises :class:`~matcher.errors.ValidationFailed` listing
every bad row as ``row N, field F: message``. Rows are numbered 1-based over the data
records (the CSV header is not a row).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import RowError, ValidationFailed
from .profiles import FIELDS, Member

FORMATS = ("csv", "json", "jsonl")


def detect_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix in FORMATS:
        return suffix
    raise ValueError(f"cannot tell the format of {str(path)!r}; expected .csv, .json or .jsonl")


def read_members(path: str | Path, fmt: str | None = None) -> list[Member]:
    """Parse a file of members; see :func:`parse_members`."""
    data = Path(path).read_bytes()
    return parse_members(data, fmt or detect_format(path))


def parse_members(data: bytes | str, fmt: str) -> list[Member]:
    """Parse and validate members from ``data`` in format ``fmt`` (csv, json or jsonl)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationFailed(
                [RowError(0, "file", f"not UTF-8 text (byte {exc.start}: {exc.object[exc.start:exc.start+1]!r})")]
            ) from None
    else:
        text = data.lstrip("\ufeff")
    records, errors = _RECORDS[fmt](text)
    members = validate_records(records, errors)
    return members


def validate_records(records: list[Any], errors: list[RowError] | None = None) -> list[Member]:
    """Validate raw records (dicts); duplicate ids are errors. Raises on any error."""
    errors = list(errors or [])
    reported = {e.row for e in errors}
    members: list[Member] = []
    first_row: dict[str, int] = {}
    for row, record in enumerate(records, start=1):
        if row in reported:
            continue
        if not isinstance(record, dict):
            errors.append(RowError(row, "-", f"expected an object, got {_show(record)}"))
            continue
        try:
            member = Member.model_validate(record)
        except ValidationError as exc:
            errors.extend(_row_errors(row, exc))
            continue
        if member.id in first_row:
            errors.append(
                RowError(row, "id", f"duplicate id {member.id!r} (first in row {first_row[member.id]})")
            )
            continue
        first_row[member.id] = row
        members.append(member)
    if errors:
        raise ValidationFailed(sorted(errors, key=lambda e: e.row))
    return members


def _row_errors(row: int, exc: ValidationError) -> list[RowError]:
    out = []
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"]]
        field = ".".join(loc) if loc else "-"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown field; expected one of {', '.join(FIELDS)}"
        out.append(RowError(row, field, f"{msg} (got {_show(err.get('input'))})"))
    return out


def _show(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _csv_records(text: str) -> tuple[list[Any], list[RowError]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        return [], [RowError(0, "header", "the CSV file is empty; expected a header row")]
    errors = []
    records = []
    for row, raw in enumerate(reader, start=1):
        if None in raw:
            errors.append(RowError(row, "-", f"more cells than header columns: {_show(raw[None])}"))
            records.append(None)
            continue
        # Empty cells are "not given", so defaults and optional fields apply.
        records.append({k.strip(): v for k, v in raw.items() if k and v not in (None, "")})
    return records, errors


def _json_records(text: str) -> tuple[list[Any], list[RowError]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [RowError(0, "file", f"invalid JSON at line {exc.lineno}: {exc.msg}")]
    if not isinstance(data, list):
        return [], [RowError(0, "file", f"expected a JSON array of objects, got {type(data).__name__}")]
    return data, []


def _jsonl_records(text: str) -> tuple[list[Any], list[RowError]]:
    records: list[Any] = []
    errors = []
    for row, line in enumerate((ln for ln in text.splitlines() if ln.strip()), start=1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            errors.append(RowError(row, "-", f"invalid JSON: {exc.msg}"))
            records.append(None)  # keeps the numbering; the row is reported already
    return records, errors

_RECORDS = {"csv": _csv_records, "json": _json_records, "jsonl": _jsonl_records}
