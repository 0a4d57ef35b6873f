"""guidegen serve in a real browser (headless Chromium driven by Playwright), against the
command a newcomer runs: upload a workshop's attendee list, follow its progress, download the
zip of copies; build one workbook from the other form; reach every control by keyboard."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import CHROMIUM, DATA, guidegen_env
from tests.pdfread import Workbook

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium: apt-get install chromium"),
]
WAIT_MS = 60_000  # generous: the machine may be busy; a tiny workshop takes about 2 s
ATTENDEES = ["Ada Lovelace", "Grace Hopper", "Alan Turing"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``guidegen serve`` as a newcomer starts it, on a free port, and the URL it prints."""
    data = tmp_path_factory.mktemp("serve-data")
    process = subprocess.Popen(
        [sys.executable, "-m", "guidegen", "serve", "--port", "0", "--content", str(DATA / "tiny")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**guidegen_env(), "PYTHONUNBUFFERED": "1", "GUIDEGEN_DATA_DIR": str(data)},
    )
    first = process.stdout.readline()
    match = re.search(r" at (http://127\.0\.0\.1:\d+/) ", first)
    assert match, first + process.stderr.read()
    yield match.group(1)
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode == 0 and "Traceback" not in err, err


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def test_a_workshop_from_upload_to_the_zip_of_copies(server, page, tmp_path):
    attendees = tmp_path / "room.csv"
    lines = ["Name;Company", *(f"{name};Acme" for name in ATTENDEES)]
    attendees.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")  # Excel's CSV UTF-8
    page.goto(server)
    page.get_by_label("Attendee list (CSV)").set_input_files(attendees)
    page.get_by_label("Edition").first.select_option("practice")
    page.get_by_role("button", name="Build the copies").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f]{32}$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Workshop: room.csv"
    # The progress refreshes by itself; the finished page offers the downloads.
    download_link = page.get_by_role("link", name="Every copy (zip)")
    download_link.wait_for(timeout=WAIT_MS)
    assert page.get_by_role("status").inner_text() == "Finished: 3 of 3 copies built"
    with page.expect_download() as download:
        download_link.click()
    saved = tmp_path / "copies.zip"
    download.value.save_as(saved)
    archive = zipfile.ZipFile(saved)
    pdfs = sorted(name for name in archive.namelist() if name.endswith(".pdf"))
    assert pdfs == ["ada-lovelace.pdf", "alan-turing.pdf", "grace-hopper.pdf"]
    for name in ATTENDEES:
        member = name.lower().replace(" ", "-") + ".pdf"
        (tmp_path / member).write_bytes(archive.read(member))
        book = Workbook(tmp_path / member)
        cover = book.page_texts[0]
        assert name in cover and "Acme" in cover
        assert not any(other in cover for other in ATTENDEES if other != name)
        book.close()


def test_one_workbook_downloads_a_pdf_with_the_name_on_its_cover(server, page, tmp_path):
    page.goto(server)
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.locator("#b-company").fill("Harbour Freight")
    page.get_by_label("Interview date").fill("2027-03-09")
    with page.expect_download(timeout=WAIT_MS) as download:
        page.get_by_role("button", name="Build my workbook (PDF)").click()
    assert download.value.suggested_filename == "ada-lovelace.pdf"
    saved = tmp_path / "workbook.pdf"
    download.value.save_as(saved)
    book = Workbook(saved)
    cover = book.page_texts[0]
    assert "Ada Lovelace" in cover and "Harbour Freight" in cover
    book.close()


def test_every_control_has_a_label_and_is_reached_by_keyboard(server, page):
    page.goto(server)
    controls = page.eval_on_selector_all(
        "input:not([type=hidden]), select, textarea, button",
        """els => els.map(e => ({id: e.id, labels: e.labels ? e.labels.length : 0,
                                 name: e.tagName === 'BUTTON' ? e.innerText : ''}))""",
    )
    assert controls and all(c["labels"] or c["name"] for c in controls), controls
    reached = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement;
                       const s = getComputedStyle(e);
                       return {id: e.id, tag: e.tagName, ring: s.outlineStyle,
                               shadow: s.boxShadow}; }"""
        )
        if focused["id"]:
            reached.add(focused["id"])
        # The focus is visible: an outline and the yellow ring around it.
        if focused["tag"] != "BODY":
            assert focused["ring"] != "none" and focused["shadow"] != "none", focused
    radios = {c["id"] for c in controls if c["id"].endswith(("-booklet", "-fillable"))}
    # A radio group is one tab stop (arrow keys move inside it): all the rest are reached.
    assert {c["id"] for c in controls if c["id"]} - radios <= reached
