"""Shared fixtures: workbooks are built once per test session, through the real CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from guidegen.cli import main
from guidegen.paths import CONTENT_DIR
from tests.pdfread import Workbook

DATA = Path(__file__).parent / "data"


def run_cli(*args: str):
    """Run guidegen in-process; returns Click's Result (exit_code, stdout, stderr)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def build(out: Path, *options: str) -> Workbook:
    result = run_cli("build", "--out", out, *options)
    assert result.exit_code == 0, result.output + result.stderr
    return Workbook(out)


@pytest.fixture(scope="session")
def default_workbook(tmp_path_factory) -> Workbook:
    workbook = build(tmp_path_factory.mktemp("default") / "devops.pdf")
    yield workbook
    workbook.close()


@pytest.fixture(scope="session")
def letter_workbook(tmp_path_factory) -> Workbook:
    workbook = build(tmp_path_factory.mktemp("letter") / "devops-letter.pdf", "--paper", "letter")
    yield workbook
    workbook.close()


@pytest.fixture(scope="session")
def seed_titles() -> list[str]:
    return (DATA / "seed_titles.txt").read_text(encoding="utf-8").splitlines()


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A writable copy of the built-in content, for planting errors."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target
