"""Personalised copies for a room: read the attendee CSV, render each distinct body once,
stamp every attendee's cover onto it, write each copy atomically, report every row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from guidegen.build import render_pdf, render_workbook
from guidegen.choices import EDITIONS
from guidegen.errors import RenderError, UsageError
from guidegen.html import BOOKLET_PAGE, Layout, document_title
from guidegen.load import Bank
from guidegen.pdf import write_atomically
from guidegen.select import Criteria, Personal, resolve_role, select

COLUMNS = ("name", "company", "role", "edition", "date", "email")
MAX_STEM = 60


@dataclass
class Row:
    number: int            # the CSV line number, header being line 1
    index: int             # 0-based position among the data rows (for --shard)
    values: dict[str, str]
    file: str = ""
    status: str = "pending"
    pages: int | None = None


@dataclass(frozen=True)
class BatchOptions:
    role: str | None = None
    edition: str = "study"
    paper: str = "a4"
    out_dir: Path = Path("output/batch")
    combined: bool = False
    booklet: bool = False
    fillable: bool = False
    shard: tuple[int, int] = (1, 1)
    skip_existing: bool = False
    start: dt.date | None = None


@dataclass
class BatchResult:
    rows: list[Row] = field(default_factory=list)
    combined_path: Path | None = None
    refused: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Row]:
        return [row for row in self.rows if row.status.startswith("error")]


def read_attendees(path: Path) -> list[Row]:
    """Rows of the CSV (UTF-8, with or without BOM); UsageError if it cannot be used at all."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV") \
            from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
        if "name" not in header:
            raise UsageError(f"{path}: no 'name' column in the header line; expected columns: "
                             f"{', '.join(COLUMNS)} (name required)")
        repeated = sorted({key for key in header if key in COLUMNS and header.count(key) > 1})
        if repeated:
            raise UsageError(f"{path}: the header names {', '.join(repeated)} more than once")
        rows = []
        start = reader.line_num + 1
        for cells in reader:
            # A quoted cell may span lines: the row is numbered by the line it starts on.
            number, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue  # a blank line is not an attendee
            values = {key: cells[i].strip() if i < len(cells) else ""
                      for i, key in enumerate(header) if key in COLUMNS}
            rows.append(Row(number=number, index=len(rows), values=values))
    except csv.Error as exc:
        raise UsageError(f"{path}:{reader.line_num}: not a readable CSV row ({exc})") from None
    return rows


def safe_stem(name: str) -> str:
    """A file name from a person's name: letters of any script kept, accents kept,
    separators, slashes and dots turned into single hyphens, nothing that climbs a folder."""
    text = unicodedata.normalize("NFC", name).strip().lower()
    text = "".join(ch if (ch.isalnum() or ch in " -_") else " " for ch in text)
    # Right-to-left marks and other format characters are not alphanumeric and drop out above.
    text = re.sub(r"[\s_-]+", "-", text).strip("-")
    return text[:MAX_STEM].rstrip("-")


def assign_files(rows: list[Row]) -> None:
    """Unique file names for every row of the whole CSV (so shards agree on them)."""
    used: set[str] = set()
    for row in rows:
        stem = safe_stem(row.values.get("name", "")) or f"attendee-{row.number}"
        name, count = f"{stem}.pdf", 1
        while name in used:  # a second "Ada Lovelace", or a name that ends in "-2" already
            count += 1
            name = f"{stem}-{count}.pdf"
        used.add(name)
        row.file = name


def parse_shard(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise UsageError(f"--shard takes K/N with 1 <= K <= N, such as 2/4 (got {text!r})")
    return int(match.group(1)), int(match.group(2))


def in_shard(row: Row, shard: tuple[int, int]) -> bool:
    k, n = shard
    return row.index % n == k - 1


def _existing_pages(path: Path) -> int | None:
    """The page count of a complete, readable PDF at ``path``; None for anything else."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages) or None
    except (OSError, pikepdf.PdfError):
        return None


@dataclass(frozen=True)
class _Job:
    """What a copy's body depends on: copies that agree share one laid-out body."""

    role: str
    edition: str
    company: str | None
    date: dt.date | None


def _row_job(row: Row, bank: Bank, options: BatchOptions) -> tuple[_Job, Personal]:
    values = row.values
    name = values.get("name", "")
    if not name:
        raise UsageError("empty name")
    edition = (values.get("edition") or options.edition).lower()
    if edition not in EDITIONS:
        raise UsageError(f"unknown edition '{edition}'; choose one of: {', '.join(EDITIONS)}")
    role = resolve_role(bank, values.get("role") or options.role).id
    date = None
    if values.get("date"):
        try:
            date = dt.date.fromisoformat(values["date"])
        except ValueError:
            raise UsageError(f"date '{values['date']}' is not YYYY-MM-DD") from None
    company = values.get("company") or None
    return _Job(role, edition, company, date), Personal(name, company, date, options.start)


def run_batch(bank: Bank, rows: list[Row], options: BatchOptions,
              progress: Callable[[Row], None] = lambda row: None, jobs: int = 1) -> BatchResult:
    """Write one PDF per row of the shard; a bad row is reported and skipped."""
    mine = [row for row in rows if in_shard(row, options.shard)]
    if jobs > 1 and len(mine) > 1:
        result = _run_in_processes(bank, mine, options, progress, jobs)
    else:
        result = _run_rows(bank, mine, options, progress)
    if options.combined:
        result.combined_path = _write_combined(result.rows, options)
    return result


def _run_in_processes(bank, rows, options, progress, jobs) -> BatchResult:
    """Split the rows between worker processes; each lays out its own bodies."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    slices = [rows[j::jobs] for j in range(jobs) if rows[j::jobs]]
    result = BatchResult(rows=rows)
    by_number = {row.number: row for row in rows}
    with ProcessPoolExecutor(max_workers=len(slices)) as pool:
        futures = [pool.submit(_worker, bank.content_dir, part, options) for part in slices]
        for future in as_completed(futures):
            done, refused = future.result()
            result.refused += [r for r in refused if r not in result.refused]
            for row in done:
                by_number[row.number].status, by_number[row.number].pages = row.status, row.pages
                progress(by_number[row.number])
    return result


def _worker(content_dir: Path, rows: list[Row], options: BatchOptions):
    from guidegen.load import load_bank

    result = _run_rows(load_bank(content_dir), rows, options, lambda row: None)
    return result.rows, result.refused


def _run_rows(bank: Bank, rows: list[Row], options: BatchOptions,
              progress: Callable[[Row], None]) -> BatchResult:
    result = BatchResult(rows=rows)
    jobs: dict[_Job, list[tuple[Row, Personal]]] = {}
    for row in result.rows:
        target = options.out_dir / row.file
        existing = _existing_pages(target) if options.skip_existing else None
        if existing:
            row.status, row.pages = "skipped: already there", existing
            progress(row)
            continue
        try:
            job, personal = _row_job(row, bank, options)
        except UsageError as error:
            row.status = f"error: {error}"
            progress(row)
            continue
        jobs.setdefault(job, []).append((row, personal))

    paper = BOOKLET_PAGE[options.paper] if options.booklet else options.paper
    for job, members in jobs.items():
        try:
            shared = Personal(company=job.company, date=job.date, start=options.start)
            selection = select(bank, job.role, shared, Criteria(), job.edition)
            layout = Layout(paper=paper, edition=job.edition, cover_mode="base",
                            fillable=options.fillable)
            rendered = render_workbook(bank, selection, layout,
                                       pad_to=4 if options.booklet else 1)
            body, pages = rendered.pdf, rendered.pages
            result.refused += [r for r in rendered.refused if r not in result.refused]
        except (UsageError, RenderError) as error:
            for row, _ in members:
                row.status = f"error: {error}"
                progress(row)
            continue
        for part in _overlay_batches(members):
            overlays = render_pdf(bank, selection,
                                  replace(layout, cover_mode="overlay", fillable=False),
                                  "cover_overlay.html", [personal for _, personal in part])
            _write_copies(part, body, pages, overlays, selection, bank, options)
            for row, _ in part:
                progress(row)
    return result


def _overlay_batches(members):
    """Groups of copies whose covers are laid out in one document (one font subset).

    A name with a character beyond the Basic Multilingual Plane (an emoji) puts a surrogate
    pair into the font's ToUnicode map, which pdfminer and pypdf cannot read, and with it
    every name in that document. Such names get a document of their own.
    """
    def astral(personal: Personal) -> bool:
        return any(ord(ch) > 0xFFFF for ch in f"{personal.name}{personal.company or ''}")

    plain = [member for member in members if not astral(member[1])]
    return ([plain] if plain else []) + [[member] for member in members if astral(member[1])]


def _write_copies(members, body, pages, overlays, selection, bank, options):
    from guidegen.postprocess import impose, open_pdf, personalise

    with open_pdf(overlays) as overlay_pdf:
        for index, (row, personal) in enumerate(members):
            title = document_title(replace(selection, personal=personal), bank.workbook)
            copy = personalise(body, overlay_pdf, index, title, personal.name)
            if options.booklet:
                copy = impose(copy, options.paper)
            try:
                write_atomically(options.out_dir / row.file, lambda stream, data=copy:
                                 stream.write(data))
            except (OSError, RenderError) as error:  # a full disk, a file made read-only
                row.status = f"error: cannot write {row.file}: {error}"
                continue
            row.pages = pages
            row.status = "ok"


def _write_combined(rows: list[Row], options: BatchOptions) -> Path | None:
    import pikepdf

    from guidegen.postprocess import combine

    done = [row for row in rows if row.status == "ok" or row.status.startswith("skipped")]
    if not done:
        return None
    k, n = options.shard
    # A leading underscore never comes out of safe_stem, so no attendee's copy can clash.
    name = "_combined.pdf" if n == 1 else f"_combined-{k}-of-{n}.pdf"
    path = options.out_dir / name
    try:
        parts = [(row.values.get("name", row.file), Path(row.file).stem,
                  (options.out_dir / row.file).read_bytes()) for row in done]
        data = combine(parts)
    except (OSError, pikepdf.PdfError) as exc:
        raise RenderError(f"cannot combine the copies in {options.out_dir}: {exc}") from None
    write_atomically(path, lambda stream: stream.write(data))
    return path


def write_manifest(result: BatchResult, options: BatchOptions) -> Path:
    k, n = options.shard
    path = options.out_dir / ("manifest.csv" if n == 1 else f"manifest-{k}-of-{n}.csv")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["row", "name", "file", "pages", "status"])
    for row in result.rows:
        ok = row.status == "ok" or row.status.startswith("skipped")
        writer.writerow([row.number, row.values.get("name", ""), row.file if ok else "",
                         row.pages or "", row.status])
    write_atomically(path, lambda stream: stream.write(buffer.getvalue().encode("utf-8")))
    return path
