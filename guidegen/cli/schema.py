"""guidegen schema: the JSON Schema of the content format."""

from __future__ import annotations

import click

from guidegen.cli.common import OutFile, shown


@click.command()
@click.option(
    "--out", type=OutFile(".json"), help="Write the schema to this file instead of standard output."
)
def schema(out):
    """Print the JSON Schema of the content format (for editors and CI)."""
    from guidegen.content.schema import content_schema_json

    text = content_schema_json()
    if out is None:
        click.echo(text, nl=False)
        return
    from guidegen.output import write_atomically

    write_atomically(out, text.encode("utf-8"))
    click.echo(shown(out))
