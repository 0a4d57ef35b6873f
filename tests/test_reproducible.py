"""Same inputs, same bytes: builds, batches and booklets, each made twice in separate processes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path


def guidegen(*args, cwd: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    subprocess.run([sys.executable, "-m", "guidegen", *map(str, args)], cwd=cwd, env=env,
                   check=True, capture_output=True)


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def test_two_builds_are_byte_identical(tmp_path):
    (tmp_path / "room.csv").write_text("name,company\nAda Lovelace,Acme\nGrace Hopper,\n",
                                       encoding="utf-8")
    runs = []
    for attempt in ("first", "second"):
        out = tmp_path / attempt
        out.mkdir()
        guidegen("build", "--name", "Ada", "--date", "2027-03-09", "--start", "2027-03-01",
                 "--fillable", "--out", out / "fillable.pdf", cwd=tmp_path)
        guidegen("build", "--role", "sre", "--booklet", "--out", out / "booklet.pdf",
                 cwd=tmp_path)
        guidegen("batch", "room.csv", "--out-dir", out / "batch", "--combined", "-q",
                 cwd=tmp_path)
        batch = {f"batch/{name}": digest for name, digest in digests(out / "batch").items()}
        runs.append({**digests(out), **batch})
    assert len(runs[0]) == 6  # 2 builds; 2 copies, _combined.pdf and manifest.csv
    assert runs[0] == runs[1]


def test_no_date_comes_from_the_clock_without_date_options(tmp_path, default_workbook):
    import datetime as dt

    text = " ".join(default_workbook.page_texts)
    today = dt.date.today()
    for shown in (today.strftime("%-d %B %Y"), today.strftime("%a %-d %b")):
        assert shown not in text
    info = default_workbook.reader.metadata
    assert info.get("/CreationDate") is None and info.get("/ModDate") is None
