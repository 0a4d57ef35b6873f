"""guidegen preview: the workbook as a web page on 127.0.0.1, rebuilt when a file is saved.

- The standard library's threaded HTTP server; no framework, because there are four routes:
  ``/`` the workbook (or the content's problems, never a stale book), ``/events`` a server-sent
  event stream that tells the page to reload, ``/pdf`` the PDF of what is on screen, and
  ``/files/...`` the stylesheets, fonts and images the page uses.
- watchfiles watches the content, the theme, and the built-in templates, styles and labels; a
  save rebuilds the HTML (load, validate, select, render: no layout, a fraction of a second)
  and every open page reloads.
- ``/files/`` serves only files under the folders a render may read (the fetcher's rule, see
  layout/session.py): a path that leaves them, a link pointing out of them, or a file with a
  second hard link gets 404.
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import unquote, urlsplit

from guidegen.errors import ContentError, GuidegenError, UsageError
from guidegen.paths import LABELS_DIR, STYLES_DIR, TEMPLATES_DIR
from guidegen.spec import WorkbookSpec

if TYPE_CHECKING:
    from collections.abc import Callable

HOST = "127.0.0.1"
FILES = "/files"
DEBOUNCE_MS = 150  # a save is usually several file events within a few milliseconds

# On screen the book is one long page; print rules (page size, breaks) do not apply there.
_SCREEN = """<style>
@media screen {
  html { background: #e8e8e8; }
  body { max-width: 150mm; margin: 0 auto; padding: 14mm 16mm 30mm; background: #fff;
    box-shadow: 0 0 4mm rgba(0,0,0,.15); }
  #guidegen-preview { position: sticky; top: 0; z-index: 9; margin: -14mm -16mm 8mm;
    padding: 2mm 16mm; background: #1f3a5a; color: #fff; font: 10pt/1.4 sans-serif;
    display: flex; gap: 6mm; align-items: center; }
  #guidegen-preview a { color: #fff; font-weight: bold; }
  .page-break, .notes-page { break-before: auto; }
}
</style>"""

_SCRIPT = """<script>
(function () {
  var shown = %(version)d;
  var events = new EventSource("/events");
  events.onmessage = function (message) {
    if (Number(message.data) !== shown) { location.reload(); }
  };
})();
</script>"""


@dataclass
class Page:
    version: int
    body: bytes
    ok: bool


@dataclass
class PreviewState:
    """The page as last built, and a condition the event streams wait on."""

    spec: WorkbookSpec
    page: Page = field(default_factory=lambda: Page(0, b"", False))
    changed: threading.Condition = field(default_factory=threading.Condition)
    stopping: threading.Event = field(default_factory=threading.Event)
    roots: tuple[Path, ...] = ()
    pdf_lock: threading.Lock = field(default_factory=threading.Lock)

    def rebuild(self) -> Page:
        body, ok, roots = _render_page(self.spec, self.page.version + 1)
        with self.changed:
            if roots:
                self.roots = roots
            self.page = Page(self.page.version + 1, body, ok)
            self.changed.notify_all()
        return self.page

    def watched(self) -> list[Path]:
        folders = [self.spec.content, *self.roots, TEMPLATES_DIR, STYLES_DIR, LABELS_DIR]
        unique: list[Path] = []
        for folder in (Path(f).resolve() for f in folders):
            if folder.is_dir() and not any(folder.is_relative_to(u) for u in unique):
                unique = [u for u in unique if not u.is_relative_to(folder)] + [folder]
        return unique


def _toolbar(version: int, ok: bool, note: str) -> str:
    pdf = '<a href="/pdf" target="_blank">PDF</a>' if ok else ""
    return (
        f'<div id="guidegen-preview" role="status">guidegen preview · {html.escape(note)} '
        f"{pdf}</div>" + _SCRIPT % {"version": version}
    )


def _render_page(spec: WorkbookSpec, version: int) -> tuple[bytes, bool, tuple[Path, ...]]:
    """The page for ``spec``: the workbook's HTML, or the problems that stop it building."""
    from guidegen.book.html import render_html
    from guidegen.book.model import prepare
    from guidegen.content.load import load_bank
    from guidegen.layout.session import allowed_roots

    try:
        bank = load_bank(spec.content)
        book = prepare(bank, spec)
        text = render_html(book)
    except ContentError as error:
        return _problems_page(version, [p.one_line() for p in error.problems]), False, ()
    except GuidegenError as error:
        return _problems_page(version, [str(error)]), False, ()
    roots = allowed_roots(bank.content_dir, book.theme.roots)
    # The stylesheets and images are file URLs for WeasyPrint; the browser asks /files/ for them.
    text = text.replace('href="file://', f'href="{FILES}').replace('src="file://', f'src="{FILES}')
    base = f'<base href="{FILES}{bank.content_dir.resolve().as_posix()}/">'
    warnings = len(bank.warnings)
    note = f"{len(book.selection.questions)} questions"
    if warnings:
        note += f", {warnings} warning{'s' if warnings != 1 else ''} (see guidegen validate)"
    # The base first (it must precede the links); the screen rules last, to win over them.
    text = text.replace("<head>", "<head>\n  " + base, 1).replace("</head>", _SCREEN + "</head>", 1)
    start = text.index(">", text.index("<body")) + 1
    text = text[:start] + _toolbar(version, True, note) + text[start:]
    return text.encode("utf-8"), True, roots


def _problems_page(version: int, problems: list[str]) -> bytes:
    count = len(problems)
    items = "\n".join(f"<li><code>{html.escape(p)}</code></li>" for p in problems)
    note = f"{count} problem{'s' if count != 1 else ''}: the book is not shown until they are fixed"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>guidegen preview: problems</title>
{_SCREEN}</head>
<body>{_toolbar(version, False, note)}
<h1>The content has {count} problem{"s" if count != 1 else ""}</h1>
<ul id="problems">{items}</ul>
<p>Save a fix and this page reloads.</p>
</body></html>"""
    return page.encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    state: PreviewState  # set on the subclass made per server
    server: ThreadingHTTPServer  # PreviewServer's
    server_version = "guidegen-preview"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # the terminal shows what changed, not every request

    def do_GET(self):  # noqa: N802 - http.server's API
        if not self._from_here():
            return
        path = urlsplit(self.path).path
        if path == "/":
            page = self.state.page
            self._send(HTTPStatus.OK, page.body, "text/html; charset=utf-8")
        elif path == "/events":
            self._events()
        elif path == "/pdf":
            self._pdf()
        elif path.startswith(FILES + "/"):
            self._file(unquote(path[len(FILES) :]))
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")

    def _refuse_change(self):
        """Nothing here changes state: anything but GET is refused, from any origin."""
        if self._from_here():
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"only GET", "text/plain", {"Allow": "GET"})

    do_POST = do_PUT = do_PATCH = do_DELETE = _refuse_change  # noqa: N815 - http.server's API

    def _from_here(self) -> bool:
        """Whether the request names this server as its host, and comes from its own page.

        A web page elsewhere can point a name it controls at 127.0.0.1 (DNS rebinding); the
        browser then sends that name as the Host, so any other Host is answered 421. A request
        a page from another origin makes carries its Origin, which is answered 403.
        """
        hosts = local_hosts(self.server.server_address[1])
        if (self.headers.get("Host") or "").lower() not in hosts:
            self._send(HTTPStatus.MISDIRECTED_REQUEST, b"wrong host", "text/plain")
            return False
        origin = self.headers.get("Origin")
        if origin is not None and origin.lower().removeprefix("http://") not in hosts:
            self._send(HTTPStatus.FORBIDDEN, b"another origin", "text/plain")
            return False
        return True

    def _send(self, status: HTTPStatus, body: bytes, kind: str, extra: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _file(self, requested: str) -> None:
        path = Path(requested)
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            resolved = None
        allowed = (
            resolved is not None
            and path.is_absolute()
            and any(resolved.is_relative_to(root) for root in self.state.roots)
            and resolved.is_file()
            and (resolved.stat().st_nlink == 1 or _built_in(resolved))
        )
        if not allowed:
            self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")
            return
        assert resolved is not None  # allowed checks it
        import mimetypes

        kind = mimetypes.guess_type(resolved.name)[0] or "application/octet-stream"
        self._send(HTTPStatus.OK, resolved.read_bytes(), kind)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        state = self.state
        seen: int | None = None
        try:
            self.wfile.write(b"retry: 300\n\n")
            while not state.stopping.is_set():
                with state.changed:
                    # mypy cannot infer a lambda with a (default) parameter against
                    # wait_for's Callable[[], T]; the default binds seen now.
                    state.changed.wait_for(
                        cast(
                            "Callable[[], bool]",
                            lambda seen=seen: state.page.version != seen or state.stopping.is_set(),
                        ),
                        15,
                    )
                    version = state.page.version
                # Written outside the lock: a slow client never holds up a rebuild.
                if version != seen:
                    self.wfile.write(f"data: {version}\n\n".encode())
                    seen = version
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _pdf(self) -> None:
        from guidegen.book.model import prepare
        from guidegen.content.load import load_bank
        from guidegen.workbook import render_workbook

        with self.state.pdf_lock:
            try:
                book = prepare(load_bank(self.state.spec.content), self.state.spec)
                data = render_workbook(book).finished()
            except ContentError as error:
                body = _problems_page(
                    self.state.page.version, [p.one_line() for p in error.problems]
                )
                self._send(HTTPStatus.UNPROCESSABLE_ENTITY, body, "text/html; charset=utf-8")
                return
            except GuidegenError as error:
                body = _problems_page(self.state.page.version, [str(error)])
                self._send(HTTPStatus.UNPROCESSABLE_ENTITY, body, "text/html; charset=utf-8")
                return
        name = f"{book.selection.role.id}.pdf"
        self._send(
            HTTPStatus.OK,
            data,
            "application/pdf",
            {"Content-Disposition": f'inline; filename="{name}"'},
        )


def local_hosts(port: int) -> set[str]:
    """The ``Host`` values a server on 127.0.0.1:``port`` answers to (preview and serve): its
    own address by number or as localhost, and nothing a DNS name could rebind to it."""
    return {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}


def _built_in(path: Path) -> bool:
    # Installers such as uv hard-link package files; the fetcher makes the same exception.
    return any(path.is_relative_to(root.resolve()) for root in (TEMPLATES_DIR, STYLES_DIR))


class PreviewServer:
    """The server, the watcher thread and the state they share."""

    def __init__(self, spec: WorkbookSpec, port: int, echo=print):
        self.state = PreviewState(spec)
        self.echo = echo
        handler = type("Handler", (_Handler,), {"state": self.state})
        try:
            self.http = ThreadingHTTPServer((HOST, port), handler)
        except OSError as error:
            raise UsageError(
                f"cannot listen on {HOST}:{port}: {error.strerror or error}; choose another "
                "port with --port (0 picks a free one)"
            ) from None
        self.http.daemon_threads = True
        self.watcher = threading.Thread(target=self._watch, name="preview-watch", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.http.server_address[1]}/"

    def _watch(self) -> None:
        import watchfiles

        for changes in watchfiles.watch(
            *self.state.watched(),
            debounce=DEBOUNCE_MS,
            step=50,
            stop_event=self.state.stopping,
            raise_interrupt=False,
        ):
            names = sorted({Path(name).name for _, name in changes})
            page = self.state.rebuild()
            verdict = "rebuilt" if page.ok else "problems shown on the page"
            self.echo(f"{', '.join(names)} changed: {verdict}")

    def serve(self) -> None:
        """Serve until Ctrl-C (or SIGTERM); then close every stream and the socket."""
        page = self.state.rebuild()
        if not page.ok:
            self.echo("The content has problems: they are shown on the page.")
        self.watcher.start()
        try:
            self.http.serve_forever(poll_interval=0.2)
        finally:
            self.stop()

    def stop(self) -> None:
        self.state.stopping.set()
        with self.state.changed:
            self.state.changed.notify_all()
        self.http.server_close()
        self.watcher.join(timeout=2)
