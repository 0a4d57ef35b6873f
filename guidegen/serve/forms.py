"""The two forms: what they offer (from the content), what they accept, and every refusal as
a sentence for the page (which field, what is wrong, what would be right).

A form's values are stored with the job as JSON (``inputs.json``) and become a
``WorkbookSpec`` through the same ``make_spec`` as every command's options, so the page
builds exactly what ``guidegen build`` or ``guidegen batch`` would with those options.
Nothing a browser sends is used as a path: the upload and the advert are saved under fixed
names in a folder the server named.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guidegen.errors import GuidegenError, UsageError
from guidegen.spec import EDITIONS, SHEETS

# The fixed names of what a job folder holds (no name a browser sent is ever used).
INPUTS = "inputs.json"
ATTENDEES = "attendees.csv"
ADVERT = "job-advert.md"

DEFAULT_ROLE = "devops-engineer"  # guidegen.select's default, for the list's first choice

EDITION_TEXT = {
    "study": "Study: sample answers and space to write",
    "practice": "Practice: no sample answers, more space (mock interviews)",
    "facilitator": "Facilitator: an answer key with follow-up questions",
}
PAPER_TEXT = {"a4": "A4", "letter": "US Letter"}
FORMATS = {
    "plain": "A PDF to print double-sided",
    "booklet": "A booklet: A5 pages two to a sheet, to fold and staple",
    "fillable": "Fillable on screen: every writing line a text field",
}


@dataclass(frozen=True)
class Limits:
    """What one request may bring; each refusal says the limit."""

    csv_bytes: int = 2 * 1024 * 1024
    rows: int = 1000
    advert_bytes: int = 200 * 1024  # guidegen.posting's own limit for --posting
    text_chars: int = 200  # a name or a company on the cover

    @property
    def shown_rows(self) -> str:
        return f"{self.rows:,}"

    @property
    def shown_csv_bytes(self) -> str:
        return _size(self.csv_bytes)

    @property
    def request_bytes(self) -> int:
        return self.csv_bytes + 2 * self.advert_bytes + 64 * 1024


@dataclass(frozen=True)
class Choices:
    """What the forms' lists offer, read once from the content."""

    roles: tuple[tuple[str, str], ...]  # (id, title)
    default_role: str
    languages: tuple[tuple[str, str], ...]  # (code, shown); "" is the content's own
    editions: tuple[tuple[str, str], ...] = tuple(
        (name, EDITION_TEXT.get(name, name)) for name in EDITIONS
    )
    papers: tuple[tuple[str, str], ...] = tuple(
        (name, PAPER_TEXT.get(name, name)) for name in SHEETS
    )
    formats: tuple[tuple[str, str], ...] = tuple(FORMATS.items())

    @classmethod
    def of(cls, bank) -> Choices:
        from guidegen.labels import available, label_dirs

        roles = tuple((role_id, role.title) for role_id, role in bank.roles.items())
        default = bank.workbook.default_role if bank.workbook else None
        if default is None:
            default = DEFAULT_ROLE if DEFAULT_ROLE in bank.roles else roles[0][0]
        own = (bank.workbook.language if bank.workbook else None) or "en"
        languages = [("", f"{language_name(own)}: the content's own")]
        languages += [
            (code, language_name(code))
            for code in available(label_dirs(bank.content_dir))
            if code != own
        ]
        return cls(roles=roles, default_role=default, languages=tuple(languages))

    def has(self, key: str, value: str) -> bool:
        return any(value == option for option, _ in getattr(self, key))


def language_name(code: str) -> str:
    """``de`` as "Deutsch (de)", in its own language where Babel knows it."""
    try:
        from babel import Locale

        name = Locale.parse(code.replace("-", "_")).get_display_name()
    except (ValueError, LookupError, TypeError):
        name = None
    return f"{name[:1].upper()}{name[1:]} ({code})" if name else code


@dataclass
class Parsed:
    """A form read: the values to store (as text), and what is wrong, by field."""

    inputs: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    advert: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


# Fields of each form, in the order the page lists them (and its error summary).
WORKSHOP_FIELDS: tuple[str, ...] = (
    *("attendees", "role", "edition", "paper", "format", "language", "company", "combined"),
    "advert",
)
WORKBOOK_FIELDS: tuple[str, ...] = (
    *("name", "company", "date", "role", "edition", "paper", "format", "language"),
    "advert",
)


def read_fields(
    form: Mapping[str, Any], names: tuple[str, ...], choices: Choices, limits: Limits
) -> Parsed:
    """The fields ``names`` of a posted form, checked; the CSV is read elsewhere."""
    parsed = Parsed()

    def text(key: str) -> str:
        value = form.get(key, "")
        return value if isinstance(value, str) else ""

    for key, label in (("role", "Role"), ("edition", "Edition"), ("paper", "Paper")):
        if key not in names:
            continue
        default = {"role": choices.default_role, "edition": "study", "paper": "a4"}[key]
        value = text(key) or default
        plural = {"role": "roles", "edition": "editions", "paper": "paper sizes"}[key]
        if not choices.has(key + "s", value):
            parsed.errors[key] = (
                f"{label}: '{value[:40]}' is not one of the {plural} this server offers; "
                "choose one from the list"
            )
        parsed.inputs[key] = value
    if "format" in names:
        value = text("format") or "plain"
        if value not in FORMATS:
            parsed.errors["format"] = "Format: choose one of the formats listed"
        parsed.inputs["format"] = value
    if "language" in names:
        value = text("language")
        if not choices.has("languages", value):
            parsed.errors["language"] = (
                f"Language: '{value[:20]}' is not a language this server has labels for; "
                "choose one from the list"
            )
        parsed.inputs["language"] = value
    for key, label in (("name", "Name"), ("company", "Company")):
        if key in names:
            value, problem = _line(text(key), label, limits.text_chars)
            parsed.inputs[key] = value
            if problem:
                parsed.errors[key] = problem
    if "date" in names:
        value = text("date").strip()
        parsed.inputs["date"] = value
        if value and not _iso_date(value):
            parsed.errors["date"] = (
                f"Interview date: '{value[:20]}' is not a date written as YYYY-MM-DD; "
                "give it like 2027-03-09, or leave it empty"
            )
    if "combined" in names:
        parsed.inputs["combined"] = "yes" if text("combined") else ""
    if "advert" in names:
        advert = text("advert").replace("\r\n", "\n").replace("\r", "\n")
        size = len(advert.encode("utf-8"))
        if size > limits.advert_bytes:
            parsed.errors["advert"] = (
                f"Job advert: the text is {size / 1024:.0f} KB, and the page takes at most "
                f"{limits.advert_bytes // 1024} KB: paste the advert itself, not a whole document"
            )
        elif advert.strip():
            parsed.advert = advert
    return parsed


def _line(value: str, label: str, limit: int) -> tuple[str, str]:
    value = unicodedata.normalize("NFC", value).strip()
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        return value, f"{label}: contains a tab, line break or control character; type it again"
    if len(value) > limit:
        return value, (
            f"{label}: {len(value)} characters is too long for the cover; give at most {limit}"
        )
    return value, ""


def _iso_date(value: str) -> dt.date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def spec_values(inputs: Mapping[str, str], content: Path, folder: Path) -> dict[str, Any]:
    """The stored form values as the option values ``cli.options.make_spec`` takes."""
    date = _iso_date(inputs.get("date", ""))
    advert = folder / ADVERT
    return {
        "content_dir": content,
        "role": inputs.get("role") or None,
        "edition": inputs.get("edition") or "study",
        "paper": inputs.get("paper") or "a4",
        "booklet": inputs.get("format") == "booklet",
        "fillable": inputs.get("format") == "fillable",
        "language": inputs.get("language") or None,
        "name": inputs.get("name") or None,
        "company": inputs.get("company") or None,
        "interview_date": dt.datetime(date.year, date.month, date.day) if date else None,
        "posting": advert if advert.is_file() else None,
    }


def make_spec(inputs: Mapping[str, str], content: Path, folder: Path):
    """The ``WorkbookSpec`` of a job's stored inputs; a ``UsageError`` worded for the page."""
    from guidegen.cli.options import make_spec as spec_of_options

    try:
        return spec_of_options(spec_values(inputs, content, folder))
    except GuidegenError as error:
        raise UsageError(page_message(str(error), folder)) from None


def page_message(message: str, folder: Path) -> str:
    """An engine's message without the server's paths: the advert is "The job advert", the
    attendee list is named by its line, a job folder's files by their own names."""
    advert = folder / ADVERT
    message = message.replace(f"--posting {advert}", "The job advert")
    attendees = str(folder / ATTENDEES)
    if message.startswith(attendees + ":"):
        rest = message[len(attendees) + 1 :]
        line = re.match(r"(\d+): (.*)", rest, re.S)
        message = (
            f"Line {line.group(1)} of the attendee list: {line.group(2)}"
            if line
            else f"The attendee list: {rest.strip()}"
        )
    elif message.startswith(attendees):
        message = "The attendee list" + message[len(attendees) :]
    return message.replace(f"{folder}/", "").replace(str(folder), "the job folder")


def spec_problem(inputs: Mapping[str, str], content: Path, folder: Path) -> tuple[str, str] | None:
    """(field, message) if the inputs do not make a spec (an advert with no requirement
    lines, a booklet that cannot be fillable...), else None."""
    try:
        make_spec(inputs, content, folder)
    except UsageError as error:
        text = str(error)
        return ("advert" if "job advert" in text.lower() else "format"), text
    return None


def read_attendee_list(path: Path, limits: Limits):
    """The uploaded attendee list read as ``batch`` reads one: (Attendees, None), or (None,
    the message for the page)."""
    from guidegen.batch.attendees import read_attendees

    try:
        table = read_attendees(path)
    except UsageError as error:
        return None, page_message(str(error), path.parent)
    count = len(table.rows)
    if not count:
        return None, "The attendee list has a header line but no attendees under it"
    if count > limits.rows:
        return None, (
            f"The attendee list has {count:,} attendees, and this page builds at most "
            f"{limits.rows:,} in one workshop: split the list into several files, or use "
            "guidegen batch --shard on a command line for a larger run"
        )
    return table, None


def upload_too_big(size: int, limits: Limits) -> str:
    return (
        f"The attendee list is {_size(size)}, and the page takes at most "
        f"{_size(limits.csv_bytes)}: is it the CSV export (File › Save as › CSV UTF-8), "
        "not the spreadsheet itself?"
    )


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(size / 1024))} KB"
