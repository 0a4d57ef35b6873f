"""guidegen build: one workbook PDF."""

from __future__ import annotations

import click

from guidegen.cli.common import OutFile, Status, load, warn
from guidegen.cli.options import spec_options


@click.command()
@spec_options()
@click.option("--out", type=OutFile(".pdf"), help="PDF to write (default: output/ROLE.pdf).")
@click.option(
    "--html", "write_html", is_flag=True, help="Also write the intermediate HTML beside the PDF."
)
def build(spec, out, write_html):
    """Build one workbook PDF."""
    from guidegen.build import build as build_workbook

    with Status() as status:
        status("Loading the content")
        # Through the content cache: an unchanged folder is not parsed and validated again.
        bank = load(spec.content)
        result = build_workbook(spec, out, write_html, bank=bank, status=status)
    for message in result.warnings:
        warn(message)
    for refused in result.refused:
        warn(f"refused reference {refused}")
    for made in result.written:
        click.echo(made.summary)
