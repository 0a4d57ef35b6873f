"""Same inputs, same bytes: builds, batches and booklets, each made twice in separate processes;
and no date from the clock unless the reader asked for a plan that starts today."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, guidegen_env, run_cli


def guidegen(*args, cwd: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "guidegen", *map(str, args)],
        cwd=cwd,
        env=guidegen_env(),
        check=True,
        capture_output=True,
    )


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.mark.slow
def test_two_builds_are_byte_identical(tmp_path):
    (tmp_path / "room.csv").write_text(
        "name,company\nAda Lovelace,Acme\nGrace Hopper,\n", encoding="utf-8"
    )
    runs = []
    for attempt in ("first", "second"):
        out = tmp_path / attempt
        out.mkdir()
        guidegen(
            "build",
            "--name",
            "Ada",
            "--date",
            "2027-03-09",
            "--start",
            "2027-03-01",
            "--fillable",
            "--content",
            DATA / "tiny",
            "--out",
            out / "fillable.pdf",
            cwd=tmp_path,
        )
        guidegen(
            "build",
            "--booklet",
            "--content",
            DATA / "tiny",
            "--out",
            out / "booklet.pdf",
            cwd=tmp_path,
        )
        guidegen(
            "batch",
            "room.csv",
            "--out-dir",
            out / "batch",
            "--combined",
            "-q",
            "--content",
            DATA / "tiny",
            cwd=tmp_path,
        )
        batch = {f"batch/{name}": digest for name, digest in digests(out / "batch").items()}
        runs.append({**digests(out), **batch})
    assert len(runs[0]) == 6  # 2 builds; 2 copies, _combined.pdf and manifest.csv
    assert runs[0] == runs[1]


def test_the_clock_reaches_the_pdf_only_through_a_plan_that_starts_today(tmp_path, monkeypatch):
    """Built on two different days, a workbook is the same file unless the reader gave an
    interview date and no start date (and then the plan's first day is that day)."""
    import datetime as dt

    from guidegen import clock
    from tests.pdfread import Workbook

    def build_on(day: dt.date, name: str, *options: str) -> bytes:
        monkeypatch.setattr(clock, "today", lambda: day)
        out = tmp_path / name
        result = run_cli("build", "--content", DATA / "tiny", "--out", out, *options)
        assert result.exit_code == 0, result.stderr
        return out.read_bytes()

    monday, later = dt.date(2027, 3, 1), dt.date(2031, 5, 17)
    assert build_on(monday, "a.pdf") == build_on(later, "b.pdf")
    assert build_on(monday, "c.pdf", "--date", "2027-06-01", "--start", "2027-05-20") == build_on(
        later, "d.pdf", "--date", "2027-06-01", "--start", "2027-05-20"
    )
    build_on(monday, "e.pdf", "--date", "2027-03-05")
    book = Workbook(tmp_path / "e.pdf")
    text = " ".join(book.page_texts)
    metadata = dict(book.pdf.docinfo)
    book.close()
    assert "Mon 1 Mar" in text and "Thu 4 Mar" in text and "Fri 5 Mar" not in text
    assert "/CreationDate" not in metadata and "/ModDate" not in metadata
