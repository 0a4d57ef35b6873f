"""guidegen build: one workbook PDF."""

from __future__ import annotations

import click

from guidegen.cli.common import OutFile, Status, load, shown, warn
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
    if result.html_path:
        click.echo(shown(result.html_path))
    if spec.booklet:
        how = "print duplex, flip on the short edge"
        if result.stitched:  # too thick for one staple: the parts' sheets follow one another
            first, parts = 1, []
            for number, pages in enumerate(result.stitched, start=1):
                parts.append(f"part {number}: sheets {first}-{first + pages // 4 - 1}")
                first += pages // 4
            how += (
                "; too thick for one staple, so fold and staple "
                f"{len(result.stitched)} parts: {', '.join(parts)}"
            )
        sheets = result.pages // 4
        click.echo(f"{shown(result.path)} ({result.pages} pages on {sheets} sheets, {how})")
    else:
        click.echo(f"{shown(result.path)} ({result.pages} pages)")
