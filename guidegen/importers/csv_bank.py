"""Shape 4: a CSV with a header row.

    question,answer,kind,tags
    What is a container?,"A process with its own view of the system.",technical,containers;linux

Columns, named case-insensitively: ``question`` (required), ``answer`` (Markdown, may span
lines inside quotes), ``kind`` (general, behavioural or technical; "behavioral" is accepted),
``tags`` (separated by commas, semicolons or bars inside the cell; each becomes a slug) and
``prompt`` (Markdown shown under the title). Any other column is reported as skipped. The
separator is the one the header line uses most: comma, semicolon or tab.

A row without question text is skipped and reported with its line; so is a row whose kind is
not one of the three (rather than guessing what was meant). A blank line is not a row. An
empty kind cell is decided as for Markdown sources (behavioural titles, else the default).
"""

from __future__ import annotations

import csv
import io

from guidegen.content.models import KINDS
from guidegen.errors import UsageError
from guidegen.importers.records import ImportedQuestion, SourceRecords
from guidegen.importers.text import clean_block, clean_title, known_kind, slugify
from guidegen.inputs import csv_error, repeated_columns_error

COLUMNS = ("question", "answer", "kind", "tags", "prompt")
SEPARATORS = ",;\t"


def parse(text: str, shown: str = "the CSV") -> SourceRecords:
    """Rows as questions; UsageError (with the line) for a file that is not readable CSV."""
    records = SourceRecords("csv")
    header_line = text.split("\n", 1)[0]
    counts = {sep: header_line.count(sep) for sep in SEPARATORS}
    separator = max(SEPARATORS, key=lambda sep: counts[sep]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    start = 1
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
        if "question" not in header:
            raise UsageError(
                f"{shown}:1: no 'question' column in the header row; the columns are "
                f"{', '.join(COLUMNS)} (only question is required)"
            )
        repeated = repeated_columns_error(shown, header, COLUMNS)
        if repeated:
            raise repeated
        for name in header:
            if name not in COLUMNS:
                shown_name = f"'{name}'" if name else "without a name"
                records.skip(1, f"column {shown_name} skipped (import reads {', '.join(COLUMNS)})")
        position = {name: header.index(name) for name in COLUMNS if name in header}
        start = reader.line_num + 1
        for cells in reader:
            # A quoted cell may span lines: a row is numbered by the line it starts on.
            number, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            row = {name: _cell(cells, index) for name, index in position.items()}
            _add_row(records, number, row)
    except csv.Error as error:
        raise csv_error(error, shown, start, reader.line_num) from None
    if not records.questions:
        records.nothing_because = "no row has question text"
    return records


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _add_row(records: SourceRecords, number: int, row: dict[str, str]) -> None:
    title = clean_title(row.get("question", ""))
    if not title:
        records.skip(number, "row with no question text")
        return
    kind = None
    if row.get("kind", "").strip():
        kind = known_kind(row["kind"])
        if kind is None:
            records.skip(
                number,
                f"kind '{row['kind'].strip()}' is not one of {', '.join(KINDS)}; row skipped",
            )
            return
    tags = [slugify(tag) for tag in _split_tags(row.get("tags", ""))]
    records.questions.append(
        ImportedQuestion(
            line=number,
            title=title,
            answer=_markdown(row.get("answer", "")),
            prompt=_markdown(row.get("prompt", "")),
            kind=kind,
            tags=list(dict.fromkeys(tag for tag in tags if tag)),
        )
    )


def _split_tags(cell: str) -> list[str]:
    for separator in ";|":
        cell = cell.replace(separator, ",")
    return [part.strip() for part in cell.split(",") if part.strip()]


def _markdown(cell: str) -> str | None:
    return clean_block(cell.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
