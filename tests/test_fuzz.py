"""Property-based tests: whatever an author or a spreadsheet hands guidegen, it answers with a
result, a warning or a one-line error, never a traceback.

Hypothesis runs derandomized (a fixed sequence of examples) and without its example database, so
the suite is the same on every run and on every machine.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guidegen.batch.attendees import read_attendees
from guidegen.content.load import load_bank
from guidegen.errors import ContentError, UsageError
from tests.conftest import DATA, fixed, run_cli

TINY = DATA / "tiny"
QUESTIONS = (TINY / "questions" / "tiny.yaml").read_text(encoding="utf-8")

# Fragments that have broken YAML loaders and content pipelines before.
NASTY = [
    "&a ",
    "*a",
    "<<: *a",
    "!!binary aGk=",
    "!!set",
    "!!python/object:os.system",
    "!x ",
    "\x07",
    "\x00",
    "\t",
    "\r",
    "\ufeff",
    "\u202e",
    "\ud800",
    "{company}",
    "{compnay}",
    "{company|}",
    "${HOME}",
    ": ",
    "- ",
    "? ",
    "'",
    '"',
    "|",
    ">",
    "#",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "[",
    "]",
    "{",
    "}",
    "~",
    "null",
    "yes",
    "0x1F",
    "1e9999",
    "2027-03-09",
    "é" * 300,
    "questions:",
    "kind: behavioural",
    "tags: 5",
    "id: Bad Id",
    "\n    ",
    "\n  - ",
    "\n" * 3,
]


@st.composite
def mutated_yaml(draw) -> str:
    text = QUESTIONS
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate"]))
        if action == "insert":
            piece = draw(st.one_of(st.sampled_from(NASTY), st.text(max_size=20)))
            text = text[:where] + piece + text[where:]
        elif action == "delete":
            text = text[:where] + text[where + draw(st.integers(1, 40)) :]
        else:
            line_start = text.rfind("\n", 0, where) + 1
            line_end = text.find("\n", where)
            line = text[line_start : line_end if line_end != -1 else len(text)]
            text = text[:line_start] + line + "\n" + text[line_start:]
    return text


@pytest.fixture
def pack(tmp_path) -> Path:
    target = tmp_path / "pack"
    if not target.exists():
        shutil.copytree(TINY, target)
    return target


@fixed(150)
@given(text=st.one_of(mutated_yaml(), st.text(max_size=300)))
def test_any_content_file_loads_or_is_a_content_error(pack, text):
    (pack / "questions" / "tiny.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_bank(pack)
    except ContentError as error:
        assert error.problems
        for problem in error.problems:
            line = problem.one_line()
            assert "\n" not in line.strip() or problem.value, line


@fixed(150)
@given(
    raw=st.one_of(
        st.binary(max_size=300),
        st.text(alphabet=st.sampled_from(list('name,;\t"\n\r ab\u00e9=+@')), max_size=120).map(
            str.encode
        ),
    )
)
def test_any_attendee_list_reads_or_is_a_usage_error(tmp_path, raw):
    path = tmp_path / "room.csv"
    path.write_bytes(b"name,company\n" + raw if raw[:1] != b"x" else raw)
    try:
        table = read_attendees(path)
    except UsageError as error:
        assert str(error).strip() and "\n" not in str(error)
        return
    for row in table.rows:
        assert isinstance(row.name, str)


@fixed(6)
@given(text=mutated_yaml())
def test_any_content_ends_in_a_pdf_or_a_clean_exit(pack, tmp_path, text):
    (pack / "questions" / "tiny.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    out = tmp_path / "fuzz.pdf"
    result = run_cli("build", "--content", pack, "--out", out)
    assert result.exit_code in (0, 1, 2), result.stderr
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        assert out.read_bytes().startswith(b"%PDF-")
    else:
        assert result.stderr.startswith(("error: ", "usage error: ")), result.stderr
