"""The HTML of the three editions, compared with golden files, so that a change meant to
leave the output alone (a refactor) proves it did: any difference fails, shown as a diff.

The book is the tiny pack's, tailored (a name, a company, an interview date), so that every
section the editions print is rendered; and the Markdown pack's study edition, for what real
banks bring (code, tables, raw HTML dropped, links with their targets, a web image). The HTML
is what WeasyPrint is given, before layout, with the repository's path replaced by ``REPO``.
After a change that is meant to alter the output, regenerate the files and read the diff
before committing them:

    .venv/bin/python -m pytest tests/test_golden.py --update-golden
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path

import pytest

from guidegen.book.html import render_html
from guidegen.book.model import prepare
from guidegen.content.load import load_bank
from guidegen.spec import EDITIONS, Person, WorkbookSpec
from tests.conftest import DATA

GOLDEN = Path(__file__).parent / "golden"
REPO = Path(__file__).resolve().parents[1]
PERSON = Person("Ada Lovelace", "Acme", dt.date(2027, 3, 9), dt.date(2027, 3, 1))


def edition_html(edition: str, pack_name: str = "tiny") -> str:
    pack = DATA / pack_name
    spec = WorkbookSpec(content=pack, edition=edition, person=PERSON)
    html = render_html(prepare(load_bank(pack), spec))
    return html.replace(REPO.as_uri(), "file://REPO").replace(str(REPO), "REPO")


def compare_with_golden(html: str, name: str, request) -> None:
    golden = GOLDEN / name
    if request.config.getoption("--update-golden"):
        golden.write_text(html, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    if html != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), html.splitlines(), str(golden), "now", lineterm="", n=2
        )
        pytest.fail("the HTML changed (--update-golden if meant):\n" + "\n".join(diff))


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_html_of_each_edition_is_the_golden_one(edition, request):
    html = edition_html(edition)
    compare_with_golden(html, f"tiny-{edition}.html", request)
    assert "Ada Lovelace" in html and "Acme" in html  # the tailored sections are in it


def test_the_html_of_the_markdown_cases_is_the_golden_one(request):
    html = edition_html("study", "markdown")
    compare_with_golden(html, "markdown-study.html", request)
    assert (
        '<span class="link-target"> (kubernetes.io/docs/concepts/services-networking/service)'
        in html
    )
