"""guidegen validate: every problem in a content folder, at once, as a table."""

from __future__ import annotations

import sys

import click

from guidegen.cli.common import content_option
from guidegen.errors import ContentError


@click.command()
@content_option
def validate(content_dir):
    """Check the content folder and report every problem at once, as a table."""
    from guidegen.content.load import load_bank

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
