"""The attendee list of a workshop batch: reading the CSV, and a file name for every copy.

Spreadsheets export CSV in many shapes, so the reader is forgiving about what it can be sure of
(the separator, a byte-order mark, common column names such as "First name") and strict about
what it cannot (a quote that is never closed, a column named twice).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pathvalidate import sanitize_filename

from guidegen.errors import UsageError
from guidegen.inputs import csv_error, decode_utf8, read_limited, repeated_columns_error

MAX_CSV_BYTES = 50 * 1024 * 1024
# Room in a 255-byte name for "-9999.pdf"; a stem is cut to this many bytes, never mid-letter.
MAX_STEM_BYTES = 120
SEPARATORS = ",;\t|"

# Column names as spreadsheets and sign-up forms spell them, folded to lower case with single
# spaces, and the field each one means.
COLUMN_ALIASES = {
    "name": "name",
    "full name": "name",
    "fullname": "name",
    "attendee": "name",
    "participant": "name",
    "display name": "name",
    "first name": "first_name",
    "firstname": "first_name",
    "given name": "first_name",
    "forename": "first_name",
    "first": "first_name",
    "last name": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    "family name": "last_name",
    "last": "last_name",
    "company": "company",
    "organisation": "company",
    "organization": "company",
    "employer": "company",
    "role": "role",
    "edition": "edition",
    "language": "language",
    "lang": "language",
    "date": "date",
    "interview date": "date",
    "posting": "posting",
    "job advert": "posting",
    "job ad": "posting",
    "advert": "posting",
    "email": "email",
    "e-mail": "email",
    "email address": "email",
    "e-mail address": "email",
}
FIELDS = ("name", "company", "role", "edition", "date", "language", "posting")


@dataclass
class Row:
    number: int  # the CSV line the row starts on, the header being line 1
    index: int  # 0-based position among the data rows (for --shard)
    values: dict[str, str]
    file: str = ""
    file_note: str = ""  # why the file name differs from the person's name, if it does
    status: str = "pending"
    pages: int | None = None
    sheets: int | None = None

    @property
    def name(self) -> str:
        return self.values.get("name", "")

    @property
    def failed(self) -> bool:
        return self.status.startswith("error")

    @property
    def done(self) -> bool:
        return self.status == "ok" or self.status.startswith("skipped")


@dataclass
class Attendees:
    rows: list[Row]
    separator: str
    unused_columns: list[str] = field(default_factory=list)


def _fold(header: str) -> str:
    return re.sub(r"[\s_]+", " ", header.strip().lower())


def _separator(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        found = csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        found = ","
    header = text.split("\n", 1)[0]
    if found not in header:
        # A one-column file, or a sniffer fooled by commas inside the names: trust the header.
        counts = {sep: header.count(sep) for sep in SEPARATORS}
        best = max(counts, key=counts.__getitem__)
        found = best if counts[best] else ","
    return found


def read_attendees(path: Path) -> Attendees:
    """Rows of the CSV; UsageError naming the file and line if it cannot be used at all."""
    shown = click_path(path)
    raw = read_limited(
        path,
        shown,
        MAX_CSV_BYTES,
        lambda size: (
            f"{shown} is {size / 1_048_576:.0f} MB; an attendee list may be at "
            f"most {MAX_CSV_BYTES // 1_048_576} MB"
        ),
    )
    text = decode_utf8(raw, shown, "save it as 'CSV UTF-8'")
    separator = _separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    start = 1  # the line the row being read starts on (a quoted cell may span lines)
    try:
        header_cells = next(reader, [])
        header = [COLUMN_ALIASES.get(_fold(cell), _fold(cell)) for cell in header_cells]
        has_name = "name" in header or "first_name" in header
        if not has_name:
            hint = (
                " (the file looks separated by something other than commas; save it as "
                "comma- or semicolon-separated CSV)"
                if len(header) == 1 and header[0] and any(s in header[0] for s in " :")
                else ""
            )
            raise UsageError(
                f"{shown}:1: no name column in the header line; expected a column "
                "called name (or first name and last name), and optionally "
                f"{', '.join(FIELDS[1:])}{hint}"
            )
        known = set(COLUMN_ALIASES.values())
        repeated = repeated_columns_error(shown, header, known)
        if repeated:
            raise repeated
        unused = [
            cell for cell, key in zip(header_cells, header) if key not in known and cell.strip()
        ]
        rows: list[Row] = []
        start = reader.line_num + 1
        for cells in reader:
            # A quoted cell may span lines: the row is numbered by the line it starts on.
            number, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue  # a blank line is not an attendee
            values = {
                key: cells[i].strip() if i < len(cells) else ""
                for i, key in enumerate(header)
                if key in known
            }
            if not values.get("name"):
                parts = (values.get("first_name", ""), values.get("last_name", ""))
                values["name"] = " ".join(part for part in parts if part)
            rows.append(Row(number=number, index=len(rows), values=values))
    except csv.Error as error:
        raise csv_error(error, shown, start, reader.line_num) from None
    return Attendees(rows, separator, unused)


def click_path(path: Path) -> str:
    """A path as text that can always be printed, even if its bytes are not UTF-8."""
    return (
        str(path).encode("utf-8", "replace").decode("utf-8")
        if _has_surrogates(str(path))
        else str(path)
    )


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _slug(name: str) -> str:
    """Letters of any script and digits kept (accents too), everything else a single hyphen."""
    text = unicodedata.normalize("NFC", name).strip().lower()
    text = "".join(ch if (ch.isalnum() or ch in " -_") else " " for ch in text)
    # Right-to-left marks and other format characters are not alphanumeric and drop out above.
    return re.sub(r"[\s_-]+", "-", text).strip("-")


def file_stem(name: str) -> tuple[str, str]:
    """A safe file stem for a person's name, and a note if it had to change more than the
    usual lower-casing and hyphens (empty otherwise).

    pathvalidate knows the names Windows reserves (CON, NUL, COM1…) and cuts to a byte length
    without splitting a letter.
    """
    slug = _slug(name)
    if not slug:
        return "", "the name has no letters or digits to name a file with"
    stem = sanitize_filename(slug, platform="universal", max_len=MAX_STEM_BYTES)
    stem = stem.rstrip("-")
    if len(stem.encode()) < len(slug.encode()) and stem.rstrip("_") == slug[: len(stem)]:
        return stem, f"file name shortened to {MAX_STEM_BYTES} bytes"
    if stem != slug:
        return stem, f"'{slug}' is a reserved file name on Windows"
    return stem, ""


def assign_files(rows: list[Row]) -> None:
    """Unique file names for every row of the whole CSV (so shards agree on them)."""
    used: set[str] = set()
    for row in rows:
        stem, note = file_stem(row.name)
        if not stem:
            stem = f"attendee-{row.number}"
        name, count = f"{stem}.pdf", 1
        while name.casefold() in used:  # a second "Ada Lovelace", or a name ending in "-2"
            count += 1
            name = f"{stem}-{count}.pdf"
        if count > 1:
            note = "; ".join(
                filter(
                    None,
                    [note, f"numbered: the file name {stem}.pdf is already used by an earlier row"],
                )
            )
        # Case-folded, because two names differing only in case are one file on macOS and
        # Windows.
        used.add(name.casefold())
        row.file, row.file_note = name, note


def parse_shard(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise UsageError(f"--shard takes K/N with 1 <= K <= N, such as 2/4 (got {text!r})")
    return int(match.group(1)), int(match.group(2))


def in_shard(row: Row, shard: tuple[int, int]) -> bool:
    k, n = shard
    return row.index % n == k - 1


# A cell a spreadsheet would run as a formula: =, +, - or @ first, or a tab or carriage return
# that some spreadsheets skip before looking.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Text that opens as text in Excel, LibreOffice and Google Sheets (OWASP's advice: a
    leading apostrophe); numbers are left alone."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
