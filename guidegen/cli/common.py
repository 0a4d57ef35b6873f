"""What every command shares: parameter types, printing paths, loading the content, errors.

Nothing here imports WeasyPrint, pydantic or PyYAML at import time: --help stays fast.
"""

from __future__ import annotations

import gc
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from guidegen.errors import ContentError, Problem
from guidegen.paths import CONTENT_DIR


def refuse_undecodable(value: str, param) -> str:
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


class Text(click.ParamType):
    """A string option whose value must be printable text."""

    name = "text"

    def convert(self, value, param, ctx):
        return refuse_undecodable(str(value), param)


class CommaList(click.ParamType):
    name = "a,b,..."

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        text = refuse_undecodable(str(value), param)
        return tuple(part.strip().lower() for part in text.split(",") if part.strip())


class OutFile(click.ParamType):
    """An output file name: not a folder, with the suffix of what will be written."""

    name = "file"

    def __init__(self, suffix: str):
        self.suffix = suffix

    def convert(self, value, param, ctx):
        if isinstance(value, Path):
            return value
        text = refuse_undecodable(os.fsdecode(value), param)
        option = param.opts[0] if param is not None and param.opts else "the output"
        path = Path(text)
        if not text.strip():
            self.fail(f"the file name is empty; give one such as workbook{self.suffix}", param, ctx)
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


TEXT = Text()
CSV = CommaList()


def shown(path: Path) -> str:
    """A path as printable text, whatever bytes its name has."""
    return click.format_filename(path)


content_option = click.option(
    "--content",
    "content_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=CONTENT_DIR,
    show_default="built-in content",
    help="Content folder to read (questions/, roles/, ask/, workbook.yaml).",
)


def load(content_dir: Path, strict: bool = False):
    """The content folder as a Bank (ContentError lists its problems), from the content cache
    when the folder is as it was (guidegen/content/cache.py)."""
    # Loading (pydantic's import and models, then the content) makes objects that live until
    # the command ends: the collector would walk them a hundred times for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        # Imported here, not at the top: pydantic and PyYAML are not needed for --help.
        from guidegen.content.cache import load as load_bank

        return load_bank(content_dir, strict=strict, summarise=summarise)
    finally:
        if collecting:
            gc.enable()


@dataclass(frozen=True)
class Summary:
    """What ``roles`` and ``validate`` print about a content folder. Stored beside the Bank
    in the content cache, so that for a folder nobody changed they import no pydantic."""

    questions: int  # the pack's own
    builtin_questions: int  # the built-in ones a pack that extends them can name
    roles: list[list]  # by id: [id, title, questions, general, behavioural, technical]
    asks: int  # questions to ask
    builtin_ask: bool
    warnings: list[Problem]


def summarise(bank) -> dict:
    """The JSON data of a Bank's Summary (without the warnings, which the cache keeps)."""
    from guidegen.content.models import KINDS
    from guidegen.select import role_questions

    roles = []
    for role in sorted(bank.roles.values(), key=lambda r: r.id):
        questions = role_questions(bank, role)
        counts = [sum(q.kind == kind for q in questions) for kind in KINDS]
        roles.append([role.id, role.title, len(questions), *counts])
    return {
        "questions": len(bank.questions) - bank.builtin_questions,
        "builtin_questions": bank.builtin_questions,
        "roles": roles,
        "asks": sum(len(g.items) for g in bank.ask_groups),
        "builtin_ask": bank.builtin_ask,
    }


def load_summary(content_dir: Path, strict: bool = False) -> Summary:
    """The Summary of a content folder (ContentError lists its problems)."""
    from guidegen.content.cache import summary

    found = summary(content_dir, strict=strict)
    if found is not None:
        try:
            return Summary(**found[0], warnings=found[1])
        except TypeError:
            pass  # not a summary this code wrote: load the folder
    bank = load(content_dir, strict=strict)
    return Summary(**summarise(bank), warnings=bank.warnings)


def fail_content(error: ContentError) -> None:
    for problem in error.problems:
        click.echo(f"error: {problem.one_line()}", err=True)
    count = len(error.problems)
    click.echo(f"{count} problem{'s' if count != 1 else ''} found in the content.", err=True)
    sys.exit(1)


def usage(message: str) -> None:
    click.echo(f"usage error: {message}", err=True)
    sys.exit(2)


def check_writable(out: Path) -> None:
    """Refuse an output path we cannot write before spending seconds on layout."""
    from guidegen.output import refuse_unwritable

    refuse_unwritable(out)


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


class Status:
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
