"""guidegen serve over HTTP (Starlette's test client against the real app, real job queue and
real worker processes): a workshop with a bad row, the upload limits, unreadable CSVs, CSRF,
the Host and Origin checks, the access token, a restart in the middle of a job, expiry, and
the command line (imports, a port in use, --host 0.0.0.0)."""

from __future__ import annotations

import io
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from guidegen.batch.run import read_manifest
from tests.conftest import DATA, guidegen_env, run_cli
from tests.pdfread import Workbook

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

PORT = 8765  # what the test client's requests name as the Host; nothing listens there
TINY = DATA / "tiny"
WAIT_SECONDS = 60  # generous: the machine may be busy; a tiny workshop takes about 2 s
FIELDS = {
    "role": "tiny-role",
    "edition": "study",
    "paper": "a4",
    "format": "plain",
    "language": "",
    "combined": "yes",
}


@contextmanager
def serving(data_dir: Path, host: str = "127.0.0.1", **settings):
    """The app over ``data_dir`` with its queue running, and a client that names it."""
    from starlette.testclient import TestClient

    from guidegen.serve.app import ServeConfig, create_app

    config = ServeConfig(
        content=TINY, data_dir=data_dir, host=host, port=PORT, echo=lambda line: None, **settings
    )
    app = create_app(config)
    with TestClient(app, base_url=f"http://127.0.0.1:{PORT}") as client:
        yield client


def csrf(client) -> str:
    page = client.get("/")
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)


def csv_bytes(rows: list[str]) -> bytes:
    """Rows as Excel writes them in much of Europe: semicolons, a byte-order mark."""
    return "\n".join(rows).encode("utf-8-sig")


def post_workshop(client, data: bytes, name: str = "room.csv", token: str | None = None, **fields):
    return client.post(
        "/workshop",
        data={"csrf": token or csrf(client), **FIELDS, **fields},
        files={"attendees": (name, data, "text/csv")},
        follow_redirects=False,
    )


def wait_until_finished(client, job: str) -> dict:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        progress = client.get(f"{job}/progress").json()
        if progress["finished"]:
            return progress
        assert time.monotonic() < deadline, f"the job did not finish: {progress}"
        time.sleep(0.05)


def page_text(html: str) -> str:
    """The page's words, as a reader gets them (tags out, entities and spaces folded)."""
    import html as html_module

    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html_module.unescape(text))


def jobs_in(data_dir: Path) -> list[str]:
    return sorted(p.name for p in (data_dir / "jobs").iterdir())


# ---- a workshop: every good row built, the bad ones reported in the page ----


def test_a_workshop_builds_the_good_rows_and_the_page_names_the_bad_ones(tmp_path):
    data = tmp_path / "data"
    rows = [
        "Name;Company;Date;Posting",
        "Ada Lovelace;Acme;;",
        ";Acme;;",  # no name
        "Alan Turing;Acme;09/03/2027;",  # not YYYY-MM-DD
        "Grace Hopper;Acme;;../../../../etc/passwd",  # a path: never read
    ]
    with serving(data) as client:
        created = post_workshop(client, csv_bytes(rows), name="../../Room A;1.csv")
        assert created.status_code == 303, page_text(created.text)
        job = created.headers["location"]
        assert re.fullmatch(r"/jobs/[0-9a-f]{32}", job)
        progress = wait_until_finished(client, job)
        assert progress == {
            "state": "done",
            "finished": True,
            "total": 4,
            "done": 2,
            "failed": 2,
            "text": "Finished: 2 of 4 copies built; 2 rows could not be built",
        }
        shown = page_text(client.get(job).text)
        assert "Workshop: Room A;1.csv" in shown
        assert "3 (none) empty name" in shown
        assert "4 Alan Turing date '09/03/2027' is not YYYY-MM-DD" in shown
        assert "The posting column is not used here" in shown

        copies = client.get(f"{job}/copies.zip")
        assert copies.status_code == 200
        assert copies.headers["content-type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(copies.content))
        assert archive.namelist() == ["ada-lovelace.pdf", "grace-hopper.pdf", "manifest.csv"]
        for member, name in (
            ("ada-lovelace.pdf", "Ada Lovelace"),
            ("grace-hopper.pdf", "Grace Hopper"),
        ):
            (tmp_path / member).write_bytes(archive.read(member))
            book = Workbook(tmp_path / member)
            assert name in book.page_texts[0] and "Acme" in book.page_texts[0]
            book.close()
        combined = client.get(f"{job}/combined.pdf")
        assert combined.headers["content-type"] == "application/pdf"
        assert combined.content.startswith(b"%PDF")
        manifest = client.get(f"{job}/manifest.csv")
        assert manifest.text.splitlines()[0] == "row,name,file,pages,sheets,status,note"

    # Only names the server made reached the file system.
    (folder,) = (data / "jobs").iterdir()
    assert sorted(p.name for p in folder.iterdir()) == [
        "attendees.csv",
        "inputs.json",
        "job.json",
        "out",
        "progress.json",
        "result.json",
        "worker.log",
    ]
    assert sorted(p.name for p in (folder / "out").iterdir()) == [
        "_combined.pdf",
        "ada-lovelace.pdf",
        "grace-hopper.pdf",
        "manifest.csv",
    ]


# ---- limits and unreadable lists: a message in the form, no job ----


@pytest.mark.parametrize(
    "limits, rows, advert, status, message",
    [
        (
            {"csv_bytes": 1024},
            ["name"] + [f"Attendee number {n}" for n in range(100)],
            "",
            422,
            "The attendee list is 2 KB, and the page takes at most 1 KB",
        ),
        (
            {"rows": 2},
            ["name", "Ada", "Grace", "Alan"],
            "",
            422,
            "The attendee list has 3 attendees, and this page builds at most 2 in one workshop",
        ),
        (
            {"advert_bytes": 1024},
            ["name", "Ada"],
            "- Linux\n" * 200,
            422,
            "Job advert: the text is 2 KB, and the page takes at most 1 KB",
        ),
        (
            {"csv_bytes": 1024, "advert_bytes": 1024},
            ["name"] + ["x" * 1000] * 100,  # past the request limit: never read in full
            "",
            413,
            "This server takes an attendee list of at most 1 KB and a job advert of at most 1 KB",
        ),
    ],
    ids=["file size", "rows", "advert", "request size"],
)
def test_limits_are_refused_with_the_limit_in_the_page(
    tmp_path, limits, rows, advert, status, message
):
    from guidegen.serve.forms import Limits

    data = tmp_path / "data"
    with serving(data, limits=Limits(**limits)) as client:
        answer = post_workshop(client, "\n".join(rows).encode(), advert=advert, company="Acme")
        assert answer.status_code == status
        shown = page_text(answer.text)
        assert message in shown, shown
        if status == 422:  # the form again, with what was typed
            assert 'value="Acme"' in answer.text
            assert 'aria-invalid="true"' in answer.text
    assert jobs_in(data) == []


@pytest.mark.parametrize(
    "data, message",
    [
        (
            b'name,company\nAda,Acme\n"Grace,Acme\nAlan,Acme\n',
            "Line 3 of the attendee list: a quoted cell that starts in this row is never closed",
        ),
        (
            b"email\nada@example.com\n",
            "Line 1 of the attendee list: no name column in the header line",
        ),
        (
            "name\nJosé\n".encode("latin-1"),
            "Line 2 of the attendee list: not UTF-8 text (byte 0xe9); save it as 'CSV UTF-8'",
        ),
        (b"name;company\n", "The attendee list has a header line but no attendees under it"),
        (b"", "Attendee list: the file is empty"),
    ],
    ids=["open quote", "no name column", "not UTF-8", "no rows", "empty"],
)
def test_an_unreadable_attendee_list_is_refused_with_its_line(tmp_path, data, message):
    with serving(tmp_path / "data") as client:
        answer = post_workshop(client, data)
        assert answer.status_code == 422
        assert message in page_text(answer.text)
        assert str(tmp_path) not in answer.text  # no server path in the page
    assert jobs_in(tmp_path / "data") == []


def test_a_job_advert_without_requirements_is_refused_before_any_build(tmp_path):
    with serving(tmp_path / "data") as client:
        answer = client.post(
            "/workbook",
            data={"csrf": csrf(client), **FIELDS, "name": "Ada", "advert": "We are nice people."},
        )
        assert answer.status_code == 422
        shown = page_text(answer.text)
        assert "The job advert: no requirement lines found; list the requirements" in shown
        assert str(tmp_path) not in answer.text
        bad_date = client.post(
            "/workbook", data={"csrf": csrf(client), **FIELDS, "date": "9 March"}
        )
        assert "Interview date: '9 March' is not a date written as YYYY-MM-DD" in page_text(
            bad_date.text
        )


# ---- CSRF, Host, Origin, the access token ----


def test_a_form_without_its_csrf_token_is_refused(tmp_path):
    from starlette.testclient import TestClient

    rows = csv_bytes(["name", "Ada"])
    with serving(tmp_path / "data") as client:
        assert post_workshop(client, rows, token="0" * 64).status_code == 403
        no_token = client.post("/workshop", data=FIELDS, files={"attendees": ("a.csv", rows)})
        assert no_token.status_code == 403
        assert "This form has expired" in page_text(no_token.text)
        # A token from this page, sent by a browser without its cookie (another site's form).
        token = csrf(client)
        stranger = TestClient(client.app, base_url=f"http://127.0.0.1:{PORT}")
        assert post_workshop(stranger, rows, token=token).status_code == 403
        assert client.post("/workbook", data={**FIELDS, "csrf": ""}).status_code == 403
    assert jobs_in(tmp_path / "data") == []


def test_only_requests_naming_this_server_are_answered(tmp_path):
    with serving(tmp_path / "data") as client:
        assert client.get("/", headers={"Host": f"localhost:{PORT}"}).status_code == 200
        rebound = client.get("/", headers={"Host": f"attacker.example:{PORT}"})
        assert rebound.status_code == 421
        assert client.get("/", headers={"Host": "127.0.0.1:9999"}).status_code == 421
        assert client.get("/", headers={"Host": f"192.168.1.20:{PORT}"}).status_code == 421
        elsewhere = {"Origin": "http://attacker.example"}
        assert client.post("/workshop", headers=elsewhere).status_code == 403
        assert client.post("/workshop", headers={"Origin": "null"}).status_code == 403
        page = client.get("/")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"


def test_a_server_shared_on_the_network_asks_for_its_token(tmp_path):
    with serving(tmp_path / "data", host="0.0.0.0", access_token="the-token") as client:
        refused = client.get("/")
        assert refused.status_code == 401
        assert "Open the address it printed" in page_text(refused.text)
        assert client.get("/?token=wrong").status_code == 401
        assert client.get("/static/serve.css").status_code == 200  # the page's style, public
        opened = client.get("/?token=the-token", follow_redirects=False)
        assert opened.status_code == 303 and opened.headers["location"] == "/"
        assert "httponly" in opened.headers["set-cookie"].lower()
        assert client.get("/").status_code == 200  # the cookie carries it from now on
        lan = {"Host": f"192.168.1.20:{PORT}"}  # an address typed as such cannot be rebound
        assert client.get("/", headers=lan).status_code == 200
        name = {"Host": f"attacker.example:{PORT}"}
        assert client.get("/", headers=name).status_code == 421
        assert "Workshops on this computer" not in client.get("/").text


def test_job_addresses_are_the_servers_own(tmp_path):
    with serving(tmp_path / "data") as client:
        for path in (
            "/jobs/../../etc/passwd",
            "/jobs/%2e%2e%2f%2e%2e%2fetc",
            "/jobs/0123456789abcdef0123456789abcdef",
            "/jobs/NOT-A-JOB/copies.zip",
            "/static/../../pyproject.toml",
        ):
            assert client.get(path).status_code == 404, path
        assert "No such workshop" in page_text(client.get("/jobs/" + "a" * 32).text)


# ---- a restart in the middle of a job, and expiry ----


def test_a_restart_in_the_middle_of_a_job_resumes_it(tmp_path):
    data = tmp_path / "data"
    # Each attendee's own company: a body each, built one after the other (one worker), so the
    # hook holds the job after the first copy with the other two still to build.
    rows = csv_bytes(["name;company", "Ada Lovelace;Acme", "Grace Hopper;Navy", "Alan Turing;NPL"])
    with serving(data, jobs=1, pause_after=1) as client:
        job = post_workshop(client, rows).headers["location"]
        deadline = time.monotonic() + WAIT_SECONDS
        while client.get(f"{job}/progress").json()["done"] < 1:
            assert time.monotonic() < deadline, "the first copy was not written"
            time.sleep(0.05)
        assert client.get(f"{job}/progress").json()["state"] == "running"
    folder = data / "jobs" / job.rsplit("/", 1)[1]
    out = folder / "out"
    assert json.loads((folder / "job.json").read_text())["state"] == "running"
    assert sorted(p.name for p in out.glob("*.pdf")) == ["ada-lovelace.pdf"]
    first = (out / "ada-lovelace.pdf").stat()

    with serving(data, jobs=1) as client:  # a new server over the same data folder
        progress = wait_until_finished(client, job)
        assert progress["state"] == "done" and progress["done"] == 3
        archive = zipfile.ZipFile(io.BytesIO(client.get(f"{job}/copies.zip").content))
        assert sorted(archive.namelist()) == [
            "ada-lovelace.pdf",
            "alan-turing.pdf",
            "grace-hopper.pdf",
            "manifest.csv",
        ]
    again = (out / "ada-lovelace.pdf").stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)  # not rebuilt
    manifest = read_manifest(out / "manifest.csv")
    assert [(r["row"], r["file"], r["status"]) for r in manifest] == [
        ("2", "ada-lovelace.pdf", "skipped: already there"),
        ("3", "grace-hopper.pdf", "ok"),
        ("4", "alan-turing.pdf", "ok"),
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        "_combined.pdf",
        "ada-lovelace.pdf",
        "alan-turing.pdf",
        "grace-hopper.pdf",
        "manifest.csv",
    ]


def test_finished_jobs_are_removed_a_day_after_they_finish(tmp_path):
    from guidegen.serve.jobs import EXPIRY_SECONDS, Job, JobStore

    now = [1_000_000.0]
    store = JobStore(tmp_path / "data", clock=lambda: now[0])
    store.open()
    ids = {}
    for state in ("done", "failed", "queued"):
        job_id, staging = store.stage()
        finished = now[0] if state != "queued" else None
        store.commit(
            staging, Job(id=job_id, created=now[0], total=1, state=state, finished=finished)
        )
        ids[state] = job_id
    now[0] += EXPIRY_SECONDS - 1
    assert store.sweep() == []
    now[0] += 1
    assert sorted(store.sweep()) == sorted([ids["done"], ids["failed"]])
    assert [job.id for job in store.all()] == [ids["queued"]]  # a job not finished stays
    store.close()


# ---- the command line ----


def test_serve_help_imports_neither_weasyprint_nor_the_web_server():
    probe = (
        "import sys\nfrom guidegen.cli import main\n"
        "try:\n    main(['serve', '--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('weasyprint', 'starlette', 'uvicorn', 'guidegen.serve') "
        "if m in sys.modules]\nprint('LOADED', heavy, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.stderr.strip().endswith("LOADED []"), done.stderr
    assert "--host" in done.stdout and "--data-dir" in done.stdout


def test_a_port_in_use_is_a_usage_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", port, "--data-dir", tmp_path, "--content", TINY)
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use; choose another port" in (
        result.stderr
    )


def test_shared_on_the_network_it_prints_the_token_the_page_asks_for(tmp_path):
    command = [sys.executable, "-m", "guidegen", "serve", "--host", "0.0.0.0", "--port", "0"]
    command += ["--data-dir", str(tmp_path), "--content", str(TINY)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**guidegen_env(), "PYTHONUNBUFFERED": "1"},
    )
    try:
        first = process.stdout.readline()
        token_line = process.stdout.readline()
        url = re.search(r" at (http://\S+/\?token=(\S+)) ", first)
        assert url, first + process.stderr.read()
        token = url.group(2)
        assert f"the access token {token}" in token_line
        port = int(re.search(r":(\d+)/", url.group(1)).group(1))
        local = f"http://127.0.0.1:{port}/"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(local, timeout=10)
        assert refused.value.code == 401
        # A browser: the token in the address once, then its cookie.
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with browser.open(f"{local}?token={token}", timeout=10) as page:
            assert page.status == 200 and "A workshop" in page.read().decode()
        # A second server on the same data folder would run the same jobs: refused.
        second = run_cli("serve", "--port", "0", "--data-dir", tmp_path, "--content", TINY)
        assert second.exit_code == 2
        assert "another guidegen serve is using the data folder" in second.stderr
    finally:
        process.send_signal(2)  # Ctrl-C
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert out.strip().endswith("stopped") and "Traceback" not in err
