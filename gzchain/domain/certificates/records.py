"""Reading the records of a batch from CSV or JSON text, and checking every one before anything is issued.

Rows are numbered as a person looking at the file would: in CSV the header is row 1 and the first record
row 2 (as a spreadsheet shows it); in JSON the first record is row 1.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from gzchain.domain.bounded_json import load_json_bounded
from gzchain.domain.certificates.templates import Template
from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa import JsonObject

MAX_PROBLEMS_SHOWN: Final = 10


@dataclass(frozen=True)
class Record:
    row: int
    values: dict[str, Any]


@dataclass(frozen=True)
class Problem:
    row: int
    field: str | None
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}" + (f", {self.field}" if self.field else "") + f": {self.reason}"


@dataclass(frozen=True)
class PreparedDocument:
    """One record turned into document data, with the file its wrapped document will be written to."""

    row: int
    data: JsonObject
    file_name: str


def parse_csv(text: str) -> list[Record]:
    """Records of a CSV file with a header row; empty lines are skipped."""
    return list(iter_csv(io.StringIO(text, newline="")))


def iter_csv(lines: Iterable[str]) -> Iterator[Record]:
    """The records of CSV text one at a time, so a batch of a million never sits in memory at once."""
    header, rows = _csv_rows(lines)
    for index, cells in rows:
        yield Record(index, dict(zip(header, cells, strict=True)))


def count_csv(lines: Iterable[str]) -> int:
    """How many records CSV text holds, refusing it as iter_csv would but without making the records."""
    _, rows = _csv_rows(lines)
    return sum(1 for _ in rows)


def _csv_rows(lines: Iterable[str]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header, checked, and the (row number, cells) of each record, each checked as it is read."""
    reader = csv.reader(_without_bom(lines))
    header_row = next(reader, None)
    if header_row is None or not any(cell.strip() for cell in header_row):
        raise InvalidInput("the file is empty: a header row naming the fields is required", field="row 1")
    header = [cell.strip() for cell in header_row]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise InvalidInput(f"column {duplicated[0]!r} appears twice", field="row 1")
    if "" in header:
        raise InvalidInput(f"column {header.index('') + 1} has no name", field="row 1")
    return header, _checked_rows(reader, len(header))


def _checked_rows(reader: Iterator[list[str]], width: int) -> Iterator[tuple[int, list[str]]]:
    for index, cells in enumerate(reader, start=2):
        if not "".join(cells).strip():  # an empty line, or only blank cells
            continue
        if len(cells) != width:
            raise InvalidInput(f"has {len(cells)} cells, the header has {width}", field=f"row {index}")
        yield index, cells


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    iterator = iter(lines)
    first = next(iterator, None)
    if first is not None:
        yield first.removeprefix("\ufeff")
        yield from iterator


def parse_json(text: str) -> list[Record]:
    """Records of a JSON file: a list of objects, or an object whose `records` is one."""
    raw = load_json_bounded(text, field="records")
    if isinstance(raw, dict) and "records" in raw:
        raw = raw["records"]
    if not isinstance(raw, list):
        raise InvalidInput('must be a list of records (objects), or {"records": [...]}', field="records")
    records = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise InvalidInput("a record must be a JSON object", field=f"row {index}")
        records.append(Record(index, item))
    return records


def prepare(
    template: Template, records: list[Record], advance: Callable[[int], None] | None = None
) -> list[PreparedDocument]:
    """Every record as document data (without its issuer, added at issuance), or no document at all.

    Raises one InvalidInput listing the first problems (row and field) when any record is bad, so that a
    batch is issued whole or not at all.
    """
    if not records:
        raise InvalidInput("there are no records to issue", field="records")
    prepared: list[PreparedDocument] = []
    problems: list[Problem] = []
    first_row_of: dict[str, int] = {}
    for record in records:
        try:
            data, name = template.document_for(record.values)
        except InvalidInput as exc:
            problems.append(Problem(record.row, exc.field, exc.reason))
            continue
        finally:
            if advance is not None:
                advance(1)
        earlier = first_row_of.setdefault(name.lower(), record.row)
        if earlier != record.row:
            problems.append(
                Problem(record.row, template.file_name_field, f"duplicates row {earlier} (file {name})")
            )
            continue
        prepared.append(PreparedDocument(record.row, data, name))
    if problems:
        raise rejection(problems, len(records))
    return prepared


def rejection(problems: list[Problem], total: int) -> InvalidInput:
    first, rest = problems[0], problems[1:MAX_PROBLEMS_SHOWN]
    message = first.reason
    if rest:
        message += "; also " + "; ".join(str(problem) for problem in rest)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        message += f"; and {len(problems) - MAX_PROBLEMS_SHOWN} more"
    message += f" ({len(problems)} of {total} rows invalid; nothing was issued)"
    field = f"row {first.row}" + (f", {first.field}" if first.field else "")
    return InvalidInput(message, field=field)
