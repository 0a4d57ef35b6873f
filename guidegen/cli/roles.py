"""guidegen roles: the roles a content folder has, with question counts."""

from __future__ import annotations

import click

from guidegen.cli.common import content_option, load_summary


@click.command()
@content_option
def roles(content_dir):
    """List the roles in the content folder with their question counts."""
    rows = [
        (role_id, *(str(count) for count in counts), title)
        for role_id, title, *counts in load_summary(content_dir).roles
    ]
    header = ("ROLE", "QUESTIONS", "GENERAL", "BEHAVIOURAL", "TECHNICAL", "TITLE")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths))
        ]
        click.echo("  ".join(cells + [row[-1]]))
