"""Personalised copies for a room: render each distinct body once, stamp every attendee's cover
onto it, write each copy atomically, report every row, and stop cleanly when told to.

Worker processes (``--jobs``) never outlive the batch: each asks the kernel to end it when its
parent dies (Linux), watches its parent in a thread everywhere else, and ignores Ctrl-C, which
the parent handles by stopping every worker and writing the manifest of what is done.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import queue
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from guidegen.batch.attendees import Row, in_shard, spreadsheet_safe
from guidegen.content.load import Bank
from guidegen.errors import GuidegenError, Interrupted, RenderError, UsageError
from guidegen.output import write_atomically
from guidegen.processes import die_with_parent
from guidegen.select import resolve_role
from guidegen.spec import Person, WorkbookSpec

# Laying out a body costs about as much as stamping and writing 100 copies (2 s against 20 ms
# in benchmarks/run.py): progress counts in those units so that its time estimate is honest.
BODY_COST = 100


@dataclass(frozen=True)
class BatchOptions:
    """The command's spec (each row replaces some of its fields) and what batch adds."""

    spec: WorkbookSpec = field(default_factory=WorkbookSpec)
    out_dir: Path = Path("output/batch")
    combined: bool = False
    shard: tuple[int, int] = (1, 1)
    skip_existing: bool = False
    csv_folder: Path | None = None  # where a row's posting file is looked for

    @property
    def booklet(self) -> bool:
        return self.spec.booklet


@dataclass
class BatchResult:
    rows: list[Row] = field(default_factory=list)
    combined_path: Path | None = None
    refused: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # characters that print as empty boxes
    interrupted: int | None = None  # the exit code an interruption asks for (130, 143)

    @property
    def failed(self) -> list[Row]:
        return [row for row in self.rows if row.failed]


class Progress:
    """What a batch reports as it goes; the CLI draws it."""

    def start(self, total_units: int) -> None: ...

    def advance(self, units: int) -> None: ...

    def row_done(self, row: Row) -> None: ...


@dataclass
class _Work:
    """One body to lay out and the copies to stamp from it (possibly a share of a larger
    group, so that two workers can each take half of a room with one role)."""

    spec: WorkbookSpec  # the copies' spec without a name: what the shared body depends on
    members: list[tuple[Row, Person]]

    @property
    def cost(self) -> int:
        return BODY_COST + len(self.members)


def _written_before_the_stop(row: Row, options: BatchOptions, started: float) -> None:
    """After an interruption: a copy this run finished (its report may have been lost with
    the stopped worker) counts as written; anything else was not."""
    path = options.out_dir / row.file
    try:
        fresh = path.stat().st_mtime >= started - 1 and not path.is_symlink()
    except OSError:
        fresh = False
    pages = _existing_pages(path) if fresh else None
    if pages:
        row.status, row.pages = "ok", pages
        row.sheets = _sheets(pages * (2 if options.booklet else 1), options.booklet)
    else:
        row.status = "not written: the batch was interrupted"


def row_spec(
    row: Row, bank: Bank, base: WorkbookSpec, csv_folder: Path | None = None
) -> WorkbookSpec:
    """The command's spec with this row's fields in place of the command's options.

    A ``posting`` cell names a job advert by a path relative to the CSV's folder, which it may
    not leave (``../``, an absolute path or a symbolic link out of it is refused)."""
    values = row.values
    name = values.get("name", "")
    if not name:
        raise UsageError("empty name")
    changes: dict = {}
    if values.get("edition"):
        changes["edition"] = values["edition"].lower()
    if values.get("role"):
        changes["role"] = values["role"]
    if values.get("language"):
        changes["language"] = values["language"]
    if values.get("posting"):
        changes["posting"] = _row_posting(values["posting"], csv_folder)
    spec = base.with_changes(**changes)  # checks the edition
    spec = spec.with_changes(role=resolve_role(bank, spec.role).id)
    date = base.person.date
    if values.get("date"):
        try:
            date = dt.date.fromisoformat(values["date"])
        except ValueError:
            raise UsageError(f"date '{values['date']}' is not YYYY-MM-DD") from None
    company = values.get("company") or base.person.company
    return spec.with_person(name=name, company=company, date=date)


def _row_posting(cell: str, csv_folder: Path | None):
    from guidegen.posting import read_posting

    folder = (csv_folder or Path(".")).resolve()
    path = (folder / cell).resolve()
    if not path.is_relative_to(folder):
        raise UsageError(
            f"posting '{cell}' is outside the CSV's folder; put the advert beside the CSV "
            "and name it by a relative path"
        )
    return read_posting(path, f"posting '{cell}'")


def _existing_pages(path: Path) -> int | None:
    """The page count of a complete, readable PDF at ``path``; None for anything else."""
    import pikepdf

    if path.is_symlink():
        return None
    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages) or None
    except (OSError, pikepdf.PdfError):
        return None


def _sheets(pages: int, booklet: bool) -> int:
    """Sheets of paper one copy of ``pages`` workbook pages takes, printed double-sided (a
    booklet sheet carries four pages)."""
    return pages // 4 if booklet else (pages + 1) // 2


def plan(
    bank: Bank, rows: list[Row], options: BatchOptions, jobs: int, progress: Progress
) -> list[list[_Work]]:
    """Check every row of the shard and share the work out between ``jobs`` workers.

    Rows that are skipped or refused are reported at once; the rest become work.
    """
    groups: dict[WorkbookSpec, list[tuple[Row, Person]]] = {}
    for row in rows:
        existing = _existing_pages(options.out_dir / row.file) if options.skip_existing else None
        if existing:
            row.status, row.pages = "skipped: already there", existing
            row.sheets = _sheets(existing * (2 if options.booklet else 1), options.booklet)
            progress.row_done(row)
            continue
        try:
            spec = row_spec(row, bank, options.spec, options.csv_folder)
        except UsageError as error:
            row.status = f"error: {error}"
            progress.row_done(row)
            continue
        groups.setdefault(spec.body_key, []).append((row, spec.person))
    work = [_Work(spec, members) for spec, members in groups.items()]
    # Fewer bodies than workers: split the largest groups, each half laying out its own body,
    # as long as a share still has enough copies to pay for that second layout.
    while len(work) < jobs:
        largest = max(work, key=lambda item: len(item.members), default=None)
        if largest is None or len(largest.members) < 2 * 4:
            break
        half = len(largest.members) // 2
        work.remove(largest)
        work += [
            _Work(largest.spec, largest.members[:half]),
            _Work(largest.spec, largest.members[half:]),
        ]
    shares: list[list[_Work]] = [[] for _ in range(max(1, min(jobs, len(work))))]
    for item in sorted(work, key=lambda item: -item.cost):
        min(shares, key=lambda share: sum(i.cost for i in share)).append(item)
    return [share for share in shares if share]


def run_batch(
    bank: Bank,
    rows: list[Row],
    options: BatchOptions,
    progress: Progress | None = None,
    jobs: int = 1,
) -> BatchResult:
    """Write one PDF per row of the shard; a bad row is reported and skipped.

    Ctrl-C (KeyboardInterrupt) or ``Interrupted`` (the CLI turns SIGTERM into it) stops the
    batch: worker processes are stopped, the rows not yet written are marked so, and
    ``result.interrupted`` holds the exit code (130 or 143) for the caller to use once it has
    written the manifest.
    """
    progress = progress or Progress()
    mine = [row for row in rows if in_shard(row, options.shard)]
    result = BatchResult(rows=mine)
    started = time.time()
    try:
        shares = plan(bank, mine, options, jobs, progress)
        progress.start(sum(item.cost for share in shares for item in share))
        if len(shares) > 1:
            _run_in_processes(bank, shares, options, progress, result)
        else:
            for item in shares[0] if shares else []:
                _run_work(bank, item, options, _Local(progress, result))
    except (Interrupted, KeyboardInterrupt) as interruption:
        result.interrupted = getattr(interruption, "code", 130)
        for row in mine:
            if row.status == "pending":
                _written_before_the_stop(row, options, started)
        return result
    if options.combined:
        result.combined_path = _write_combined(result.rows, options)
    return result


class _Local:
    """Reports from work done in this process."""

    def __init__(self, progress: Progress, result: BatchResult):
        self.progress, self.result = progress, result

    def body(self, refused: list[str]) -> None:
        self.result.refused += [r for r in refused if r not in self.result.refused]
        self.progress.advance(BODY_COST)

    def row(self, row: Row) -> None:
        self.progress.advance(1)
        self.progress.row_done(row)

    def warning(self, message: str) -> None:
        if message not in self.result.warnings:
            self.result.warnings.append(message)


def _run_work(
    bank: Bank, item: _Work, options: BatchOptions, report, layout_jobs: int | None = None
) -> None:
    from guidegen.book.model import prepare
    from guidegen.layout.session import missing_glyphs_warning
    from guidegen.workbook import render_cover_overlays, render_workbook

    try:
        book = prepare(bank, item.spec, cover_mode="base")
        rendered = render_workbook(book, layout_jobs)
    except GuidegenError as error:
        report.body([])
        for row, _ in item.members:
            row.status = f"error: {error}"
            report.row(row)
        return
    report.body(rendered.refused)
    if rendered.missing_glyphs:  # in the content: every copy of this body has them
        report.warning(missing_glyphs_warning(rendered.missing_glyphs))
    for part in _overlay_batches(item.members):
        people = [person for _, person in part]
        overlays, missing = render_cover_overlays(book.with_changes(people=people))
        for row, person in part:
            details = f"{person.name}{person.company or ''}"
            if unprintable := [char for char in missing if char in details]:
                report.warning(
                    f"row {row.number} ({row.name}): {missing_glyphs_warning(unprintable)}"
                )
        _write_copies(part, rendered, overlays, options, report)


def _overlay_batches(members):
    """Groups of copies whose covers are laid out in one document (one font subset).

    A name with a character beyond the Basic Multilingual Plane (an emoji) puts a surrogate
    pair into the font's ToUnicode map, which pdfminer and pypdf cannot read, and with it
    every name in that document. Such names get a document of their own.
    """

    def astral(person: Person) -> bool:
        return any(ord(ch) > 0xFFFF for ch in f"{person.name}{person.company or ''}")

    plain = [member for member in members if not astral(member[1])]
    return ([plain] if plain else []) + [[member] for member in members if astral(member[1])]


def _write_copies(members, rendered, overlays, options, report):
    from guidegen.book.model import document_title
    from guidegen.pdf.postprocess import CoverStamper, open_pdf

    with open_pdf(overlays) as overlay_pdf, CoverStamper(rendered.body) as stamper:
        for index, (row, person) in enumerate(members):
            title = document_title(rendered.book, person)
            copy = rendered.finished(stamper.copy(overlay_pdf, index, title, person.name))
            try:
                write_atomically(options.out_dir / row.file, copy)
            except GuidegenError as error:  # a full disk, a planted link, a read-only file
                row.status = f"error: {error}"
            else:
                row.pages = rendered.pages // 2 if options.booklet else rendered.pages
                row.sheets = _sheets(rendered.pages, options.booklet)
                row.status = "ok"
            report.row(row)


# ---- worker processes ----


def _run_in_processes(
    bank: Bank,
    shares: list[list[_Work]],
    options: BatchOptions,
    progress: Progress,
    result: BatchResult,
) -> None:
    import multiprocessing

    # fork shares the loaded bank and imported modules with no start-up cost; elsewhere (or
    # where fork is unavailable) spawn re-imports, which costs about half a second a worker.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    messages = context.Queue()
    by_number = {row.number: row for share in shares for item in share for row, _ in item.members}
    workers = []
    try:
        for share in shares:
            # Process is on each concrete context, not on the BaseContext get_context(str) gives.
            worker = context.Process(  # type: ignore[attr-defined]
                target=_worker_main, args=(bank, share, options, messages, os.getpid()), daemon=True
            )
            worker.start()
            numbers = {row.number for item in share for row, _ in item.members}
            workers.append((worker, numbers))
        running = {worker.pid for worker, _ in workers}
        while running:
            try:
                message = messages.get(timeout=0.2)
            except queue.Empty:
                for worker, numbers in workers:
                    if worker.pid in running and worker.exitcode not in (None, 0):
                        running.discard(worker.pid)
                        _worker_died(worker, numbers, by_number, progress)
                continue
            kind = message[0]
            if kind == "body":
                result.refused += [r for r in message[1] if r not in result.refused]
                progress.advance(BODY_COST)
            elif kind == "warning":
                if message[1] not in result.warnings:
                    result.warnings.append(message[1])
            elif kind == "row":
                _, number, status, pages, sheets = message
                row = by_number[number]
                row.status, row.pages, row.sheets = status, pages, sheets
                progress.advance(1)
                progress.row_done(row)
            elif kind == "done":
                running.discard(message[1])
    finally:
        for worker, _ in workers:
            if worker.is_alive():
                worker.terminate()
        # Read what the workers still send while they stop, so none of them waits on a full
        # pipe; a worker that has not stopped within 5 s is killed.
        deadline = time.monotonic() + 5
        while any(worker.is_alive() for worker, _ in workers) and time.monotonic() < deadline:
            _drain(messages, by_number)
            for worker, _ in workers:
                worker.join(timeout=0.05)
        for worker, _ in workers:
            if worker.is_alive():
                worker.kill()
                worker.join()
        # After an interruption, copies may be on disk whose news is still in the queue.
        _drain(messages, by_number)
        messages.close()


def _drain(messages, by_number: dict[int, Row]) -> None:
    while True:
        try:
            message = messages.get(timeout=0.05)
        except (queue.Empty, OSError, EOFError, ValueError):
            return
        if message[0] == "row":
            _, number, status, pages, sheets = message
            row = by_number[number]
            row.status, row.pages, row.sheets = status, pages, sheets


def _worker_died(worker, numbers: set[int], by_number: dict[int, Row], progress) -> None:
    for number in sorted(numbers):
        row = by_number[number]
        if row.status == "pending":
            row.status = (
                "error: the worker process writing this copy stopped unexpectedly "
                f"(exit code {worker.exitcode})"
            )
            progress.row_done(row)


class _Queued:
    """Reports from a worker process, sent to the parent as they happen."""

    def __init__(self, messages):
        self.messages = messages

    def body(self, refused: list[str]) -> None:
        self.messages.put(("body", list(refused)))

    def row(self, row: Row) -> None:
        self.messages.put(("row", row.number, row.status, row.pages, row.sheets))

    def warning(self, message: str) -> None:
        self.messages.put(("warning", message))


def _worker_main(
    bank: Bank, share: list[_Work], options: BatchOptions, messages, parent: int
) -> None:
    die_with_parent(parent)
    # Ctrl-C reaches the whole process group; the parent decides what happens, so a worker
    # ignores it. SIGTERM (from the parent, or the kernel when the parent dies) exits through
    # Python so that a half-written temporary file is removed.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def stop(signum, frame):
        messages.cancel_join_thread()  # exit without waiting for the parent to read
        sys.exit(143)

    signal.signal(signal.SIGTERM, stop)
    report = _Queued(messages)
    for item in share:
        # The workers already share the machine's cores: each lays out its books alone.
        _run_work(bank, item, options, report, layout_jobs=1)
    messages.put(("done", os.getpid()))
    messages.close()
    messages.join_thread()


# ---- combined file and manifest ----


def _write_combined(rows: list[Row], options: BatchOptions) -> Path | None:
    import pikepdf

    from guidegen.pdf.postprocess import combine

    done = [row for row in rows if row.done]
    if not done:
        return None
    k, n = options.shard
    # A leading underscore never starts a copy's file name, so no attendee's copy can clash.
    name = "_combined.pdf" if n == 1 else f"_combined-{k}-of-{n}.pdf"
    path = options.out_dir / name
    try:
        parts = [
            (row.name or row.file, Path(row.file).stem, (options.out_dir / row.file).read_bytes())
            for row in done
        ]
        data = combine(parts)
    except (OSError, pikepdf.PdfError) as exc:
        raise RenderError(f"cannot combine the copies in {options.out_dir}: {exc}") from None
    write_atomically(path, data)
    return path


MANIFEST_COLUMNS = ["row", "name", "file", "pages", "sheets", "status", "note"]


def write_manifest(result: BatchResult, options: BatchOptions) -> Path:
    """manifest.csv: one line per row of the shard, safe to open in a spreadsheet."""
    k, n = options.shard
    path = options.out_dir / ("manifest.csv" if n == 1 else f"manifest-{k}-of-{n}.csv")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    for row in result.rows:
        cells = [
            row.number,
            row.name,
            row.file if row.done else "",
            row.pages or "",
            row.sheets or "",
            row.status,
            row.file_note,
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    write_atomically(path, buffer.getvalue().encode("utf-8"))
    return path


def read_manifest(path: Path) -> list[dict[str, str]]:
    """A manifest read back, with the spreadsheet guard removed from each cell."""
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    for row in rows:
        for key, value in row.items():
            if value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r":
                row[key] = value[1:]
    return rows
