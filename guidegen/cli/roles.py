"""guidegen roles: the roles a content folder has, with question counts."""

from __future__ import annotations

import click

from guidegen.cli.common import content_option, load


@click.command()
@content_option
def roles(content_dir):
    """List the roles in the content folder with their question counts."""
    from guidegen.content.models import KINDS
    from guidegen.select import role_questions

    bank = load(content_dir)
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
