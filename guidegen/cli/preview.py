"""guidegen preview: the workbook in a browser, reloading as content is saved."""

from __future__ import annotations

import click

from guidegen.cli.common import shown
from guidegen.cli.options import spec_options


@click.command()
@spec_options()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
def preview(spec, port):
    """Serve the workbook as a web page on 127.0.0.1 and reload it whenever a content,
    template or style file is saved. Problems show on the page; its PDF link lays the
    book out. Ctrl-C stops it."""
    from guidegen.preview import PreviewServer

    server = PreviewServer(spec, port, echo=lambda line: click.echo(line))
    click.echo(f"Previewing {shown(spec.content)} at {server.url} (Ctrl-C to stop)")
    try:
        server.serve()
    except KeyboardInterrupt:
        click.echo("stopped")
