"""Shared fixtures. Every PDF that several tests read is built once per session, in the
background, two at a time.

The books are listed in ``BOOKS`` (a fixture name and the guidegen command that makes it).
After collection, the books the selected tests use are started in a pool of two threads,
each running ``python -m guidegen`` in its own process, in the order the tests will need
them; a test waits only for its own book. That keeps both cores busy while the first tests run,
and a book nobody selected is never built.

With pytest-xdist (``make test`` runs two workers) the workers share one folder of books: a
book is built under a lock on its name, by whichever worker asks first, and read by both.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from guidegen.cli import main
from guidegen.paths import CONTENT_DIR
from tests.pdfread import Workbook

DATA = Path(__file__).parent / "data"
WORKSHOP_CSV = [
    ["name", "company", "email"],
    ["Ada Lovelace", "Acme", "ada@example.com"],
    ["Grace Hopper", "Acme", ""],
    ["Ada Lovelace", "Acme", ""],
    ["", "Acme", "nobody@example.com"],
    ["Alan Turing", "Acme", ""],
]

# The browser the web-page tests (preview, serve) drive with Playwright, or None.
CHROMIUM = next(
    (
        p
        for p in (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser"))
        if p and Path(p).exists()
    ),
    None,
)

# fixture name -> the guidegen arguments that make it (the output path is added)
BOOKS: dict[str, list[str]] = {
    # The product as most people print it, and the matrix of role x edition x paper in four
    # books: every role, both candidate editions, both papers.
    "default_workbook": ["build"],  # DevOps, study, A4
    "letter_workbook": ["build", "--role", "sre", "--paper", "letter"],  # SRE, study
    "practice_workbook": ["build", "--role", "cloud", "--edition", "practice"],  # A4
    "practice_letter_workbook": [
        "build",
        "--role",
        "platform",
        "--edition",
        "practice",
        "--paper",
        "letter",
    ],
    "fillable_workbook": ["build", "--fillable"],  # DevOps, study, A4: compared with default
    "facilitator_workbook": [
        "build",
        "--role",
        "cloud",
        "--edition",
        "facilitator",
        "--kinds",
        "behavioural,technical",
    ],
    # Behavioural questions only: 104 A5 pages, past one staple, so two stitched parts.
    "booklet_workbook": [
        "build",
        "--role",
        "platform",
        "--booklet",
        "--name",
        "Ann",
        "--kinds",
        "behavioural",
    ],
    # A room of four from the long pack's book (below), laid out in chunks like the default
    # book, at a third of its cost.
    "workshop": ["batch", "{csv}", "--content", "{long_pack}", "--combined", "--jobs", "2"],
    # Every Markdown case that real banks bring (tests/data/markdown, tests/test_markdown.py).
    "markdown_workbook": ["build", "--content", str(DATA / "markdown")],
    # Flashcards of a nine-question pack that pushes cards to their limits (tests/test_cards.py),
    # the workbook their page numbers point into, and three of its cards on index cards, twice,
    # to compare bytes.
    "cards_pdf": ["cards", "--content", str(DATA / "cards"), "--company", "Acme"],
    "cards_index": [
        "cards",
        "--content",
        str(DATA / "cards"),
        "--kinds",
        "general,behavioural",
        "--card-size",
        "index",
        "--paper",
        "letter",
    ],
    "cards_workbook": ["build", "--content", str(DATA / "cards"), "--company", "Acme"],
    # Tailored to the test advert, with the person options the worksheets use. Without the
    # behavioural part: the advert's matches are general and technical questions but one.
    "posting_workbook": [
        "build",
        "--posting",
        str(DATA / "posting" / "devops-advert.md"),
        "--company",
        "Harbour Freight Systems",
        "--date",
        "2027-03-09",
        "--start",
        "2027-03-01",
        "--kinds",
        "general,technical",
    ],
}


BOOKS["cards_index_again"] = BOOKS["cards_index"]  # the same command again, to compare bytes

# Environment for a book's build, where it differs from the test run's.
BOOK_ENV: dict[str, dict[str, str]] = {
    # The practice workbook (55 questions, so in chunks) laid out as one document, to compare
    # with the chunked one: the smallest shared book that is chunked, to keep the suite quick.
    "whole_practice_workbook": {"GUIDEGEN_ONE_DOCUMENT": "1"},
}
BOOKS["whole_practice_workbook"] = BOOKS["practice_workbook"]
# More than 40 questions of one kind: a part continued on a new page, laid out in chunks,
# most of them starting where a run of spreads is cut for layout; and as one document.
BOOKS["long_part_workbook"] = ["build", "--content", "{long_pack}"]
BOOKS["whole_long_part_workbook"] = BOOKS["long_part_workbook"]
BOOK_ENV["whole_long_part_workbook"] = {"GUIDEGEN_ONE_DOCUMENT": "1"}


def run_cli(*args: str, input: str | None = None):
    """Run guidegen in-process; returns Click's Result (exit_code, stdout, stderr)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, input=input)


def build(out: Path, *options: str) -> Workbook:
    result = run_cli("build", "--out", out, *options)
    assert result.exit_code == 0, result.output + result.stderr
    return Workbook(out)


def guidegen_env() -> dict[str, str]:
    """The environment of a guidegen subprocess: this one, without a fixed build time."""
    return {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}


def start_preview(pack: Path) -> tuple[subprocess.Popen, str]:
    """``guidegen preview`` of ``pack`` on a free port, and the URL it says it serves."""
    process = subprocess.Popen(
        [sys.executable, "-m", "guidegen", "preview", "--content", str(pack), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**guidegen_env(), "PYTHONUNBUFFERED": "1"},
    )
    first = process.stdout.readline()
    assert " at http://127.0.0.1:" in first, first + process.stderr.read()
    return process, first.split(" at ", 1)[1].split()[0]


def fixed(examples: int):
    """Hypothesis settings for a deterministic run: the same examples every time."""
    from hypothesis import HealthCheck, settings

    return settings(
        derandomize=True,
        database=None,
        deadline=None,
        max_examples=examples,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def write_csv(path: Path, rows: list[list[str]], bom: bool = False) -> Path:
    import csv

    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return path


def long_pack(folder: Path, count: int = 46) -> Path:
    """The tiny pack with ``count`` short general questions: one part longer than 40."""
    import yaml

    pack = folder / "long-pack"
    if pack.exists():
        return pack
    shutil.copytree(DATA / "tiny", pack)
    questions = [
        {
            "id": f"short-{n}",
            "title": f"Short question number {n}?",
            "kind": "general",
            "tags": ["basics"],
            "answer": f"A short answer, number {n}.",
            "lines": 2,
        }
        for n in range(1, count + 1)
    ]
    (pack / "questions" / "long.yaml").write_text(
        yaml.safe_dump({"questions": questions}), encoding="utf-8"
    )
    return pack


_SHARED = "GUIDEGEN_TEST_BOOKS"  # the books' folder, which xdist's workers inherit


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="write the golden files (tests/golden) from the output instead of comparing",
    )


_CACHE = "GUIDEGEN_CACHE_DIR"  # the content cache (guidegen/content/cache.py)


def pytest_configure(config):
    # A shell starts a background job (`make test &`, a CI step run with `&`) with Ctrl-C
    # ignored, every program it starts inherits that, and a Python started so never turns
    # SIGINT into KeyboardInterrupt: the tests that press Ctrl-C on a guidegen process would
    # wait in vain. Caught here, it is reset to the default in every process the tests start.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if not hasattr(config, "workerinput") and _SHARED not in os.environ:
        os.environ[_SHARED] = tempfile.mkdtemp(prefix="guidegen-books-")
        config.guidegen_books_owner = True
    if not hasattr(config, "workerinput") and _CACHE not in os.environ:
        # The suite's own content cache, shared by the workers and the books' builds: the
        # tests never write to the user's cache folder.
        os.environ[_CACHE] = tempfile.mkdtemp(prefix="guidegen-cache-")
        config.guidegen_cache_owner = True


@contextmanager
def _locked(path: Path):
    """Hold an exclusive lock on ``path`` (where the platform has flock)."""
    try:
        import fcntl
    except ImportError:  # no workers to share with there
        yield
        return
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _Books:
    """Background builds of the shared books, started once collection knows which are used."""

    def __init__(self):
        self.folder = Path(os.environ[_SHARED])
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="book")
        self.futures: dict[str, Future] = {}

    def start(self, names: list[str]) -> None:
        for name in names:
            if name not in self.futures:
                self.futures[name] = self.pool.submit(self._make, name)

    def _make(self, name: str) -> Path:
        with _locked(self.folder / f"{name}.lock"):
            return self._build(name)

    def _build(self, name: str) -> Path:
        """Build one book, unless another worker already has (its log says it is done)."""
        args = list(BOOKS[name])
        if args[0] == "batch":
            folder = self.folder / name
            out = folder / "out"
            if (self.folder / f"{name}.log").exists():
                return out
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            csv_path = write_csv(folder / "attendees.csv", WORKSHOP_CSV, bom=True)
            args = [arg.replace("{csv}", str(csv_path)) for arg in args]
            args += ["--out-dir", str(out)]
        else:
            out = self.folder / f"{name}.pdf"
            if (self.folder / f"{name}.log").exists():
                return out
            args += ["--out", str(out)]
        if "{long_pack}" in args:
            with _locked(self.folder / "long-pack.lock"):  # two books use it
                pack = long_pack(self.folder)
            args = [str(pack) if a == "{long_pack}" else a for a in args]
        done = subprocess.run(
            [sys.executable, "-m", "guidegen", *args],
            capture_output=True,
            text=True,
            cwd=self.folder,
            env={**guidegen_env(), **BOOK_ENV.get(name, {})},
            check=False,
        )
        expected = (0, 1) if args[0] == "batch" else (0,)  # the workshop has one bad row
        if done.returncode not in expected:
            raise RuntimeError(f"guidegen {' '.join(args)} failed:\n{done.stderr}")
        log = self.folder / f"{name}.log.tmp"
        log.write_text(
            f"{done.returncode}\n{done.stdout}\n--stderr--\n{done.stderr}", encoding="utf-8"
        )
        log.replace(self.folder / f"{name}.log")  # last: the sign that the book is done
        return out

    def get(self, name: str) -> Path:
        self.start([name])
        return self.futures[name].result()

    def log(self, name: str) -> tuple[int, str, str]:
        code, rest = (self.folder / f"{name}.log").read_text(encoding="utf-8").split("\n", 1)
        stdout, stderr = rest.split("\n--stderr--\n", 1)
        return int(code), stdout, stderr

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


_BOOKS: _Books | None = None


def _books() -> _Books:
    global _BOOKS
    if _BOOKS is None:
        _BOOKS = _Books()
    return _BOOKS


def pytest_collection_finish(session):
    wanted = []
    for item in session.items:
        for name in getattr(item, "fixturenames", ()):
            if name in BOOKS and name not in wanted:
                wanted.append(name)
    _books().start(wanted)


def pytest_unconfigure(config):
    if _BOOKS is not None:
        _BOOKS.close()
    if getattr(config, "guidegen_books_owner", False):
        shutil.rmtree(os.environ.pop(_SHARED), ignore_errors=True)
    if getattr(config, "guidegen_cache_owner", False):
        shutil.rmtree(os.environ.pop(_CACHE), ignore_errors=True)


def _book_fixture(name: str):
    if BOOKS[name][0] == "batch":

        @pytest.fixture(scope="session", name=name)
        def batch_fixture():
            out = _books().get(name)
            return out, _books().log(name)

        return batch_fixture

    @pytest.fixture(scope="session", name=name)
    def book_fixture():
        workbook = Workbook(_books().get(name))
        yield workbook
        workbook.close()

    return book_fixture


for _name in BOOKS:
    globals()[f"_fixture_{_name}"] = _book_fixture(_name)


@pytest.fixture(scope="session")
def seed_titles() -> list[str]:
    return (DATA / "seed_titles.txt").read_text(encoding="utf-8").splitlines()


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A writable copy of the built-in content, for planting errors."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


@pytest.fixture
def tiny_pack(tmp_path) -> Path:
    """A writable copy of a three-question pack that lays out in a fraction of a second."""
    target = tmp_path / "tiny"
    shutil.copytree(DATA / "tiny", target)
    return target


@pytest.fixture
def frozen_today(monkeypatch):
    """Freeze guidegen's clock at Monday 1 March 2027."""
    import datetime as dt

    from guidegen import clock

    day = dt.date(2027, 3, 1)
    monkeypatch.setattr(clock, "today", lambda: day)
    return day
