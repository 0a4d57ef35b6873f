"""The command line: parse options, call the pipeline, turn errors into messages and exit codes.

Exit codes: 0 done, 1 content or render problem, 2 usage problem (Click's own convention).
Nothing here imports WeasyPrint at module level: --help, roles and validate stay fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from guidegen import __version__
from guidegen.choices import EDITIONS, PAPERS
from guidegen.errors import ContentError, RenderError, UsageError
from guidegen.paths import CONTENT_DIR, DEFAULT_OUTPUT_DIR


class _CommaList(click.ParamType):
    name = "a,b,..."

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        return tuple(part.strip().lower() for part in str(value).split(",") if part.strip())


CSV = _CommaList()
# Measured (benchmarks/run.py, 100 copies, 2 cores): --jobs 2 took 4.4 s against 6.7 s.
DEFAULT_JOBS = min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                   else os.cpu_count() or 1)

content_option = click.option(
    "--content", "content_dir", type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=CONTENT_DIR, show_default="built-in content",
    help="Content folder to read (questions/, roles/, ask/, workbook.yaml).")


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


def _check_writable(out: Path, option: str = "--out") -> None:
    """Refuse an output path we cannot write before spending seconds on layout."""
    if out.exists() and out.is_dir():
        _usage(f"{option} {out} is a folder; give a file name such as {out / 'workbook.pdf'}")
    if out.exists() and not out.is_file() and not out.is_symlink():
        _usage(f"{option} {out} is not a regular file (a device or a pipe); give a file name")
    parent = out.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        _usage(f"cannot write {out}: {parent} is not a writable folder")
    if out.exists() and not os.access(out, os.W_OK):
        _usage(f"cannot write {out}: the file is read-only")


class _Commands(click.Group):
    """Every command ends a known failure the same way: one line, the right exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ContentError as error:
            _fail_content(error)
        except UsageError as error:
            _usage(str(error))
        except RenderError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(1)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guidegen")
def main() -> None:
    """Turn an interview-question bank into printable PDF workbooks."""


@main.command()
@content_option
@click.option("--role", "role_name", metavar="ROLE",
              help="Role id or unique prefix (default: devops-engineer). See `guidegen roles`.")
@click.option("--paper", type=click.Choice(PAPERS, case_sensitive=False), default="a4",
              show_default=True, help="Paper size.")
@click.option("--name", help="Reader's name, printed on the cover.")
@click.option("--company", help="Company interviewing; fills {company} in the questions.")
@click.option("--date", "interview_date", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Interview date, YYYY-MM-DD: on the cover; the study plan ends the day before.")
@click.option("--start", "plan_start", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="First day of the study plan, YYYY-MM-DD (default: today, at most 4 weeks "
                   "before --date).")
@click.option("--edition", type=click.Choice(EDITIONS), default="study", show_default=True,
              help="study: answers and space to write; practice: no answers, more space; "
                   "facilitator: answer key with follow-ups.")
@click.option("--tags", type=CSV, default="", help="Only questions with any of these tags (a,b).")
@click.option("--exclude-tags", type=CSV, default="", help="Leave out questions with these tags.")
@click.option("--kinds", type=CSV, default="",
              help="Only these kinds: general, behavioural, technical (comma-separated).")
@click.option("--count", type=click.IntRange(min=1),
              help="Pick this many questions at random, balanced across kinds.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed for --count: the same seed gives the same pick.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="PDF to write (default: output/ROLE.pdf).")
@click.option("--html", "write_html", is_flag=True,
              help="Also write the intermediate HTML beside the PDF.")
@click.option("--booklet", is_flag=True,
              help="Saddle-stitch booklet: A5 pages two-up on A4 (half-letter on Letter).")
@click.option("--fillable", is_flag=True,
              help="Every writing line a text field and every box a checkbox, for screens.")
def build(content_dir, role_name, paper, name, company, interview_date, plan_start, edition,
          tags, exclude_tags, kinds, count, seed, out, write_html, booklet, fillable):
    """Build one workbook PDF."""
    _refuse_fillable_booklet(fillable, booklet)
    from guidegen.html import Layout
    from guidegen.select import Criteria, Personal, select

    bank = _load(content_dir)
    personal = Personal(name=name or None, company=company or None,
                        date=interview_date.date() if interview_date else None,
                        start=plan_start.date() if plan_start else None)
    criteria = Criteria(tags=tags, exclude_tags=exclude_tags, kinds=kinds, count=count, seed=seed)
    selection = select(bank, role_name, personal, criteria, edition)
    out = out or DEFAULT_OUTPUT_DIR / f"{selection.role.id}.pdf"
    _check_writable(out)
    if write_html:
        if out.suffix.lower() == ".html":
            _usage(f"--out {out} would be overwritten by --html; give the PDF a .pdf name")
        _check_writable(out.with_suffix(".html"), "--html")

    from guidegen.build import build_pdf

    layout = Layout(paper=paper.lower(), edition=edition, fillable=fillable)
    result = build_pdf(bank, selection, layout, out, write_html, booklet)
    for refused in result.refused:
        click.echo(f"warning: refused reference {refused}", err=True)
    if result.html_path:
        click.echo(f"{result.html_path}")
    if booklet:
        click.echo(f"{result.path} ({result.pages} pages on {result.pages // 4} sheets, "
                   "print duplex, flip on the short edge)")
    else:
        click.echo(f"{result.path} ({result.pages} pages)")


@main.command()
@click.argument("attendees", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@content_option
@click.option("--role", "role_name", metavar="ROLE", help="Default role for rows without one.")
@click.option("--edition", type=click.Choice(EDITIONS), default="study", show_default=True,
              help="Default edition for rows without one.")
@click.option("--paper", type=click.Choice(PAPERS, case_sensitive=False), default="a4",
              show_default=True)
@click.option("--start", "plan_start", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="First day of every study plan, YYYY-MM-DD.")
@click.option("--out-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the copies (default: output/<csv name>).")
@click.option("--combined", is_flag=True,
              help="Also write _combined.pdf: every copy in order, each on a right-hand page.")
@click.option("--booklet", is_flag=True, help="Impose every copy as a saddle-stitch booklet.")
@click.option("--fillable", is_flag=True, help="Fillable fields in every copy.")
@click.option("--jobs", type=click.IntRange(min=1), default=DEFAULT_JOBS, show_default=True,
              help="Worker processes. Two halved the time of 100 copies on a 2-core machine "
                   "(benchmarks/run.py); more than the cores available does not help.")
@click.option("--shard", default="1/1", show_default=True, metavar="K/N",
              help="Render only rows whose index mod N is K-1, to split a run across machines.")
@click.option("--skip-existing", is_flag=True, help="Leave complete PDFs already there alone.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
def batch(attendees, content_dir, role_name, edition, paper, plan_start, out_dir, combined,
          booklet, fillable, jobs, shard, skip_existing, quiet):
    """One personalised workbook per row of a CSV (columns: name, company, role, edition, date)."""
    _refuse_fillable_booklet(fillable, booklet)
    from guidegen import batch as batching

    bank = _load(content_dir)
    shard_k_n = batching.parse_shard(shard)
    rows = batching.read_attendees(attendees)
    if role_name:
        from guidegen.select import resolve_role

        role_name = resolve_role(bank, role_name).id
    out_dir = out_dir or DEFAULT_OUTPUT_DIR / batching.safe_stem(attendees.stem)
    if out_dir.exists() and not out_dir.is_dir():
        _usage(f"--out-dir {out_dir} is a file; give a folder")
    _check_writable(out_dir / "manifest.csv", "--out-dir")
    batching.assign_files(rows)
    options = batching.BatchOptions(
        role=role_name, edition=edition, paper=paper.lower(), out_dir=out_dir,
        combined=combined, booklet=booklet, fillable=fillable, shard=shard_k_n,
        skip_existing=skip_existing,
        start=plan_start.date() if plan_start else None)
    mine = [row for row in rows if batching.in_shard(row, shard_k_n)]
    report = _progress_reporter(len(mine), quiet)
    with report as progress:
        result = batching.run_batch(bank, rows, options, progress, jobs=jobs)
    manifest = batching.write_manifest(result, options)
    for refused in result.refused:
        click.echo(f"warning: refused reference {refused}", err=True)
    for row in result.failed:
        click.echo(f"error: {attendees}: row {row.number}: {row.status.removeprefix('error: ')}",
                   err=True)
    written = sum(row.status == "ok" for row in result.rows)
    skipped = sum(row.status.startswith("skipped") for row in result.rows)
    summary = f"{written} written, {skipped} skipped, {len(result.failed)} failed in {out_dir}"
    click.echo(summary + f" (manifest: {manifest.name})")
    if result.combined_path:
        click.echo(str(result.combined_path))
    if result.failed:
        sys.exit(1)


class _progress_reporter:
    """A progress bar on a terminal; plain lines otherwise; nothing with --quiet."""

    def __init__(self, total: int, quiet: bool):
        self.total, self.quiet, self.bar = total, quiet, None

    def __enter__(self):
        if not self.quiet and sys.stdout.isatty():
            self.bar = click.progressbar(length=self.total, label="Building copies")
            self.bar.__enter__()
        return self.report

    def report(self, row) -> None:
        if self.bar is not None:
            self.bar.update(1)
        elif not self.quiet:
            click.echo(f"row {row.number}: {row.file or '-'}: {row.status}")

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)


def _refuse_fillable_booklet(fillable: bool, booklet: bool) -> None:
    if fillable and booklet:
        _usage("--fillable and --booklet cannot be combined: imposing pages two to a sheet drops "
               "form fields. Build the fillable file for screens and the booklet for paper.")


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
        cells = [cell.ljust(width) if i == 0 else cell.rjust(width)
                 for i, (cell, width) in enumerate(zip(row, widths))]
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
    click.echo(f"{content_dir}: {len(bank.questions)} questions, {len(bank.roles)} roles, "
               f"{sum(len(g.items) for g in bank.ask_groups)} questions to ask — all valid.")


def problem_table(problems) -> str:
    """LOCATION  FIELD  VALUE  PROBLEM, one row per problem, columns aligned."""
    header = ("LOCATION", "FIELD", "VALUE", "PROBLEM")
    rows = [header] + [(p.location, p.field or "-", p.value or "-", p.message) for p in problems]
    widths = [min(48, max(len(row[i]) for row in rows)) for i in range(3)]
    lines = ("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3]
             for row in rows)
    return "\n".join(lines)


@main.command()
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the schema to this file instead of standard output.")
def schema(out):
    """Print the JSON Schema of the content format (for editors and CI)."""
    from guidegen.schema import content_schema_json

    text = content_schema_json()
    if out is None:
        click.echo(text, nl=False)
        return
    _check_writable(out)
    from guidegen.pdf import write_atomically  # light: WeasyPrint is imported only to render

    write_atomically(out, lambda stream: stream.write(text.encode("utf-8")))
    click.echo(str(out))
