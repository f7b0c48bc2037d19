"""Readers for the evaluation files' formats, with errors that name the file, line and field.

Used by the loaders of :mod:`steerbound.empirical.data.loaders`: gzip is detected by its magic
bytes,
text is UTF-8 (a byte-order mark is dropped), CSV follows RFC 4180 (fields may hold newlines;
a record's line number is that of its first physical line), JSON Lines are split on ``"\\n"``
only. Every problem raises :class:`DataFormatError` (a ``ValueError``) with 1-based lines.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class DataFormatError(ValueError):
    """A data file does not have the expected format; names the file, line and/or field."""

    def __init__(
        self, path: str | Path, message: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.path, self.line, self.field = Path(path), line, field
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")


def read_text(path: Path) -> str:
    """The file's text: gzip detected by its magic bytes, UTF-8 (a BOM is dropped)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFormatError(path, f"cannot read file ({exc})") from exc
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DataFormatError(path, f"corrupt gzip data ({exc})") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataFormatError(path, f"not valid UTF-8 ({exc.reason})", line=line) from exc


def csv_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(first_line_number, fields)`` for every non-empty CSV record (RFC 4180)."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""), strict=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataFormatError(path, f"malformed CSV ({exc})", line=start) from exc
        if row:
            yield start, row
        start = reader.line_num + 1


def jsonl_objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for every non-blank line of a JSON Lines file."""
    # split on "\n" only: str.splitlines would also split on U+2028 inside JSON strings
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataFormatError(path, f"invalid JSON ({exc.msg})", line=number) from exc
        if not isinstance(obj, dict):
            raise DataFormatError(path, "expected a JSON object", line=number)
        yield number, obj


def string_field(path: Path, obj: dict[str, Any], name: str, line: int | None) -> str:
    """``obj[name]`` if it is a string, else a :class:`DataFormatError` naming the field."""
    value = obj.get(name)
    if not isinstance(value, str):
        problem = "missing" if name not in obj else f"expected a string, got {type(value).__name__}"
        raise DataFormatError(path, problem, line=line, field=name)
    return value
