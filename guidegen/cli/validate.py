"""guidegen validate: every problem in a content folder, at once, as a table."""

from __future__ import annotations

import sys

import click

from guidegen.cli.common import content_option, load_summary
from guidegen.errors import ContentError


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``1 question``, ``2 questions``: counts in messages read as English."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


@click.command()
@content_option
@click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings (raw HTML that will not print) as problems: exit 1 if there are any.",
)
def validate(content_dir, strict):
    """Check the content folder and report every problem at once, as a table."""
    try:
        summary = load_summary(content_dir, strict=strict)
    except ContentError as error:
        click.echo(problem_table(error.problems))
        click.echo(f"{counted(len(error.problems), 'problem')} found.", err=True)
        sys.exit(1)
    if summary.warnings:
        click.echo(problem_table(summary.warnings))
        click.echo(
            f"{counted(len(summary.warnings), 'warning')} (an error under --strict).", err=True
        )
    builtin = (
        f" (and {summary.builtin_questions} built-in ones to name)"
        if summary.builtin_questions
        else ""
    )
    click.echo(
        f"{content_dir}: {counted(summary.questions, 'question')}{builtin}, "
        f"{counted(len(summary.roles), 'role')}, {counted(summary.asks, 'question')} to ask"
        f"{' (built-in included)' * summary.builtin_ask} — all valid."
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
