"""The workbook spec's options, shared by every command that makes a workbook.

``@spec_options()`` adds them all to a command and hands it one ``spec`` argument. A new
option is a field in ``guidegen/spec.py`` and an entry here; every command has it at once. A
command for which some options mean nothing (``cards`` prints no cover and has no editions)
leaves them out, and its spec gets their defaults.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from guidegen.cli.common import CSV, TEXT, content_option
from guidegen.spec import EDITIONS, SHEETS

if TYPE_CHECKING:
    from collections.abc import Callable

    _Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _options(name: bool) -> list[tuple[str, _Decorator]]:
    """(the key its value arrives under, the Click option), in the order --help lists them."""
    return _selection_options() + _output_options() + _person_options(name)


def _selection_options() -> list[tuple[str, _Decorator]]:
    """Which content, which role, which of its questions."""
    return [
        ("content_dir", content_option),
        (
            "role",
            click.option(
                "--role",
                "role",
                metavar="ROLE",
                type=TEXT,
                help="Role id, unique prefix or initials (default: devops-engineer, or "
                "the pack's only role). See `guidegen roles`.",
            ),
        ),
        (
            "tags",
            click.option(
                "--tags", type=CSV, default="", help="Only questions with any of these tags (a,b)."
            ),
        ),
        (
            "exclude_tags",
            click.option(
                "--exclude-tags", type=CSV, default="", help="Leave out questions with these tags."
            ),
        ),
        (
            "kinds",
            click.option(
                "--kinds",
                type=CSV,
                default="",
                help="Only these kinds: general, behavioural, technical (comma-separated).",
            ),
        ),
        (
            "count",
            click.option(
                "--count",
                type=click.IntRange(min=1),
                help="Pick this many questions at random, balanced across kinds.",
            ),
        ),
        (
            "seed",
            click.option(
                "--seed",
                type=int,
                default=0,
                show_default=True,
                help="Seed for --count: the same seed gives the same pick.",
            ),
        ),
    ]


def _output_options() -> list[tuple[str, _Decorator]]:
    """The edition, the paper and its finishing, the language, the look, the job advert."""
    return [
        (
            "edition",
            click.option(
                "--edition",
                type=click.Choice(list(EDITIONS)),
                default="study",
                show_default=True,
                help="study: answers and space to write; practice: no answers, more "
                "space; facilitator: answer key with follow-ups.",
            ),
        ),
        (
            "paper",
            click.option(
                "--paper",
                type=click.Choice(SHEETS, case_sensitive=False),
                default="a4",
                show_default=True,
                help="Paper size.",
            ),
        ),
        (
            "booklet",
            click.option(
                "--booklet",
                is_flag=True,
                help="Saddle-stitch booklet: A5 pages two-up on A4 (half-letter on Letter).",
            ),
        ),
        (
            "fillable",
            click.option(
                "--fillable",
                is_flag=True,
                help="Every writing line a text field and every box a checkbox, for screens.",
            ),
        ),
        (
            "print_shop",
            click.option(
                "--print-shop",
                is_flag=True,
                help="For a print shop: 3 mm bleed, crop marks, a trim box of the paper and "
                "text in pure black.",
            ),
        ),
        (
            "language",
            click.option(
                "--lang",
                "language",
                metavar="CODE",
                type=TEXT,
                help="Language of the printed labels: en, de, es, or one a theme or the "
                "content adds (default: the content's language).",
            ),
        ),
        (
            "theme",
            click.option(
                "--theme",
                type=click.Path(path_type=Path, file_okay=False),
                help="A theme folder whose templates/, styles/ and labels/ take the place "
                "of built-in files with the same names.",
            ),
        ),
        (
            "posting",
            click.option(
                "--posting",
                type=click.Path(path_type=Path),
                metavar="FILE",
                help="A job advert (plain text or Markdown): its requirements fill the "
                "job-advert worksheet and the questions that practise them come first.",
            ),
        ),
    ]


def _person_options(name: bool) -> list[tuple[str, _Decorator]]:
    """Who the workbook is for and when (batch takes the name from its CSV: no --name)."""
    options: list[tuple[str, _Decorator]] = []
    if name:
        options.append(
            ("name", click.option("--name", type=TEXT, help="Reader's name, on the cover."))
        )
    options += [
        (
            "company",
            click.option(
                "--company",
                type=TEXT,
                help="Company interviewing; fills {company} in the questions.",
            ),
        ),
        (
            "interview_date",
            click.option(
                "--date",
                "interview_date",
                type=DATE,
                help="Interview date, YYYY-MM-DD: on the cover; the study plan ends the day "
                "before.",
            ),
        ),
        (
            "plan_start",
            click.option(
                "--start",
                "plan_start",
                type=DATE,
                help="First day of the study plan, YYYY-MM-DD (default: today, at most 4 "
                "weeks before --date).",
            ),
        ),
    ]
    return options


# What a spec holds for an option that a command leaves out.
_DEFAULTS = {
    "tags": (),
    "exclude_tags": (),
    "kinds": (),
    "count": None,
    "seed": 0,
    "edition": "study",
    "paper": "a4",
    "booklet": False,
    "fillable": False,
    "print_shop": False,
    "language": None,
    "theme": None,
    "posting": None,
    "name": None,
    "company": None,
    "interview_date": None,
    "plan_start": None,
}
_KEYS = ("content_dir", "role", *_DEFAULTS)


def make_spec(values: dict):
    """A WorkbookSpec from the option values (checked there, once); a value that is not
    there (an option the command leaves out) is the spec's default."""
    from guidegen.paths import CONTENT_DIR
    from guidegen.spec import Person, WorkbookSpec

    values = {"content_dir": CONTENT_DIR, "role": None, **_DEFAULTS, **values}

    def day(value):
        return value.date() if value else None

    posting = None
    if values.get("posting") is not None:
        from guidegen.posting import read_posting

        posting = read_posting(values["posting"])

    return WorkbookSpec(
        content=values["content_dir"],
        role=values["role"],
        tags=values["tags"],
        exclude_tags=values["exclude_tags"],
        kinds=values["kinds"],
        count=values["count"],
        seed=values["seed"],
        edition=values["edition"],
        paper=values["paper"].lower(),
        booklet=values["booklet"],
        fillable=values["fillable"],
        print_shop=values["print_shop"],
        language=values["language"],
        theme=values["theme"],
        posting=posting,
        person=Person(
            name=values["name"] or None,
            company=values["company"] or None,
            date=day(values["interview_date"]),
            start=day(values["plan_start"]),
        ),
    )


def spec_options(name: bool = True, leave_out: tuple[str, ...] = ()):
    """Add the spec's options to a command, which receives them as ``spec``.

    ``name=False`` leaves out --name, for commands where each copy has its own (batch).
    ``leave_out`` names other options' keys (``"edition"``, ``"booklet"``...) that the command
    does not offer.
    """
    unknown = set(leave_out) - set(_KEYS)
    if unknown:
        raise ValueError(f"spec_options: no options {sorted(unknown)}")

    def decorate(command):
        @functools.wraps(command)
        def wrapper(*args, **kwargs):
            values = {key: kwargs.pop(key) for key in _KEYS if key in kwargs}
            return command(*args, spec=make_spec(values), **kwargs)

        for key, option in reversed(_options(name)):
            if key not in leave_out:
                wrapper = option(wrapper)
        return wrapper

    return decorate
