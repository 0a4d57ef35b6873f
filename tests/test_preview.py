"""guidegen preview in a real browser (headless Chromium driven by Playwright): open the page,
save a file, see the new text without reloading by hand; problems on the page; the PDF route;
files outside the pack refused; Ctrl-C stops it cleanly."""

from __future__ import annotations

import shutil
import signal
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, DATA, start_preview
from tests.pdfread import Workbook

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium: apt-get install chromium"),
]
WAIT_MS = 15_000  # generous: the machine may be busy; a reload normally takes well under a second


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    pack = tmp_path_factory.mktemp("preview") / "pack"
    shutil.copytree(DATA / "tiny", pack)
    process, url = start_preview(pack)
    yield process, url, pack
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:  # one per worker: a second one would not start
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(server, browser):
    page = browser.new_page()
    page.goto(server[1])
    yield page
    page.close()


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_page_follows_saves_and_its_pdf_is_the_book_on_screen(server, page, tmp_path):
    """One page through edits made in order, in one test: pytest-xdist may run the tests of
    a module in different workers, each with its own server and pack."""
    _, url, pack = server
    questions = pack / "questions" / "tiny.yaml"
    page.get_by_text("What does a build server do?").first.wait_for(timeout=WAIT_MS)
    replace_in(questions, "What does a build server do?", "What does a CI runner do?")
    # No reload by hand: the page reloads itself when the server says the book changed.
    page.get_by_text("What does a CI runner do?").first.wait_for(timeout=WAIT_MS)
    assert page.get_by_text("What does a build server do?").count() == 0

    # A content problem shows on the page, with its file and line, instead of a stale book.
    replace_in(questions, "    kind: technical\n", "    kind: technicle\n")
    problems = page.locator("#problems li")
    problems.first.wait_for(timeout=WAIT_MS)
    line = questions.read_text(encoding="utf-8").splitlines().index("    kind: technicle") + 1
    assert f"tiny.yaml:{line}" in problems.first.inner_text()
    assert page.get_by_text("What does a CI runner do?").count() == 0  # no stale book
    replace_in(questions, "    kind: technicle\n", "    kind: technical\n")
    page.get_by_text("What does a CI runner do?").first.wait_for(timeout=WAIT_MS)
    assert page.locator("#problems").count() == 0

    # The workbook's own stylesheet reached the browser: the heading has its colour.
    colour = page.eval_on_selector("h1", "e => getComputedStyle(e).color")
    assert colour not in ("rgb(0, 0, 0)", "")
    page.get_by_role("link", name="PDF").wait_for(timeout=WAIT_MS)
    with urllib.request.urlopen(url + "pdf", timeout=60) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        data = response.read()
    saved = tmp_path / "preview.pdf"
    saved.write_bytes(data)
    book = Workbook(saved)
    # The PDF is the book on screen, with the edit made a moment ago.
    assert (2, "What does a CI runner do?", 6) in book.outline()
    book.close()


@pytest.mark.parametrize(
    "path",
    [
        "/files/etc/passwd",
        "/files{content}/../../../../etc/passwd",
        "/files{content}/questions/../../outside.txt",
        "/files/%2e%2e/etc/passwd",
        "/anything-else",
    ],
)
def test_paths_outside_the_pack_are_refused(server, path):
    _, url, pack = server
    (pack.parent / "outside.txt").write_text("secret", encoding="utf-8")
    request = url.rstrip("/") + path.format(content=pack.resolve().as_posix())
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 404


def test_ctrl_c_stops_it_cleanly_with_a_page_open(browser, tmp_path):
    pack = tmp_path / "pack"  # a server of its own: the module's may still be in use
    shutil.copytree(DATA / "tiny", pack)
    process, url = start_preview(pack)
    page = browser.new_page()
    page.goto(url)  # its reload stream stays open while the server stops
    page.get_by_text("What does a build server do?").first.wait_for(timeout=WAIT_MS)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    page.close()
    out, err = process.communicate()
    assert out.strip().endswith("stopped")
    assert "Traceback" not in err
