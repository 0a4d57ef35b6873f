"""guidegen init: a pack that validates and builds with no other argument, and whose editor
comments resolve wherever it lives."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from guidegen.content.load import load_bank
from guidegen.paths import CONTENT_DIR
from tests.conftest import run_cli
from tests.pdfread import Workbook, normalise


@pytest.fixture(scope="module")
def pack_book(tmp_path_factory) -> tuple[Path, Workbook]:
    folder = tmp_path_factory.mktemp("init")
    pack = folder / "my pack"  # a space in the path, as on many laptops
    result = run_cli("init", pack)
    assert result.exit_code == 0, result.output
    out = folder / "out.pdf"
    result = run_cli("build", "--content", pack, "--out", out)
    assert result.exit_code == 0, result.output + result.stderr
    book = Workbook(out)
    yield pack, book
    book.close()


def test_init_writes_a_pack_that_validates(pack_book):
    pack, _ = pack_book
    result = run_cli("validate", "--content", pack)
    assert result.exit_code == 0, result.output
    builtin = len(load_bank(CONTENT_DIR).questions)
    assert f"3 questions (and {builtin} built-in ones to name), 1 role" in result.stdout
    assert "warning" not in result.output


def test_the_pack_builds_its_own_default_role(pack_book):
    _, book = pack_book
    parts, titles = None, []
    for level, title, _ in book.outline():
        parts = title if level == 1 else parts
        if level == 2 and parts.endswith("questions"):  # not the story bank's STAR pages
            titles.append(title)
    # Its three questions (by tag) and the two built-in ones it names, part by part.
    assert titles == [
        "Why do you want to join this company?",
        "Tell me about yourself.",
        "What happens when you type a URL into a browser and press Enter?",
        "Tell me about a time you made a mistake at work or in a project.",
        "This CI job fails. What would you check first?",
    ]
    cover = normalise(book.raw_text(1))
    assert "My Role" in cover and "My Interview Workbook" in cover
    (own,) = book.pages_containing("First questions for this team")
    # The pack's own group of questions to ask first, the built-in groups after it.
    assert book.pages_containing("Engineering practice")[0] > own


def test_every_file_points_at_the_schema_beside_it_and_passes_it(pack_book):
    pack, _ = pack_book
    schema = json.loads((pack / "content.schema.json").read_text(encoding="utf-8"))
    files = sorted(pack.rglob("*.yaml"))
    assert len(files) == 4
    for file in files:
        first = file.read_text(encoding="utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, f"{file}: {first}"
        assert (file.parent / match.group(1)).resolve() == (pack / "content.schema.json")
        jsonschema.validate(yaml.safe_load(file.read_text(encoding="utf-8")), schema)


def test_init_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_cli("init", tmp_path)
    assert result.exit_code == 2
    assert "is not empty" in result.stderr
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
