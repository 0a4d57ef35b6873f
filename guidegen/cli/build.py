"""guidegen build: one workbook PDF."""

from __future__ import annotations

import click

from guidegen.cli.common import OutFile, Status, shown, warn
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
        result = build_workbook(spec, out, write_html, status=status)
    for message in result.warnings:
        warn(message)
    for refused in result.refused:
        warn(f"refused reference {refused}")
    if result.html_path:
        click.echo(shown(result.html_path))
    if spec.booklet and result.stitched:
        # Too thick for one staple: the parts' sheets follow one another in the file.
        first, parts = 1, []
        for number, pages in enumerate(result.stitched, start=1):
            parts.append(f"part {number}: sheets {first}-{first + pages // 4 - 1}")
            first += pages // 4
        click.echo(
            f"{shown(result.path)} ({result.pages} pages on {result.pages // 4} sheets, "
            "print duplex, flip on the short edge; too thick for one staple, so fold and "
            f"staple {len(result.stitched)} parts: {', '.join(parts)})"
        )
    elif spec.booklet:
        click.echo(
            f"{shown(result.path)} ({result.pages} pages on {result.pages // 4} sheets, "
            "print duplex, flip on the short edge)"
        )
    else:
        click.echo(f"{shown(result.path)} ({result.pages} pages)")
