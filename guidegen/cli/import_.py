"""guidegen import: question banks from elsewhere as a new content pack, and a report of what
was taken and what was skipped."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from guidegen.cli.common import TEXT, shown

FORMAT_NAMES = ("ask-md", "questions-md", "details", "csv")


@click.command(name="import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder for the new pack; it must be new or empty.",
)
@click.option(
    "--format",
    "forced",
    metavar="FORMAT",
    help="Read every source as this shape instead of detecting it: "
    + ", ".join(FORMAT_NAMES)
    + ".",
)
@click.option(
    "--role",
    "role_id",
    default="imported",
    show_default=True,
    help="Id of the role that prints every imported question (roles/ID.yaml).",
)
@click.option(
    "--role-title",
    type=TEXT,
    default="Imported questions",
    show_default=True,
    help="The role's title, printed on the cover.",
)
@click.option(
    "--title", type=TEXT, help="The workbook's title (default: the source's first '#' heading)."
)
@click.option(
    "--default-kind",
    type=click.Choice(["general", "technical"]),
    default="general",
    show_default=True,
    help="Kind of a question whose source does not give one and whose title does not ask "
    "for a story (those are behavioural).",
)
def import_(sources, out, forced, role_id, role_title, title, default_kind):
    """Turn question banks (Markdown, <details> banks, CSV) into a content pack.

    Each SOURCE is read as one of four shapes, detected per file: a list of questions to ask
    the interviewer, a page of interview questions, a <details><summary> bank, or a CSV with
    a question column.

    \b
    See docs/bring-your-own-bank.md.
    """
    from guidegen.content.load import load_bank
    from guidegen.content.packfiles import prepare_pack_dir
    from guidegen.errors import GuidegenError, UsageError
    from guidegen.importers import detect, pack
    from guidegen.paths import CONTENT_DIR

    if forced is not None and forced not in detect.FORMATS:
        raise UsageError(
            f"--format: unknown format '{forced}'; choose one of: {', '.join(detect.FORMATS)}"
        )
    choices = pack.Choices(role_id, role_title, title, default_kind)
    choices.check()
    read = [pack.Source(path, detect.parse_source(path, forced)) for path in sources]
    pack.settle_kinds(read, default_kind)
    if not any(source.records.questions for source in read):
        for source in read:
            for line in report_lines(source):
                click.echo(line)
        had_asks = any(source.records.ask_groups for source in read)
        raise GuidegenError(
            "no pack written: a pack needs at least one question, and "
            + ("the sources have only questions to ask" if had_asks else "no source had one")
        )
    prepare_pack_dir(out)  # refuses a folder with files in it, before anything is reported
    for source in read:
        for line in report_lines(source):
            click.echo(line)
    taken = set(load_bank(CONTENT_DIR).questions)  # the pack extends the built-in one
    planned = pack.plan(read, choices, taken)
    written = pack.write(planned, out)
    bank = load_bank(out)  # the pack must validate as written
    if planned.title_note:
        click.echo(f"note: {planned.title_note}")
    asks = sum(source.records.ask_items for source in read)
    click.echo(
        f"Wrote {shown(out)} ({counted(len(written), 'file')}): "
        f"{counted(len(planned.question_ids), 'question')}"
        + (f" and {counted(asks, 'question')} to ask" if asks else "")
        + f", all in role '{choices.role_id}'."
    )
    if bank.warnings:
        click.echo(
            f"{counted(len(bank.warnings), 'warning')}: raw HTML that will not print "
            f"(guidegen validate --content {shlex.quote(shown(out))} lists them)."
        )
    click.echo(f"Build it with: guidegen build --content {shlex.quote(shown(out))}")


def counted(count: int, singular: str, plural: str | None = None) -> str:
    from guidegen.importers.text import counted as words

    return words(count, singular, plural)


def report_lines(source) -> list[str]:
    """One line for the source, then one per thing skipped and per kind of line ignored."""
    from guidegen.importers.detect import SHAPE_NAMES

    records = source.records
    name = shown(source.path)
    questions = records.questions
    shape = SHAPE_NAMES[records.shape]
    if not questions and not records.ask_groups:
        lines = [f"0 questions found in {name}: {records.nothing_because} — read as {shape}"]
    else:
        parts = []
        if questions or not records.ask_groups:
            kinds = [
                counted(sum(q.kind == kind for q in questions), kind, kind)
                for kind in ("behavioural", "technical")
                if any(q.kind == kind for q in questions)
            ]
            parts.append(
                counted(len(questions), "question") + (f" ({', '.join(kinds)})" if kinds else "")
            )
        if records.ask_groups:
            parts.append(
                f"{counted(records.ask_items, 'question')} to ask in "
                f"{counted(len(records.ask_groups), 'group')}"
            )
        if records.skipped:
            parts.append(f"{len(records.skipped)} skipped")
        lines = [f"{name}: {', '.join(parts)} — read as {shape}"]
    for skipped in sorted(records.skipped, key=lambda s: s.line or 0):
        where = f"{name}:{skipped.line}" if skipped.line is not None else name
        lines.append(f"  {where}: {skipped.reason}")
    for (singular, plural), count in records.ignored.items():
        first = records.first_ignored[(singular, plural)]
        lines.append(
            f"  {name}: {counted(count, singular, plural)} skipped (first at line {first})"
        )
    return lines
