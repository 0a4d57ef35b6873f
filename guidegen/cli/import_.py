"""guidegen import: question banks from elsewhere as a new content pack, and a report of what
was taken and what was skipped."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from guidegen.cli.common import TEXT, shown

FORMAT_NAMES = ("ask-md", "questions-md", "details", "csv")
RAW_HTML_SHOWN = 10  # warnings printed one by one; validate lists the rest


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
    "formats",
    metavar="[FILE=]FORMAT",
    multiple=True,
    help="Read a source as this shape instead of detecting it: "
    + ", ".join(FORMAT_NAMES)
    + ". FILE=FORMAT for one source (its path as given, or its file name); FORMAT alone for "
    "every source not named. Repeat for several.",
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
@click.option(
    "--lang",
    "language",
    metavar="CODE",
    help="The language the bank is written in (ja, ar, de, pt-BR ...): the PDF's language, its "
    "hyphenation and, for Arabic or Hebrew, right-to-left pages. Default: the language its "
    "script points at (Japanese, Korean, Arabic, Hebrew, Greek, Thai ...), else English.",
)
def import_(sources, out, formats, role_id, role_title, title, default_kind, language):
    """Turn question banks (Markdown, <details> banks, CSV) into a content pack.

    Each SOURCE is read as one of four shapes, detected per file: a list of questions to ask
    the interviewer, a page of interview questions, a <details><summary> bank, or a CSV with
    a question column.

    \b
    See docs/bring-your-own-bank.md.
    """
    from guidegen.content.load import load_bank
    from guidegen.content.packfiles import prepare_pack_dir
    from guidegen.errors import GuidegenError
    from guidegen.importers import detect, pack
    from guidegen.paths import CONTENT_DIR

    forced = forced_formats(formats, sources)
    choices = pack.Choices(role_id, role_title, title, default_kind, language)
    choices.check()
    read = [pack.Source(path, detect.parse_source(path, forced(path))) for path in sources]
    pack.settle_kinds(read, default_kind)
    if not any(s.records.questions or s.records.ask_groups for s in read):
        for source in read:
            for line in report_lines(source):
                click.echo(line)
        raise GuidegenError("no pack written: no source had a question or a question to ask")
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
    if planned.language_note:
        click.echo(f"note: {planned.language_note}")
    asks = sum(source.records.ask_items for source in read)
    if planned.question_ids:
        click.echo(
            f"Wrote {shown(out)} ({counted(len(written), 'file')}): "
            f"{counted(len(planned.question_ids), 'question')}"
            + (f" and {counted(asks, 'question')} to ask" if asks else "")
            + f", all in role '{choices.role_id}'."
        )
    else:
        click.echo(
            f"Wrote {shown(out)} ({counted(len(written), 'file')}): "
            f"{counted(asks, 'question')} to ask, printed in place of the built-in ones, "
            f"with the built-in roles and questions (guidegen roles --content "
            f"{shlex.quote(shown(out))} lists them)."
        )
    if bank.warnings:
        # Raw HTML the source had, dropped at print: named where it sits in the pack's files
        # (questions/<source>.yaml), so it can be rewritten as Markdown.
        click.echo(f"{counted(len(bank.warnings), 'warning')}: raw HTML that will not print:")
        for warning in bank.warnings[:RAW_HTML_SHOWN]:
            click.echo(f"  {warning.location}: {warning.message}")
        if len(bank.warnings) > RAW_HTML_SHOWN:
            click.echo(
                f"  ... and {len(bank.warnings) - RAW_HTML_SHOWN} more "
                f"(guidegen validate --content {shlex.quote(shown(out))} lists them all)"
            )
    click.echo(f"Build it with: guidegen build --content {shlex.quote(shown(out))}")


def forced_formats(values: tuple[str, ...], sources: tuple[Path, ...]):
    """``--format`` values as a function from a source to its forced shape (None: detect)."""
    from guidegen.errors import UsageError
    from guidegen.importers.detect import FORMATS

    every: str | None = None
    named: dict[Path, str] = {}
    for value in values:
        name, _, shape = value.rpartition("=")
        if shape not in FORMATS:
            raise UsageError(
                f"--format '{value}': unknown format '{shape}'; choose one of: "
                f"{', '.join(FORMATS)}, or FILE=FORMAT for one source"
            )
        if not name:
            every = shape
            continue
        matches = [s for s in sources if str(s) == name or s.name == name]
        if not matches:
            raise UsageError(
                f"--format '{value}': '{name}' is not one of the sources "
                f"({', '.join(str(s) for s in sources)})"
            )
        for source in matches:
            named[source] = shape
    return lambda source: named.get(source, every)


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
        if records.images is not None and records.images.copies:
            parts.append(f"{counted(len(records.images.copies), 'image')} copied")
        lines = [f"{name}: {', '.join(parts)} — read as {shape}"]
    for skipped in sorted(records.skipped, key=lambda s: s.line or 0):
        where = f"{name}:{skipped.line}" if skipped.line is not None else name
        lines.append(f"  {where}: {skipped.reason}")
    for line, url, why in records.images.not_copied if records.images is not None else []:
        lines.append(f"  {name}:{line}: image '{url}' not copied: {why}")
    for (singular, plural), count in records.ignored.items():
        first = records.first_ignored[(singular, plural)]
        lines.append(
            f"  {name}: {counted(count, singular, plural)} skipped (first at line {first})"
        )
    return lines
