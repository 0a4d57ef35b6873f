"""The workbook spec's options, shared by every command that makes a workbook.

``@spec_options()`` adds them all to a command and hands it one ``spec`` argument. A new
option is a field in ``guidegen/spec.py`` and an entry here; every command has it at once.
"""

from __future__ import annotations

import functools
from pathlib import Path

import click

from guidegen.cli.common import CSV, TEXT, content_option
from guidegen.spec import EDITIONS, SHEETS

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _options(name: bool) -> list:
    options = [
        content_option,
        click.option(
            "--role",
            "role",
            metavar="ROLE",
            type=TEXT,
            help="Role id, unique prefix or initials (default: devops-engineer, or "
            "the pack's only role). See `guidegen roles`.",
        ),
        click.option(
            "--tags", type=CSV, default="", help="Only questions with any of these tags (a,b)."
        ),
        click.option(
            "--exclude-tags", type=CSV, default="", help="Leave out questions with these tags."
        ),
        click.option(
            "--kinds",
            type=CSV,
            default="",
            help="Only these kinds: general, behavioural, technical (comma-separated).",
        ),
        click.option(
            "--count",
            type=click.IntRange(min=1),
            help="Pick this many questions at random, balanced across kinds.",
        ),
        click.option(
            "--seed",
            type=int,
            default=0,
            show_default=True,
            help="Seed for --count: the same seed gives the same pick.",
        ),
        click.option(
            "--edition",
            type=click.Choice(list(EDITIONS)),
            default="study",
            show_default=True,
            help="study: answers and space to write; practice: no answers, more "
            "space; facilitator: answer key with follow-ups.",
        ),
        click.option(
            "--paper",
            type=click.Choice(SHEETS, case_sensitive=False),
            default="a4",
            show_default=True,
            help="Paper size.",
        ),
        click.option(
            "--booklet",
            is_flag=True,
            help="Saddle-stitch booklet: A5 pages two-up on A4 (half-letter on Letter).",
        ),
        click.option(
            "--fillable",
            is_flag=True,
            help="Every writing line a text field and every box a checkbox, for screens.",
        ),
        click.option(
            "--print-shop",
            is_flag=True,
            help="For a print shop: 3 mm bleed, crop marks, a trim box of the paper and text "
            "in pure black.",
        ),
        click.option(
            "--lang",
            "language",
            metavar="CODE",
            type=TEXT,
            help="Language of the printed labels: en, de, es, or one a theme or the "
            "content adds (default: the content's language).",
        ),
        click.option(
            "--theme",
            type=click.Path(path_type=Path, file_okay=False),
            help="A theme folder whose templates/, styles/ and labels/ take the place "
            "of built-in files with the same names.",
        ),
        click.option(
            "--posting",
            type=click.Path(path_type=Path),
            metavar="FILE",
            help="A job advert (plain text or Markdown): its requirements fill the job-advert "
            "worksheet and the questions that practise them come first.",
        ),
    ]
    if name:
        options.append(click.option("--name", type=TEXT, help="Reader's name, on the cover."))
    options += [
        click.option(
            "--company", type=TEXT, help="Company interviewing; fills {company} in the questions."
        ),
        click.option(
            "--date",
            "interview_date",
            type=DATE,
            help="Interview date, YYYY-MM-DD: on the cover; the study plan ends the day before.",
        ),
        click.option(
            "--start",
            "plan_start",
            type=DATE,
            help="First day of the study plan, YYYY-MM-DD (default: today, at most 4 "
            "weeks before --date).",
        ),
    ]
    return options


_KEYS = (
    "content_dir",
    "role",
    "tags",
    "exclude_tags",
    "kinds",
    "count",
    "seed",
    "edition",
    "paper",
    "booklet",
    "fillable",
    "print_shop",
    "language",
    "theme",
    "posting",
    "name",
    "company",
    "interview_date",
    "plan_start",
)


def make_spec(values: dict):
    """A WorkbookSpec from the option values (checked there, once)."""
    from guidegen.spec import Person, WorkbookSpec

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
            name=values.get("name") or None,
            company=values["company"] or None,
            date=day(values["interview_date"]),
            start=day(values["plan_start"]),
        ),
    )


def spec_options(name: bool = True):
    """Add the spec's options to a command, which receives them as ``spec``.

    ``name=False`` leaves out --name, for commands where each copy has its own (batch).
    """

    def decorate(command):
        @functools.wraps(command)
        def wrapper(*args, **kwargs):
            values = {key: kwargs.pop(key) for key in _KEYS if key in kwargs}
            return command(*args, spec=make_spec(values), **kwargs)

        for option in reversed(_options(name)):
            wrapper = option(wrapper)
        return wrapper

    return decorate
