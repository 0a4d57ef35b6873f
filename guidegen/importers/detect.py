"""Reading a source file and telling which of the four shapes it is.

The rule, in order (``--format`` skips it):

1. ``.csv`` or ``.tsv``: a CSV bank.
2. Any other name that is not Markdown or text (``.md``, ``.mdx``, ``.markdown``, ``.txt``)
   is refused: give ``--format`` to read it anyway.
3. A ``<details>`` block starting a line outside fenced code: a details bank.
4. The file says it lists questions to ask the interviewer: its first heading, its front
   matter's ``title:`` or its file name contains "questions to ask", "ask the interviewer",
   "reverse interview" or a phrase like them (``text.ASK_PHRASES``): an ask list.
5. Otherwise a page of interview questions, in which a section whose heading says so is still
   read as an ask list.
"""

from __future__ import annotations

from pathlib import Path

from guidegen.errors import UsageError
from guidegen.importers import ask_markdown, csv_bank, details, questions_markdown
from guidegen.importers.images import plan_images
from guidegen.importers.markdown_lines import heading, read_lines
from guidegen.importers.records import CONTROL, SourceRecords
from guidegen.importers.text import (
    ends_with_question_mark,
    names_ask_list,
    remove_control_characters,
)
from guidegen.inputs import decode_utf8, read_limited

FORMATS = ("ask-md", "questions-md", "details", "csv")
SHAPE_NAMES = {
    "ask-md": "an ask list",
    "questions-md": "a questions page",
    "details": "a <details> bank",
    "csv": "a CSV bank",
}
MARKDOWN_SUFFIXES = (".md", ".mdx", ".markdown", ".txt")
CSV_SUFFIXES = (".csv", ".tsv")
MAX_SOURCE_BYTES = 20 * 1024 * 1024


def read_source(path: Path) -> str:
    """The text of a source (UTF-8, a byte-order mark allowed); UsageError saying why not."""
    if path.is_dir():
        raise UsageError(f"{path} is a folder; give the Markdown or CSV files in it")
    raw = read_limited(
        path,
        str(path),
        MAX_SOURCE_BYTES,
        lambda size: (
            f"{path} is {size / 1_048_576:.0f} MB; a source may be at most "
            f"{MAX_SOURCE_BYTES // 1_048_576} MB (split it)"
        ),
    )
    return decode_utf8(raw, str(path), "save it as UTF-8")


def detect_shape(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix not in MARKDOWN_SUFFIXES:
        raise UsageError(
            f"cannot tell what {path} is from its name: import reads Markdown "
            f"({', '.join(MARKDOWN_SUFFIXES)}) and CSV ({', '.join(CSV_SUFFIXES)}); give "
            f"--format ({', '.join(FORMATS)}) to read it as one of them"
        )
    scratch = SourceRecords("questions-md")
    lines = read_lines(text, scratch)
    if details.has_details(lines):
        return "details"
    first = next((found for found in map(heading, lines) if found), None)
    if names_ask_list(path.stem) or names_ask_list(scratch.title):
        return "ask-md"
    if first is not None and names_ask_list(first[1]) and not ends_with_question_mark(first[1]):
        return "ask-md"
    return "questions-md"


def parse_source(path: Path, forced: str | None = None) -> SourceRecords:
    """One source read into records, in the shape ``forced`` or the one it is detected as."""
    if forced is not None and forced not in FORMATS:
        raise UsageError(f"unknown format '{forced}'; choose one of: {', '.join(FORMATS)}")
    text = read_source(path)
    text, controls, first_control = remove_control_characters(text)
    shape = forced or detect_shape(path, text)
    if shape == "csv":
        records = csv_bank.parse(text, str(path))
    elif shape == "details":
        records = details.parse(text)
    elif shape == "ask-md":
        records = ask_markdown.parse(text)
    else:
        records = questions_markdown.parse(text, ask_sections=forced is None)
    if controls:
        records.ignore(CONTROL, first_control, controls)
    if shape != "csv":
        records.images = plan_images(path, text)
    return records
