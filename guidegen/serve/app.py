"""The web page's routes (Starlette) and the service behind them: the content, the job
store, the queue, and the checks every request passes (``security.Guard``).

- ``GET /``: the two forms (a workshop, one workbook), and this machine's recent workshops.
- ``POST /workshop``: an attendee list and the options: a job, queued; 303 to its page.
- ``GET /jobs/<id>``: its progress, its problems by row, then its downloads; ``/progress``
  the same as JSON for the page's script; ``/copies.zip``, ``/combined.pdf``,
  ``/manifest.csv`` the files.
- ``POST /workbook``: one workbook, built at once by a worker process, sent as the PDF.
- ``/static/serve.css`` and ``/static/progress.js``: the page's own two files.
"""

from __future__ import annotations

import asyncio
import math
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, Headers, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from guidegen.clock import timestamp
from guidegen.errors import UsageError
from guidegen.output import write_atomically
from guidegen.serve import forms
from guidegen.serve.jobs import (
    EXPIRY_SECONDS,
    FINISHED,
    Job,
    JobQueue,
    JobStore,
    read_json,
    start_worker,
    stop_worker,
    worker_command,
    write_json,
)
from guidegen.serve.pages import plural, render, static_files
from guidegen.serve.security import Guard, new_cookie, valid_cookie

HOST = "127.0.0.1"
ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # the members' date: guidegen writes no clock time in a file


@dataclass(frozen=True)
class ServeConfig:
    content: Path
    data_dir: Path
    host: str = HOST
    port: int = 8000
    access_token: str | None = None
    jobs: int = 1  # the batch engine's worker processes for a workshop
    limits: forms.Limits = field(default_factory=forms.Limits)
    clock: Callable[[], float] = timestamp
    echo: Callable[[str], None] = print
    pause_after: int | None = None  # tests: a workshop's worker waits after this many copies
    build_timeout: float = 600  # seconds for one workbook

    def __post_init__(self):
        # Worker processes run in their job's folder: the paths they are given are absolute.
        object.__setattr__(self, "content", Path(self.content).resolve())
        object.__setattr__(self, "data_dir", Path(self.data_dir).resolve())


class Service:
    """What the routes share. ``open`` loads the content and takes the data folder (errors a
    user can act on, before the server listens); ``start`` and ``close`` run the queue."""

    def __init__(self, config: ServeConfig):
        self.config = config
        self.guard = Guard(config.host, config.port, config.access_token)
        self.store = JobStore(config.data_dir, config.clock)
        self.queue = JobQueue(self.store, config.jobs, config.echo, config.pause_after)
        self.choices: forms.Choices | None = None
        self.builds: set[subprocess.Popen] = set()
        self.builds_lock = threading.Lock()
        self.closing = False
        self.one_at_a_time: asyncio.Semaphore | None = None

    def open(self) -> None:
        if self.choices is not None:
            return
        from guidegen.content.load import load_bank

        bank = load_bank(self.config.content)
        self.choices = forms.Choices.of(bank)
        self.store.open()

    def start(self) -> None:
        self.open()
        self.queue.start()

    def close(self) -> None:
        self.closing = True
        self.queue.stop()
        with self.builds_lock:
            builds = list(self.builds)
        for process in builds:
            stop_worker(process, timeout=5)
        self.store.close()

    # ---- pages ----

    def page(self, request: Request, template: str, status: int = 200, **context) -> Response:
        """A page with a CSRF token for its forms (and the cookie it is made from)."""
        cookie = request.cookies.get(self.guard.csrf_cookie)
        fresh = not valid_cookie(cookie)
        if fresh or cookie is None:
            cookie = new_cookie()
        html = render(template, csrf=self.guard.csrf_token(cookie), **context)
        response = HTMLResponse(html, status_code=status)
        if fresh:
            response.set_cookie(
                self.guard.csrf_cookie, cookie, httponly=True, samesite="strict", path="/"
            )
        return response

    def index(
        self,
        request: Request,
        status: int = 200,
        workshop: forms.Parsed | None = None,
        workbook: forms.Parsed | None = None,
    ) -> Response:
        assert self.choices is not None
        recent = [] if self.guard.shared else [self._summary(j) for j in self.store.all()][::-1]
        return self.page(
            request,
            "index.html",
            status,
            choices=self.choices,
            limits=self.config.limits,
            workshop=_form_view(workshop, forms.WORKSHOP_FIELDS),
            workbook=_form_view(workbook, forms.WORKBOOK_FIELDS),
            recent=recent[:10],
        )

    def message(self, request: Request, status: int, title: str, text: str) -> Response:
        return self.page(request, "message.html", status, title=title, text=text)

    # ---- a job's state in words ----

    def _summary(self, job: Job) -> dict[str, Any]:
        progress = self.store.progress(job)
        result = self.store.result(job)
        total = int(progress.get("total") or job.total)
        done = int(progress.get("done") or 0)
        failed = progress.get("failed") or []
        if job.state == "queued" or (job.state == "running" and not progress):
            ahead = self.store.ahead_of(job)
            text = (
                f"Waiting: {plural(ahead, 'workshop')} ahead of this one" if ahead else "Starting"
            )
        elif job.state == "running" and progress.get("stage") == "finishing":
            text = f"{done:,} of {plural(total, 'copy', 'copies')} done: writing the files"
        elif job.state == "running":
            text = f"{done:,} of {plural(total, 'copy', 'copies')} done"
        elif job.state == "done":
            text = f"Finished: {done:,} of {plural(total, 'copy', 'copies')} built"
        else:
            text = f"Stopped: {job.message}"
        if failed and job.state != "failed":
            text += f"; {plural(len(failed), 'row')} could not be built"
        return {
            "id": job.id,
            "label": job.label or "attendee list",
            "state": job.state,
            "finished": job.state in FINISHED,
            "total": total,
            "done": done,
            "failed": failed,
            "text": text,
            "combined": bool(result.get("combined")),
            "expires": (
                _hours_left(job.finished + EXPIRY_SECONDS, self.config.clock())
                if job.finished
                else ""
            ),
            "notes": job.notes,
            "message": job.message,
        }

    # ---- making a workshop job (in a thread: it reads and writes files) ----

    def create_workshop(
        self, parsed: forms.Parsed, data: bytes | None, filename: str, size: int = 0
    ) -> tuple[str | None, forms.Parsed]:
        limits = self.config.limits
        job_id, staging = self.store.stage()
        try:
            table = None
            if data is None:
                parsed.errors["attendees"] = (
                    "Attendee list: choose the CSV file with a line per attendee"
                )
            elif len(data) > limits.csv_bytes:
                parsed.errors["attendees"] = forms.upload_too_big(max(size, len(data)), limits)
            elif not data.strip():
                parsed.errors["attendees"] = (
                    "Attendee list: the file is empty; export the sheet as CSV UTF-8 and "
                    "choose that file"
                )
            else:
                write_atomically(staging / forms.ATTENDEES, data)
                table, problem = forms.read_attendee_list(staging / forms.ATTENDEES, limits)
                if problem:
                    parsed.errors["attendees"] = problem
            if parsed.advert:
                write_atomically(staging / forms.ADVERT, parsed.advert.encode("utf-8"))
            inputs = {"kind": "workshop", "content": str(self.config.content), **parsed.inputs}
            if parsed.ok:
                problem_at = forms.spec_problem(inputs, self.config.content, staging)
                if problem_at:
                    parsed.errors[problem_at[0]] = problem_at[1]
            if not parsed.ok or table is None:
                self.store.discard(staging)
                return None, parsed
            write_json(staging / forms.INPUTS, inputs)
            notes = []
            if table.unused_columns:
                notes.append(f"Columns not used: {', '.join(table.unused_columns)}.")
            if any(row.values.get("posting") for row in table.rows):
                notes.append(
                    "The posting column is not used here: every copy is tailored to the advert "
                    "pasted in the form, if any (guidegen batch on a command line reads it)."
                )
            job = Job(
                id=job_id,
                created=self.config.clock(),
                total=len(table.rows),
                label=_label(filename),
                notes=notes,
            )
            self.store.commit(staging, job)
        except BaseException:
            self.store.discard(staging)
            raise
        self.queue.notify()
        return job_id, parsed

    # ---- one workbook (in a thread: it waits for the worker) ----

    def build_workbook(self, parsed: forms.Parsed) -> tuple[bytes | None, forms.Parsed]:
        folder = self.store.workbook_folder()
        try:
            if parsed.advert:
                write_atomically(folder / forms.ADVERT, parsed.advert.encode("utf-8"))
            inputs = {"kind": "workbook", "content": str(self.config.content), **parsed.inputs}
            if parsed.ok:
                problem_at = forms.spec_problem(inputs, self.config.content, folder)
                if problem_at:
                    parsed.errors[problem_at[0]] = problem_at[1]
            if not parsed.ok:
                return None, parsed
            write_json(folder / forms.INPUTS, inputs)
            code = self._run_build(folder)
            result = read_json(folder / "result.json")
            pdf = folder / "workbook.pdf"
            if code != 0 or not isinstance(result, dict):
                parsed.errors[""] = (
                    "The workbook could not be built: the build stopped unexpectedly"
                    f" (exit code {code}); the server's terminal says more"
                )
                self.config.echo(f"one workbook: the worker stopped with exit code {code}")
                return None, parsed
            if result.get("error"):
                parsed.errors[""] = f"The workbook could not be built: {result['error']}"
                return None, parsed
            return pdf.read_bytes(), parsed
        finally:
            self.store.remove_workbook(folder)

    def _run_build(self, folder: Path) -> int | None:
        with self.builds_lock:
            if self.closing:
                return None
            process = start_worker(worker_command(folder, 1), folder)
            self.builds.add(process)
        try:
            return process.wait(timeout=self.config.build_timeout)
        except subprocess.TimeoutExpired:
            stop_worker(process, timeout=5)
            return None
        finally:
            with self.builds_lock:
                self.builds.discard(process)


def _form_view(parsed: forms.Parsed | None, names: tuple[str, ...]) -> dict[str, Any]:
    """What a form's template needs: the values sent back, and the problems in field order."""
    if parsed is None:
        return {"values": {}, "errors": {}, "problems": [], "advert": ""}
    order = {name: index for index, name in enumerate(("", *names))}
    problems = sorted(parsed.errors.items(), key=lambda item: order.get(item[0], 99))
    return {
        "values": parsed.inputs,
        "errors": parsed.errors,
        "problems": problems,
        "advert": parsed.advert,
    }


def _label(filename: str) -> str:
    """The upload's name, to tell workshops apart on the page (text only, never a path)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:80]


def _hours_left(until: float, now: float) -> str:
    """ "about 23 hours from now": when a finished job's files go (no date formatted by hand)."""
    hours = max(1, math.ceil((until - now) / 3600))
    return f"about {plural(hours, 'hour')} from now"


def _attachment(name: str) -> str:
    """A Content-Disposition for a name guidegen made (an ASCII fallback, and UTF-8)."""
    ascii_name = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


class _TooLarge(Exception):
    pass


def _limited(receive: Receive, limit: int) -> Receive:
    """``receive`` that stops a request body longer than ``limit`` bytes."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
        return message

    return wrapped


# ---- the routes ----


class _Routes:
    """The page's routes, each a method over the one ``Service``."""

    def __init__(self, service: Service):
        self.service = service
        self.limits = service.config.limits

    def too_large(self, request: Request) -> Response:
        return self.service.message(
            request,
            413,
            "The form is too large",
            f"This server takes an attendee list of at most {forms._size(self.limits.csv_bytes)} "
            f"and a job advert of at most {self.limits.advert_bytes // 1024} KB. Go back, choose a "
            "smaller file (the CSV export, not the spreadsheet itself), and send the form again.",
        )

    async def read_form(self, request: Request) -> FormData | Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limits.request_bytes):
            return self.too_large(request)
        limited = Request(request.scope, _limited(request.receive, self.limits.request_bytes))
        try:
            form = await limited.form(
                max_files=1, max_fields=30, max_part_size=2 * self.limits.advert_bytes
            )
        except _TooLarge:
            return self.too_large(request)
        except HTTPException:
            return self.too_large(request)
        cookie = request.cookies.get(self.service.guard.csrf_cookie)
        token = form.get("csrf")
        if not self.service.guard.csrf_ok(cookie, token if isinstance(token, str) else None):
            await form.close()
            return self.service.message(
                request,
                403,
                "This form has expired",
                "The form was opened before the server restarted, or in another browser, so "
                "its security token does not match. Open the start page again (this link), "
                "fill in the form and send it again.",
            )
        return form

    async def index(self, request: Request) -> Response:
        return self.service.index(request)

    async def workshop(self, request: Request) -> Response:
        form = await self.read_form(request)
        if isinstance(form, Response):
            return form
        try:
            assert self.service.choices is not None
            parsed = forms.read_fields(
                form, forms.WORKSHOP_FIELDS, self.service.choices, self.limits
            )
            upload = form.get("attendees")
            data, filename, size = None, "", 0
            if isinstance(upload, UploadFile) and upload.filename:
                data = await upload.read(self.limits.csv_bytes + 1)
                filename = upload.filename
                size = max(upload.size or 0, len(data))
        finally:
            await form.close()
        job_id, parsed = await run_in_threadpool(
            self.service.create_workshop, parsed, data, filename, size
        )
        if job_id is None:
            return self.service.index(request, 422, workshop=parsed)
        return RedirectResponse(f"/jobs/{job_id}", status_code=303)

    async def workbook(self, request: Request) -> Response:
        form = await self.read_form(request)
        if isinstance(form, Response):
            return form
        try:
            assert self.service.choices is not None
            parsed = forms.read_fields(
                form, forms.WORKBOOK_FIELDS, self.service.choices, self.limits
            )
        finally:
            await form.close()
        if self.service.one_at_a_time is None:
            self.service.one_at_a_time = asyncio.Semaphore(1)
        # One build at a time beside the queue's job: more would only share the same cores.
        async with self.service.one_at_a_time:
            data, parsed = await run_in_threadpool(self.service.build_workbook, parsed)
        if data is None:
            return self.service.index(request, 422, workbook=parsed)
        from guidegen.batch.attendees import file_stem

        stem = file_stem(parsed.inputs.get("name", ""))[0] or parsed.inputs.get("role", "")
        return Response(
            data,
            media_type="application/pdf",
            headers={"Content-Disposition": _attachment(f"{stem or 'workbook'}.pdf")},
        )

    def job_of(self, request: Request) -> Job | None:
        return self.service.store.get(request.path_params["job_id"])

    def no_job(self, request: Request) -> Response:
        return self.service.message(
            request,
            404,
            "No such workshop",
            "There is no workshop at this address on this server. Finished workshops are "
            "removed a day after they finish; start a new one from the start page.",
        )

    async def job_page(self, request: Request) -> Response:
        job = self.job_of(request)
        if job is None:
            return self.no_job(request)
        return self.service.page(request, "job.html", job=self.service._summary(job))

    async def job_progress(self, request: Request) -> Response:
        job = self.job_of(request)
        if job is None:
            return JSONResponse({"error": "no such workshop"}, status_code=404)
        summary = self.service._summary(job)
        keys = ("state", "finished", "total", "done", "text")
        return JSONResponse(
            {key: summary[key] for key in keys} | {"failed": len(summary["failed"])}
        )

    def finished_out(self, request: Request) -> tuple[Job, Path] | None:
        job = self.job_of(request)
        folder = self.service.store.folder(job.id) if job else None
        if job is None or folder is None or job.state != "done":
            return None
        return job, folder / "out"

    @staticmethod
    def regular(path: Path) -> bool:
        return path.is_file() and not path.is_symlink()

    async def copies_zip(self, request: Request) -> Response:
        found = self.finished_out(request)
        if found is None or not self.regular(found[1] / "manifest.csv"):
            return self.no_job(request)
        job, out = found
        return StreamingResponse(
            _zip_stream(out),
            media_type="application/zip",
            headers={"Content-Disposition": _attachment(f"workshop-{job.id[:8]}-copies.zip")},
        )

    def out_file(self, name: str, download: str, kind: str):
        async def route(request: Request) -> Response:
            found = self.finished_out(request)
            if found is None or not self.regular(found[1] / name):
                return self.no_job(request)
            job, out = found
            return FileResponse(
                out / name,
                media_type=kind,
                headers={"Content-Disposition": _attachment(f"workshop-{job.id[:8]}-{download}")},
            )

        return route

    async def static(self, request: Request) -> Response:
        found = static_files().get(request.path_params["name"])
        if found is None:
            return PlainTextResponse("not found", status_code=404)
        return Response(found[0], media_type=found[1], headers={"Cache-Control": "no-cache"})

    async def not_found(self, request: Request, exc: Exception) -> Response:
        code = getattr(exc, "status_code", 404)
        if code == 405:
            return self.service.message(
                request, 405, "Not here", "This address takes no form; use the start page."
            )
        return self.service.message(
            request, 404, "Not found", "There is nothing at this address; use the start page."
        )

    async def server_error(self, request: Request, exc: Exception) -> Response:
        self.service.config.echo(f"error: {type(exc).__name__}: {exc}")
        return HTMLResponse(
            render(
                "message.html",
                csrf="",
                title="Something went wrong on the server",
                text="The server could not answer this request. Its terminal says what went "
                "wrong; the workshops already queued are not affected.",
            ),
            status_code=500,
        )


def create_app(config: ServeConfig, service: Service | None = None) -> Starlette:
    service = service or Service(config)
    pages = _Routes(service)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        await run_in_threadpool(service.start)
        try:
            yield
        finally:
            await run_in_threadpool(service.close)

    routes = [
        Route("/", pages.index, methods=["GET"]),
        Route("/workshop", pages.workshop, methods=["POST"]),
        Route("/workbook", pages.workbook, methods=["POST"]),
        Route("/jobs/{job_id}", pages.job_page, methods=["GET"]),
        Route("/jobs/{job_id}/progress", pages.job_progress, methods=["GET"]),
        Route("/jobs/{job_id}/copies.zip", pages.copies_zip, methods=["GET"]),
        Route(
            "/jobs/{job_id}/combined.pdf",
            pages.out_file("_combined.pdf", "combined.pdf", "application/pdf"),
            methods=["GET"],
        ),
        Route(
            "/jobs/{job_id}/manifest.csv",
            pages.out_file("manifest.csv", "manifest.csv", "text/csv; charset=utf-8"),
            methods=["GET"],
        ),
        Route("/static/{name}", pages.static, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={404: pages.not_found, 405: pages.not_found, 500: pages.server_error},
    )
    app.state.service = service
    app.add_middleware(GuardMiddleware, service=service)
    return app


def _zip_stream(out: Path) -> Iterator[bytes]:
    """The copies and the manifest as a zip, made as it is sent (no copy of it on disk or in
    memory). Member names are the batch engine's own file names, from the manifest."""
    import zipfile

    from guidegen.batch.run import read_manifest

    names = []
    for row in read_manifest(out / "manifest.csv"):
        name = row.get("file") or ""
        path = out / name
        if name and Path(name).name == name and not name.startswith(".") and name.endswith(".pdf"):
            if path.is_file() and not path.is_symlink():
                names.append(name)

    class Sink:
        def __init__(self) -> None:
            self.chunks: list[bytes] = []

        def write(self, data: bytes) -> int:
            self.chunks.append(bytes(data))
            return len(data)

        def flush(self) -> None:
            pass

        def close(self) -> None:
            pass

        def take(self) -> bytes:
            data, self.chunks = b"".join(self.chunks), []
            return data

    sink = Sink()
    with zipfile.ZipFile(sink, "w") as archive:
        for name in [*names, "manifest.csv"]:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.file_size = (out / name).stat().st_size
            info.compress_type = (
                zipfile.ZIP_DEFLATED if name.endswith(".csv") else zipfile.ZIP_STORED
            )
            with (out / name).open("rb") as source, archive.open(info, "w") as member:
                while block := source.read(256 * 1024):
                    member.write(block)
                    yield sink.take()
            yield sink.take()
    yield sink.take()


# ---- the checks every request passes ----

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


class GuardMiddleware:
    """The Host and Origin checks and the access token (``security``), before any route; and
    the headers every answer carries (no framing, no sniffing, no caching, no referrer sent
    elsewhere)."""

    def __init__(self, app: ASGIApp, service: Service):
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        guard = self.service.guard
        headers = Headers(scope=scope)
        refusal: Response | None = None
        if not guard.host_allowed(headers.get("host")):
            refusal = PlainTextResponse(
                f"This server answers only to its own address, such as "
                f"http://127.0.0.1:{guard.port}/",
                status_code=421,
            )
        elif not guard.origin_allowed(headers.get("origin")):
            refusal = PlainTextResponse("Refused: the request came from another site.", 403)
        elif guard.access_token is not None and not scope["path"].startswith("/static/"):
            refusal = self._token(Request(scope))
        if refusal is not None:
            await refusal(scope, receive, self._with_headers(send))
            return
        await self.app(scope, receive, self._with_headers(send))

    def _token(self, request: Request) -> Response | None:
        guard = self.service.guard
        given = request.query_params.get("token")
        if given is not None and guard.token_ok(given):
            # The token leaves the address bar (and the history) at once; a cookie carries it.
            response = RedirectResponse(request.url.path, status_code=303)
            response.set_cookie(
                guard.access_cookie, given, httponly=True, samesite="strict", path="/"
            )
            return response
        if guard.token_ok(request.cookies.get(guard.access_cookie)):
            return None
        return HTMLResponse(
            render(
                "message.html",
                csrf="",
                title="This page needs its access token",
                text="This server is shared on the network, so it asks for the access token "
                "that guidegen serve printed when it started. Open the address it printed (it "
                "ends in ?token=…) in this browser.",
            ),
            status_code=401,
        )

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [header for header in SECURITY_HEADERS if header[0] not in present]
                if b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        return wrapped


def run_server(service: Service, sock) -> None:
    """Serve on the bound socket until Ctrl-C or SIGTERM (uvicorn's graceful shutdown)."""
    import uvicorn

    app = create_app(service.config, service)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    uvicorn.Server(config).run(sockets=[sock])


def bind(host: str, port: int):
    """A listening socket, or a UsageError saying why not (a port in use, an address this
    machine does not have)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise UsageError(
            f"cannot listen on {host}: {error.strerror}; give an address of this "
            "machine with --host, such as 127.0.0.1"
        ) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as error:
        sock.close()
        shown = f"[{host}]" if ":" in host else host
        raise UsageError(
            f"cannot listen on {shown}:{port}: {error.strerror or error}; choose another port "
            "with --port (0 picks a free one)"
        ) from None
    sock.set_inheritable(False)
    return sock
