"""guidegen serve: build and batch as a local web page, for people who do not use a terminal."""

from __future__ import annotations

from pathlib import Path

import click

from guidegen.cli.common import TEXT, content_option, shown


@click.command()
@content_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    type=TEXT,
    help="Address to listen on. 127.0.0.1 is this machine only; 0.0.0.0 is every network it "
    "is on, and then the page asks for an access token, which is printed.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port (0 picks a free one).",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="GUIDEGEN_DATA_DIR",
    help="Folder for the workshop jobs (default: the user's data folder, such as "
    "~/.local/share/guidegen; or $GUIDEGEN_DATA_DIR).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes for a workshop (default: 2, or 1 on a single-core machine).",
)
def serve(content_dir, host, port, data_dir, jobs):
    """Serve a web page on which to build workbooks: a workshop's copies from an attendee CSV
    (as batch makes them), or one workbook for one interview (as build makes it). One workshop
    runs at a time; jobs survive a restart and are removed a day after they finish. Ctrl-C
    stops it."""
    import platformdirs

    from guidegen.cli.batch import DEFAULT_JOBS
    from guidegen.serve.app import ServeConfig, Service, bind, run_server
    from guidegen.serve.security import is_loopback, new_token

    data_dir = data_dir or Path(platformdirs.user_data_dir("guidegen"))
    sock = bind(host, port)
    port = sock.getsockname()[1]
    token = None if is_loopback(host) else new_token()
    config = ServeConfig(
        content=content_dir,
        data_dir=data_dir,
        host=host,
        port=port,
        access_token=token,
        jobs=jobs or DEFAULT_JOBS,
        echo=lambda line: click.echo(line),
    )
    service = Service(config)
    try:
        service.open()  # the content, and the data folder's lock: clear errors, before serving
    except BaseException:
        sock.close()
        raise
    urls = [f"http://{address}:{port}/" for address in _addresses(host)]
    if token is None:
        click.echo(f"Serving guidegen at {urls[0]} (Ctrl-C to stop)")
    else:
        urls = [f"{url}?token={token}" for url in urls]
        click.echo(f"Serving guidegen at {urls[0]} (Ctrl-C to stop)")
        click.echo(
            f"The server is shared on the network: the page asks for the access token {token}, "
            "which each of these addresses carries:"
        )
        for url in urls[1:]:
            click.echo(f"  {url}")
    click.echo(f"Workshop jobs are kept in {shown(data_dir)}")
    try:
        run_server(service, sock)
    except KeyboardInterrupt:
        pass
    click.echo("stopped")


def _addresses(host: str) -> list[str]:
    """How to reach a server bound to ``host``: the address itself, or for 0.0.0.0 (and ::)
    the machine's own addresses, its name, and 127.0.0.1."""
    import socket

    if host not in ("0.0.0.0", "::", ""):
        return [f"[{host}]" if ":" in host else host]
    found: list[str] = []
    try:
        # Connecting a UDP socket sends nothing; it picks the address the machine goes out by.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            found.append(probe.getsockname()[0])
    except OSError:
        pass
    try:
        found += socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        pass
    found = [a for a in dict.fromkeys(found) if not a.startswith("127.")]
    return [*found, socket.gethostname(), "127.0.0.1"]
