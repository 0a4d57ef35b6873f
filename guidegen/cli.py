"""The command line: parse options, call the pipeline, turn errors into messages and exit codes.

Exit codes: 0 done, 1 content or render problem, 2 usage problem (Click's own convention).
Nothing here imports WeasyPrint at module level: --help, roles and validate stay fast.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import click

from guidegen import __version__
from guidegen.choices import EDITIONS, PAPERS
from guidegen.errors import ContentError, GuidegenError, Interrupted, OutputError, UsageError
from guidegen.paths import CONTENT_DIR, DEFAULT_OUTPUT_DIR


def _refuse_undecodable(value: str, param) -> str:
    # On POSIX, argument bytes that are not UTF-8 arrive as lone surrogates; printed later,
    # they would crash. Say which option they came from instead.
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        name = param.opts[0] if param is not None and param.opts else "an argument"
        raise click.BadParameter(
            f"{name} contains bytes that are not UTF-8 text; type it in a "
            "UTF-8 terminal or pass it from a UTF-8 file",
            param=param,
        )
    return value


class _Text(click.ParamType):
    """A string option whose value must be printable text."""

    name = "text"

    def convert(self, value, param, ctx):
        return _refuse_undecodable(str(value), param)


class _CommaList(click.ParamType):
    name = "a,b,..."

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        text = _refuse_undecodable(str(value), param)
        return tuple(part.strip().lower() for part in text.split(",") if part.strip())


TEXT = _Text()
CSV = _CommaList()


def shown(path: Path) -> str:
    """A path as printable text, whatever bytes its name has."""
    return click.format_filename(path)


# Measured (benchmarks/run.py, 100 copies, 2 cores): --jobs 2 took 4.4 s against 6.7 s.
DEFAULT_JOBS = min(
    2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
)

content_option = click.option(
    "--content",
    "content_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=CONTENT_DIR,
    show_default="built-in content",
    help="Content folder to read (questions/, roles/, ask/, workbook.yaml).",
)


def _fail_content(error: ContentError) -> None:
    for problem in error.problems:
        click.echo(f"error: {problem.one_line()}", err=True)
    count = len(error.problems)
    click.echo(f"{count} problem{'s' if count != 1 else ''} found in the content.", err=True)
    sys.exit(1)


def _load(content_dir: Path):
    # Imported here, not at the top: pydantic and PyYAML are not needed for --help.
    from guidegen.load import load_bank

    return load_bank(content_dir)


def _usage(message: str) -> None:
    click.echo(f"usage error: {message}", err=True)
    sys.exit(2)


def _check_writable(out: Path) -> None:
    """Refuse an output path we cannot write before spending seconds on layout."""
    from guidegen.output import refuse_unwritable

    refuse_unwritable(out)


class _OutFile(click.ParamType):
    """An output file name: not a folder, with the suffix of what will be written."""

    name = "file"

    def __init__(self, suffix: str):
        self.suffix = suffix

    def convert(self, value, param, ctx):
        if isinstance(value, Path):
            return value
        text = _refuse_undecodable(os.fsdecode(value), param)
        option = param.opts[0] if param is not None and param.opts else "the output"
        path = Path(text)
        if text.endswith(("/", os.sep)) or text in (".", ".."):
            self.fail(
                f"{text} names a folder; give a file name such as "
                f"{shown(path / ('workbook' + self.suffix))}",
                param,
                ctx,
            )
        if path.suffix.lower() != self.suffix:
            self.fail(
                f"{text} must end in {self.suffix}, because that is what {option} "
                f"writes (for example {shown(path.with_suffix(self.suffix))})",
                param,
                ctx,
            )
        return path


def _on_sigterm(signum, frame):
    raise Interrupted(143)


class _Commands(click.Group):
    """Every command ends a known failure the same way: one line, the right exit code."""

    def invoke(self, ctx):
        previous = None
        if threading.current_thread() is threading.main_thread():
            # SIGTERM unwinds through Python like Ctrl-C, so temporary files are removed.
            previous = signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            return super().invoke(ctx)
        except ContentError as error:
            _fail_content(error)
        except OutputError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)
        except UsageError as error:
            _usage(str(error))
        except GuidegenError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Interrupted as interruption:
            click.echo("stopped", err=True)
            sys.exit(interruption.code)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guidegen")
def main() -> None:
    """Turn an interview-question bank into printable PDF workbooks."""


@main.command()
@content_option
@click.option(
    "--role",
    "role_name",
    metavar="ROLE",
    type=TEXT,
    help="Role id or unique prefix (default: devops-engineer). See `guidegen roles`.",
)
@click.option(
    "--paper",
    type=click.Choice(PAPERS, case_sensitive=False),
    default="a4",
    show_default=True,
    help="Paper size.",
)
@click.option("--name", type=TEXT, help="Reader's name, printed on the cover.")
@click.option(
    "--company", type=TEXT, help="Company interviewing; fills {company} in the questions."
)
@click.option(
    "--date",
    "interview_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Interview date, YYYY-MM-DD: on the cover; the study plan ends the day before.",
)
@click.option(
    "--start",
    "plan_start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="First day of the study plan, YYYY-MM-DD (default: today, at most 4 weeks before --date).",
)
@click.option(
    "--edition",
    type=click.Choice(EDITIONS),
    default="study",
    show_default=True,
    help="study: answers and space to write; practice: no answers, more space; "
    "facilitator: answer key with follow-ups.",
)
@click.option("--tags", type=CSV, default="", help="Only questions with any of these tags (a,b).")
@click.option("--exclude-tags", type=CSV, default="", help="Leave out questions with these tags.")
@click.option(
    "--kinds",
    type=CSV,
    default="",
    help="Only these kinds: general, behavioural, technical (comma-separated).",
)
@click.option(
    "--count",
    type=click.IntRange(min=1),
    help="Pick this many questions at random, balanced across kinds.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed for --count: the same seed gives the same pick.",
)
@click.option("--out", type=_OutFile(".pdf"), help="PDF to write (default: output/ROLE.pdf).")
@click.option(
    "--html", "write_html", is_flag=True, help="Also write the intermediate HTML beside the PDF."
)
@click.option(
    "--booklet",
    is_flag=True,
    help="Saddle-stitch booklet: A5 pages two-up on A4 (half-letter on Letter).",
)
@click.option(
    "--fillable",
    is_flag=True,
    help="Every writing line a text field and every box a checkbox, for screens.",
)
def build(
    content_dir,
    role_name,
    paper,
    name,
    company,
    interview_date,
    plan_start,
    edition,
    tags,
    exclude_tags,
    kinds,
    count,
    seed,
    out,
    write_html,
    booklet,
    fillable,
):
    """Build one workbook PDF."""
    _refuse_fillable_booklet(fillable, booklet)
    if role_name is not None and not role_name.strip():
        _usage(
            "--role is empty; give a role id, or leave --role out for the default "
            "(see `guidegen roles`)"
        )
    from guidegen.html import Layout
    from guidegen.select import Criteria, Personal, select

    with _Status() as status:
        status("Loading the content")
        bank = _load(content_dir)
        personal = Personal(
            name=name or None,
            company=company or None,
            date=interview_date.date() if interview_date else None,
            start=plan_start.date() if plan_start else None,
        )
        criteria = Criteria(
            tags=tags, exclude_tags=exclude_tags, kinds=kinds, count=count, seed=seed
        )
        selection = select(bank, role_name, personal, criteria, edition)
        out = out or DEFAULT_OUTPUT_DIR / f"{selection.role.id}.pdf"
        _check_writable(out)
        if write_html:
            _check_writable(out.with_suffix(".html"))

        from guidegen.build import build_pdf

        status(f"Laying out {len(selection.questions)} questions")
        layout = Layout(paper=paper.lower(), edition=edition, fillable=fillable)
        result = build_pdf(bank, selection, layout, out, write_html, booklet)
    for refused in result.refused:
        click.echo(f"warning: refused reference {refused}", err=True)
    if result.html_path:
        click.echo(shown(result.html_path))
    if booklet:
        click.echo(
            f"{shown(result.path)} ({result.pages} pages on {result.pages // 4} sheets, "
            "print duplex, flip on the short edge)"
        )
    else:
        click.echo(f"{shown(result.path)} ({result.pages} pages)")


class _Status:
    """On a terminal, one line on stderr saying what a long command is doing; else nothing."""

    def __enter__(self):
        self.live = None
        if sys.stderr.isatty():
            from rich.console import Console

            self.live = Console(stderr=True).status("")
            self.live.__enter__()
        return self.update

    def update(self, what: str) -> None:
        if self.live is not None:
            self.live.update(f"{what}…")

    def __exit__(self, *exc):
        if self.live is not None:
            self.live.__exit__(*exc)


@main.command()
@click.argument("attendees", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@content_option
@click.option(
    "--role", "role_name", metavar="ROLE", type=TEXT, help="Default role for rows without one."
)
@click.option(
    "--edition",
    type=click.Choice(EDITIONS),
    default="study",
    show_default=True,
    help="Default edition for rows without one.",
)
@click.option(
    "--paper", type=click.Choice(PAPERS, case_sensitive=False), default="a4", show_default=True
)
@click.option(
    "--start",
    "plan_start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="First day of every study plan, YYYY-MM-DD.",
)
@click.option(
    "--out-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the copies (default: output/<csv name>).",
)
@click.option(
    "--combined",
    is_flag=True,
    help="Also write _combined.pdf: every copy in order, each on a right-hand page.",
)
@click.option("--booklet", is_flag=True, help="Impose every copy as a saddle-stitch booklet.")
@click.option("--fillable", is_flag=True, help="Fillable fields in every copy.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=DEFAULT_JOBS,
    show_default=True,
    help="Worker processes. Two halved the time of 100 copies on a 2-core machine "
    "(benchmarks/run.py); more than the cores available does not help.",
)
@click.option(
    "--shard",
    default="1/1",
    show_default=True,
    metavar="K/N",
    help="Render only rows whose index mod N is K-1, to split a run across machines.",
)
@click.option("--skip-existing", is_flag=True, help="Leave complete PDFs already there alone.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
def batch(
    attendees,
    content_dir,
    role_name,
    edition,
    paper,
    plan_start,
    out_dir,
    combined,
    booklet,
    fillable,
    jobs,
    shard,
    skip_existing,
    quiet,
):
    """One personalised workbook per row of a CSV (columns: name, company, role, edition, date)."""
    _refuse_fillable_booklet(fillable, booklet)
    if role_name is not None and not role_name.strip():
        _usage("--role is empty; give a role id, or leave --role out for the default")
    from guidegen import attendees as attendee_list
    from guidegen import batch as batching

    bank = _load(content_dir)
    shard_k_n = attendee_list.parse_shard(shard)
    table = attendee_list.read_attendees(attendees)
    rows = table.rows
    if table.unused_columns:
        click.echo(
            f"warning: {shown(attendees)}: column(s) not used: {', '.join(table.unused_columns)}",
            err=True,
        )
    if role_name is not None:
        from guidegen.select import resolve_role

        role_name = resolve_role(bank, role_name).id
    out_dir = out_dir or DEFAULT_OUTPUT_DIR / (
        attendee_list.file_stem(attendees.stem)[0] or "batch"
    )
    from guidegen.output import existing_kind

    if existing_kind(out_dir) not in (None, "folder", "link") or (
        out_dir.exists() and not out_dir.is_dir()
    ):
        _usage(f"--out-dir {shown(out_dir)} is a file; give a folder")
    _check_writable(out_dir / "manifest.csv")
    attendee_list.assign_files(rows)
    options = batching.BatchOptions(
        role=role_name,
        edition=edition,
        paper=paper.lower(),
        out_dir=out_dir,
        combined=combined,
        booklet=booklet,
        fillable=fillable,
        shard=shard_k_n,
        skip_existing=skip_existing,
        start=plan_start.date() if plan_start else None,
    )
    label = shown(attendees)
    progress = (
        _QuietProgress(label)
        if quiet
        else (_BarProgress(label) if sys.stderr.isatty() else _LinesProgress(label))
    )
    in_shard = [row for row in rows if attendee_list.in_shard(row, shard_k_n)]
    progress.expect(in_shard)
    with progress:
        result = batching.run_batch(bank, rows, options, progress, jobs=jobs)
    manifest = batching.write_manifest(result, options)
    for refused in result.refused:
        click.echo(f"warning: refused reference {refused}", err=True)
    progress.finish()
    written = sum(row.status == "ok" for row in result.rows)
    skipped = sum(row.status.startswith("skipped") for row in result.rows)
    summary = f"{written} written, {skipped} skipped, {len(result.failed)} failed"
    if result.interrupted:
        missing = sum(row.status.startswith("not written") for row in result.rows)
        summary += f", {missing} not written (interrupted)"
    click.echo(f"{summary} in {shown(out_dir)} (manifest: {manifest.name})")
    if result.combined_path:
        click.echo(shown(result.combined_path))
    if result.interrupted:
        sys.exit(result.interrupted)
    if result.failed:
        sys.exit(1)


class _LinesProgress:
    """Without a terminal: one line per row, in the CSV's order, as soon as it is known.

    Rows finish out of order when workers share the work; each is held back until the rows
    before it are done, so a log reads like the CSV. A failure goes to stderr, once.
    """

    def __init__(self, label: str):
        self.label = label
        self.order: list[int] = []
        self.ready: dict[int, object] = {}
        self.next = 0

    def expect(self, rows) -> None:
        self.order = [row.number for row in rows]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def start(self, total_units: int) -> None:
        pass

    def advance(self, units: int) -> None:
        pass

    def row_done(self, row) -> None:
        self.ready[row.number] = row
        while self.next < len(self.order) and self.order[self.next] in self.ready:
            self._print(self.ready.pop(self.order[self.next]))
            self.next += 1

    def _print(self, row) -> None:
        if row.failed:
            click.echo(
                f"error: {self.label}: row {row.number}: {row.status.removeprefix('error: ')}",
                err=True,
            )
        else:
            click.echo(f"row {row.number}: {row.file}: {row.status}")

    def finish(self) -> None:
        """Print what is still held back (after an interruption, rows behind a gap)."""
        for number in self.order[self.next :]:
            if number in self.ready:
                self._print(self.ready.pop(number))
        self.next = len(self.order)


class _QuietProgress(_LinesProgress):
    """--quiet: nothing for rows that worked; each failure once, in order, at the end."""

    def _print(self, row) -> None:
        if row.failed:
            super()._print(row)


class _BarProgress(_LinesProgress):
    """On a terminal: a bar with an honest time estimate (work is counted in units where a
    body's layout weighs as much as 100 copies); failures print above it as they happen."""

    def __enter__(self):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = Console(stderr=True)
        self.bar = Progress(
            TextColumn("Building copies"),
            BarColumn(),
            TextColumn("{task.fields[copies]}"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self.task = self.bar.add_task("copies", total=None, copies=f"0/{len(self.order)}")
        self.done = 0
        self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        self.bar.__exit__(*exc)
        return False

    def start(self, total_units: int) -> None:
        self.bar.update(self.task, total=max(total_units, 1))

    def advance(self, units: int) -> None:
        self.bar.advance(self.task, units)

    def _print(self, row) -> None:
        self.done += 1
        self.bar.update(self.task, copies=f"{self.done}/{len(self.order)}")
        if row.failed:
            self.console.print(
                f"error: {self.label}: row {row.number}: {row.status.removeprefix('error: ')}",
                markup=False,
                highlight=False,
            )


def _refuse_fillable_booklet(fillable: bool, booklet: bool) -> None:
    if fillable and booklet:
        _usage(
            "--fillable and --booklet cannot be combined: imposing pages two to a sheet drops "
            "form fields. Build the fillable file for screens and the booklet for paper."
        )


@main.command()
@content_option
def roles(content_dir):
    """List the roles in the content folder with their question counts."""
    from guidegen.models import KINDS
    from guidegen.select import role_questions

    bank = _load(content_dir)
    rows = []
    for role in sorted(bank.roles.values(), key=lambda r: r.id):
        questions = role_questions(bank, role)
        counts = {kind: sum(q.kind == kind for q in questions) for kind in KINDS}
        rows.append((role.id, str(len(questions)), *(str(counts[k]) for k in KINDS), role.title))
    header = ("ROLE", "QUESTIONS", "GENERAL", "BEHAVIOURAL", "TECHNICAL", "TITLE")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths))
        ]
        click.echo("  ".join(cells + [row[-1]]))


@main.command()
@content_option
def validate(content_dir):
    """Check the content folder and report every problem at once, as a table."""
    from guidegen.load import load_bank

    try:
        bank = load_bank(content_dir)
    except ContentError as error:
        click.echo(problem_table(error.problems))
        count = len(error.problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found.", err=True)
        sys.exit(1)
    click.echo(
        f"{content_dir}: {len(bank.questions)} questions, {len(bank.roles)} roles, "
        f"{sum(len(g.items) for g in bank.ask_groups)} questions to ask — all valid."
    )


def problem_table(problems) -> str:
    """LOCATION  FIELD  VALUE  PROBLEM, one row per problem, columns aligned."""
    header = ("LOCATION", "FIELD", "VALUE", "PROBLEM")
    rows = [header] + [(p.location, p.field or "-", p.value or "-", p.message) for p in problems]
    widths = [min(48, max(len(row[i]) for row in rows)) for i in range(3)]
    lines = (
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3]
        for row in rows
    )
    return "\n".join(lines)


@main.command()
@click.option(
    "--out",
    type=_OutFile(".json"),
    help="Write the schema to this file instead of standard output.",
)
def schema(out):
    """Print the JSON Schema of the content format (for editors and CI)."""
    from guidegen.schema import content_schema_json

    text = content_schema_json()
    if out is None:
        click.echo(text, nl=False)
        return
    from guidegen.output import write_atomically

    write_atomically(out, text.encode("utf-8"))
    click.echo(shown(out))
