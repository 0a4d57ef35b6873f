"""Workshop batches: one personalised copy per CSV row, read back from the PDFs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest

from guidegen.batch.attendees import file_stem, read_attendees, spreadsheet_safe
from guidegen.batch.run import read_manifest
from guidegen.errors import UsageError
from tests.conftest import build, guidegen_env, long_pack, run_cli, write_csv
from tests.pdfread import Workbook


def manifest(folder: Path, name: str = "manifest.csv") -> list[dict]:
    return read_manifest(folder / name)


# ---- the shared workshop: five rows, one bad, two workers, a combined file ----


def test_a_bad_row_is_reported_once_and_the_others_are_written(workshop):
    out, (code, stdout, stderr) = workshop
    assert code == 1
    assert stderr.count("row 5: empty name") == 1, stderr
    rows = manifest(out)
    assert [(r["row"], r["name"], r["file"], r["status"]) for r in rows] == [
        ("2", "Ada Lovelace", "ada-lovelace.pdf", "ok"),
        ("3", "Grace Hopper", "grace-hopper.pdf", "ok"),
        ("4", "Ada Lovelace", "ada-lovelace-2.pdf", "ok"),
        ("5", "", "", "error: empty name"),
        ("6", "Alan Turing", "alan-turing.pdf", "ok"),
    ]
    assert rows[2]["note"].startswith("numbered")
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            "ada-lovelace.pdf",
            "ada-lovelace-2.pdf",
            "grace-hopper.pdf",
            "alan-turing.pdf",
            "manifest.csv",
            "_combined.pdf",
        ]
    )


def test_without_a_terminal_each_row_is_one_line_in_csv_order(workshop):
    _, (_, stdout, stderr) = workshop
    lines = [line for line in stdout.splitlines() if line.startswith("row ")]
    assert lines == [
        "row 2: ada-lovelace.pdf: ok",
        "row 3: grace-hopper.pdf: ok",
        "row 4: ada-lovelace-2.pdf: ok",
        "row 6: alan-turing.pdf: ok",
    ]
    assert stdout.splitlines()[-2].startswith("4 written, 0 skipped, 1 failed in ")


def test_each_copy_has_its_name_on_the_cover_and_the_whole_workbook(workshop):
    out, _ = workshop
    for row in (r for r in manifest(out) if r["status"] == "ok"):
        book = Workbook(out / row["file"])
        cover = book.page_texts[0]
        assert row["name"] in cover and "Acme" in cover
        others = {"Ada Lovelace", "Grace Hopper", "Alan Turing"} - {row["name"]}
        assert not any(name in cover for name in others)
        assert book.page_count == int(row["pages"])
        assert int(row["sheets"]) == (book.page_count + 1) // 2
        assert str(book.pdf.docinfo.Title).endswith(f"for {row['name']}")
        book.close()


def test_contents_links_and_bookmarks_survive_personalisation(workshop, long_part_workbook):
    out, _ = workshop
    book = Workbook(out / "grace-hopper.pdf")
    contents = [n for n in range(1, 7) if book.page_texts[n - 1].startswith("Contents")]
    entries = book.toc_entries(contents)
    assert len(entries) > 25 and book.named_pages
    for entry in entries:
        assert entry.printed_page == entry.target_page, entry
    questions = sum(level == 2 for level, _, _ in long_part_workbook.outline())
    assert sum(level == 2 for level, _, _ in book.outline()) == questions
    book.close()


def test_a_copy_is_one_body_and_a_small_update_that_qpdf_checks_clean(workshop):
    out, _ = workshop
    first, second = [(out / name).read_bytes() for name in ("ada-lovelace.pdf", "grace-hopper.pdf")]
    end = first.index(b"%%EOF") + len(b"%%EOF")
    assert first[:end] == second[:end]  # the same laid-out body
    assert len(first) - end < 20_000 and first.count(b"%%EOF") == 2
    with pikepdf.open(out / "ada-lovelace.pdf") as pdf:
        assert pdf.check_pdf_syntax() == []


def test_a_personalised_copy_is_at_most_a_fifth_larger_than_a_plain_build(
    workshop, long_part_workbook
):
    out, _ = workshop
    plain = long_part_workbook.path.stat().st_size
    assert (out / "alan-turing.pdf").stat().st_size <= 1.2 * plain


def test_combined_file_has_every_copy_each_on_a_right_hand_page(workshop):
    out, _ = workshop
    combined = Workbook(out / "_combined.pdf")
    tops = [(title, page) for level, title, page in combined.outline() if level == 1]
    assert [title for title, _ in tops] == [
        "Ada Lovelace",
        "Grace Hopper",
        "Ada Lovelace",
        "Alan Turing",
    ]
    assert all(page % 2 == 1 for _, page in tops)
    pages = [int(r["pages"]) for r in manifest(out) if r["status"] == "ok"]
    assert combined.page_count == sum(p + p % 2 for p in pages)
    for title, page in tops:
        assert title in combined.page_texts[page - 1]
    combined.close()


def test_stamped_cover_details_sit_where_a_full_build_puts_them(workshop, tmp_path):
    out, _ = workshop
    pack = long_pack(out.parent.parent)  # the pack the workshop was built from
    full = build(
        tmp_path / "full.pdf",
        *("--content", pack, "--name", "Grace Hopper", "--company", "Acme", "--count", "3"),
    )

    def positions(book):
        return sorted(
            (c.text, round(c.x0, 1), round(c.top, 1))
            for c in book.chars(1)
            if c.text in "GraceHopperAcm" and c.size >= 14
        )

    copy = Workbook(out / "grace-hopper.pdf")
    assert positions(copy) == positions(full) != []
    copy.close()
    full.close()


def test_placed_overlays_put_every_glyph_where_whole_covers_do(tmp_path, monkeypatch):
    """From PLACED_OVERLAYS_FROM people on, overlays are laid out with only the detail boxes,
    where the first two whole covers measured them: every copy's details land where a whole
    cover overlay puts them, long names (smaller, wrapped), companies and dates included."""
    import datetime as dt

    from guidegen import workbook
    from guidegen.book.model import prepare
    from guidegen.content.load import load_bank
    from guidegen.spec import WorkbookSpec

    spec = WorkbookSpec(content=tiny())
    book = prepare(load_bank(tiny()), spec, cover_mode="base")
    names = ["Ann", "Grace Hopper", "A" * 40 + " Longname", "Bea " * 16, "Zoë Ürün"]
    people = [
        spec.with_person(
            name=f"{names[n % len(names)]} {n}",
            company="Acme Analytics" if n % 3 else None,
            date=dt.date(2027, 3, 9) if n % 2 else None,
        ).person
        for n in range(workbook.PLACED_OVERLAYS_FROM + 3)
    ]
    many = book.with_changes(people=people)
    placed = []
    real = workbook.lay_out

    def lay_out(*args, **kwargs):
        placed.append("placed" in kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(workbook, "lay_out", lay_out)
    fast, _ = workbook.render_cover_overlays(many)
    assert placed == [False, True]  # the two measured, then everyone placed
    monkeypatch.setattr(workbook, "PLACED_OVERLAYS_FROM", 10**6)
    whole, _ = workbook.render_cover_overlays(many)
    assert placed[2:] == [False]
    (tmp_path / "fast.pdf").write_bytes(fast)
    (tmp_path / "whole.pdf").write_bytes(whole)
    fast_book, whole_book = Workbook(tmp_path / "fast.pdf"), Workbook(tmp_path / "whole.pdf")
    assert fast_book.page_count == whole_book.page_count == len(people)
    for page in range(1, len(people) + 1):
        found = [(c.text, round(c.x0, 2), round(c.top, 2), c.size) for c in fast_book.chars(page)]
        assert found == [
            (c.text, round(c.x0, 2), round(c.top, 2), c.size) for c in whole_book.chars(page)
        ]
        assert found, page
    fast_book.close()
    whole_book.close()


# ---- file names ----


@pytest.mark.parametrize(
    "name, stem",
    [
        ("../../etc/x", "etc-x"),
        ("a/b", "a-b"),
        ("Zoë 🚀 Star", "zoë-star"),
        ("محمد علي", "محمد-علي"),
        ("\u202eevil\u202c", "evil"),
        ("..", ""),
        ("  ", ""),
        ("C:\\Windows\\x", "c-windows-x"),
        ("CON", "con_"),
        ("nul", "nul_"),
        ("Com1", "com1_"),
    ],
)
def test_safe_file_names(name, stem):
    assert file_stem(name)[0] == stem


def test_long_names_are_cut_by_bytes_and_the_manifest_says_so(tmp_path):
    long_name = "𝔸" * 70  # 280 bytes in UTF-8: more than a file name may have
    stem, note = file_stem(long_name)
    assert len(stem.encode()) <= 120 and stem == "𝔸" * 30 and "shortened" in note
    attendees = write_csv(tmp_path / "room.csv", [["name"], [long_name], [long_name], ["CON"]])
    out = tmp_path / "out"
    result = run_cli("batch", attendees, "--out-dir", out, "--content", tiny(), "-q")
    assert result.exit_code == 0, result.stderr
    rows = manifest(out)
    assert [r["file"] for r in rows] == [f"{stem}.pdf", f"{stem}-2.pdf", "con_.pdf"]
    assert "shortened" in rows[0]["note"] and "numbered" in rows[1]["note"]
    assert "reserved" in rows[2]["note"]
    assert all((out / r["file"]).stat().st_size > 1000 for r in rows)


def tiny() -> Path:
    return Path(__file__).parent / "data" / "tiny"


# ---- hostile output folders and cells ----


def test_a_symlink_in_the_output_folder_is_never_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "ada.pdf").symlink_to("../victim.txt")
    attendees = write_csv(tmp_path / "a.csv", [["name"], ["Ada"], ["Bob"]])
    result = run_cli("batch", attendees, "--out-dir", out, "--content", tiny(), "-q")
    assert result.exit_code == 1
    assert victim.read_text() == "precious"
    assert (out / "ada.pdf").is_symlink()
    assert "row 2: cannot write" in result.stderr and "symbolic link" in result.stderr
    assert (out / "bob.pdf").read_bytes().startswith(b"%PDF-")  # the batch went on


def test_manifest_cells_cannot_run_as_spreadsheet_formulas(tmp_path):
    names = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "Plain"]
    attendees = write_csv(tmp_path / "room.csv", [["name"]] + [[n] for n in names])
    out = tmp_path / "out"
    assert run_cli("batch", attendees, "--out-dir", out, "--content", tiny(), "-q").exit_code == 0
    raw = (out / "manifest.csv").read_text(encoding="utf-8")
    import csv
    import io

    cells = [row[1] for row in csv.reader(io.StringIO(raw))][1:]
    assert cells == ['\'=HYPERLINK("http://x")', "'+1+1", "'-2", "'@SUM(A1)", "Plain"]
    assert [r["name"] for r in manifest(out)] == names  # and they read back as typed
    assert spreadsheet_safe(3) == 3
    assert spreadsheet_safe("\tx") == "'\tx" and spreadsheet_safe("\r=1") == "'\r=1"
    # --skip-existing reads the same folder back and leaves every copy alone
    again = run_cli(
        "batch", attendees, "--out-dir", out, "--content", tiny(), "--skip-existing", "-q"
    )
    assert again.exit_code == 0
    assert all(r["status"].startswith("skipped") for r in manifest(out))


# ---- reading the CSV ----


def test_semicolons_first_and_last_names_and_excel_headers(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text(
        'First Name;Last_Name;E-mail;Shoe size\nAda;Lovelace;a@x;5\nJosé;"García; Jr.";j@x;7\n',
        encoding="utf-8-sig",
    )
    table = read_attendees(path)
    assert table.separator == ";"
    assert [row.name for row in table.rows] == ["Ada Lovelace", "José García; Jr."]
    assert table.unused_columns == ["Shoe size"]


def test_an_unterminated_quote_is_reported_with_its_row(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text('name,company\nAda,Acme\n"Bob,Initech\nCarol,Umbrella\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"broken.csv:3: a quoted cell .* never closed"):
        read_attendees(path)
    # In the header line too (this raised UnboundLocalError, a traceback, until it was fixed).
    path.write_text('name,"company\nAda,Acme\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"broken.csv:1: a quoted cell .* never closed"):
        read_attendees(path)


def test_missing_name_column_is_a_usage_error(tmp_path):
    attendees = write_csv(tmp_path / "bad.csv", [["person", "company"], ["Ann", "X"]])
    result = run_cli("batch", attendees, "--out-dir", tmp_path / "out")
    assert result.exit_code == 2 and "no name column" in result.stderr


def test_unreadable_csv_rows_are_usage_errors(tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("name,company\nAda," + "x" * 200_000 + "\n", encoding="utf-8")
    result = run_cli("batch", big, "--out-dir", tmp_path / "out")
    assert result.exit_code == 2 and "big.csv:2: not a readable CSV row" in result.stderr
    twice = write_csv(tmp_path / "twice.csv", [["name", "Full name"], ["A", "B"]])
    result = run_cli("batch", twice, "--out-dir", tmp_path / "out")
    assert result.exit_code == 2 and "names name more than once" in result.stderr


# ---- hostile names, right-to-left names, shards, resuming ----


def test_hostile_names_stay_inside_the_output_folder(tmp_path):
    attendees = write_csv(
        tmp_path / "hostile.csv",
        [["name"], ["../../etc/x"], ["a/b"], ["Zoë 🚀 Star"], ["מרים כהן"], ["a/b"], [".."]],
    )
    out = tmp_path / "out"
    result = run_cli("batch", attendees, "--out-dir", out, "--content", tiny(), "-q")
    assert result.exit_code == 0, result.stderr
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(
        [
            "etc-x.pdf",
            "a-b.pdf",
            "zoë-star.pdf",
            "מרים-כהן.pdf",
            "a-b-2.pdf",
            "attendee-7.pdf",
            "manifest.csv",
        ]
    )
    assert sorted(tmp_path.iterdir()) == sorted([attendees, out])  # nothing written outside
    for file, name in (
        ("etc-x.pdf", "../../etc/x"),
        ("a-b-2.pdf", "a/b"),
        ("attendee-7.pdf", ".."),
    ):
        book = Workbook(out / file)
        assert name in book.page_texts[0]
        book.close()
    book = Workbook(out / "zoë-star.pdf")
    assert "Zoë 🚀 Star" in book.page_texts[0]
    book.close()
    for file, word in (("מרים-כהן.pdf", "מרים"),):
        book = Workbook(out / file)
        cover = book.page_texts[0]
        book.close()
        assert word in cover or word[::-1] in cover, cover  # visual order is allowed


def test_shards_partition_the_rows_exactly(tmp_path):
    names = [f"Person {n}" for n in range(1, 8)]
    attendees = write_csv(tmp_path / "room.csv", [["name"]] + [[n] for n in names])
    out = tmp_path / "out"
    seen = []
    for k in (1, 2, 3):
        result = run_cli(
            "batch", attendees, "--out-dir", out, "--shard", f"{k}/3", "-q", "--content", tiny()
        )
        assert result.exit_code == 0, result.stderr
        seen.append([r["name"] for r in manifest(out, f"manifest-{k}-of-3.csv")])
    assert seen == [
        ["Person 1", "Person 4", "Person 7"],
        ["Person 2", "Person 5"],
        ["Person 3", "Person 6"],
    ]
    assert len(list(out.glob("*.pdf"))) == 7


def test_skip_existing_resumes_and_redoes_a_damaged_copy(tmp_path):
    attendees = write_csv(tmp_path / "room.csv", [["name"], ["Ann"], ["Ben"], ["Cat"]])
    out = tmp_path / "out"
    assert (
        run_cli(
            "batch", attendees, "--out-dir", out, "--shard", "1/2", "-q", "--content", tiny()
        ).exit_code
        == 0
    )
    first = (out / "ann.pdf").stat().st_mtime_ns
    (out / "cat.pdf").write_bytes(b"%PDF-1.7\ngarbage\n%%EOF\n")
    result = run_cli("batch", attendees, "--out-dir", out, "--skip-existing", "--content", tiny())
    assert result.exit_code == 0
    assert (out / "ann.pdf").stat().st_mtime_ns == first
    rows = {r["name"]: r for r in manifest(out)}
    assert rows["Ann"]["status"] == "skipped: already there"
    assert rows["Ben"]["status"] == rows["Cat"]["status"] == "ok"
    assert rows["Ann"]["pages"] == rows["Cat"]["pages"] != ""
    assert "row 2: ann.pdf: skipped" in result.output


def test_batch_booklet_manifest_counts_the_pages_in_the_file(tmp_path):
    attendees = write_csv(tmp_path / "room.csv", [["name"], ["Ann"]])
    out = tmp_path / "out"
    result = run_cli("batch", attendees, "--out-dir", out, "--booklet", "-q", "--content", tiny())
    assert result.exit_code == 0, result.stderr
    book = Workbook(out / "ann.pdf")
    (row,) = manifest(out)
    assert int(row["pages"]) == book.page_count and int(row["sheets"]) == book.page_count // 2
    assert [round(v) for v in book.page_size_mm(1)] == [297, 210]
    book.close()


def test_company_from_a_csv_prints_as_typed(tmp_path):
    attendees = write_csv(tmp_path / "room.csv", [["name", "company"], ["Ann", "<b>Evil</b> *Co*"]])
    out = tmp_path / "out"
    assert run_cli("batch", attendees, "--out-dir", out, "-q", "--tags", "company").exit_code == 0
    book = Workbook(out / "ann.pdf")
    text = " ".join(book.page_texts)
    book.close()
    assert "Why do you want to work at <b>Evil</b> *Co*?" in text
    # The placeholder in a Markdown field: the name is text, neither markup nor emphasis.
    assert "reason to pick <b>Evil</b> *Co* over the next offer" in text


def test_an_attendee_named_combined_keeps_their_copy(tmp_path):
    attendees = write_csv(tmp_path / "room.csv", [["name"], ["Combined"], ["Bob"]])
    out = tmp_path / "out"
    assert (
        run_cli(
            "batch", attendees, "--out-dir", out, "--combined", "-q", "--content", tiny()
        ).exit_code
        == 0
    )
    book = Workbook(out / "combined.pdf")
    assert "Combined" in book.page_texts[0]
    book.close()
    combined = Workbook(out / "_combined.pdf")
    assert [t for level, t, _ in combined.outline() if level == 1] == ["Combined", "Bob"]
    combined.close()


def test_fillable_copies_keep_unique_fields_in_the_combined_file(tmp_path):
    attendees = write_csv(tmp_path / "room.csv", [["name"], ["Ann"], ["Ben"]])
    out = tmp_path / "out"
    result = run_cli(
        "batch", attendees, "--out-dir", out, "--fillable", "--combined", "-q", "--content", tiny()
    )
    assert result.exit_code == 0, result.stderr
    single = Workbook(out / "ann.pdf")
    names = set(single.fields())
    single.close()
    assert "tiny-technical/notes" in names
    combined = Workbook(out / "_combined.pdf")
    both = set(combined.fields())
    combined.close()
    assert both == {f"{who}/{name}" for who in ("ann", "ben") for name in names}


# ---- stopping: signals, killed parents ----


def _batch_process(tmp_path: Path, rows: int, *extra: str) -> tuple[subprocess.Popen, Path]:
    # Each row names its own company, so each copy has a body of its own to lay out: the
    # batch is sure to be busy for many seconds after its first copy. (Copies of one body
    # take a few milliseconds each: hundreds of them could all be written before a signal.)
    attendees = write_csv(
        tmp_path / "room.csv",
        [["name", "company"]] + [[f"Person {n}", f"Company {n}"] for n in range(rows)],
    )
    out = tmp_path / "out"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "guidegen",
            "batch",
            str(attendees),
            "--out-dir",
            str(out),
            "--content",
            str(tiny()),
            "--jobs",
            "2",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=guidegen_env(),
        start_new_session=True,
    )
    return process, out


def _wait_for_copies(out: Path, count: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while len(list(out.glob("*.pdf"))) < count:
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "no copy was written within a minute"
        time.sleep(0.05)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_the_workers_and_writes_the_manifest(tmp_path, signum, code):
    process, out = _batch_process(tmp_path, 400)
    _wait_for_copies(out, 1, process)
    workers = _children(process.pid)
    assert workers, "expected worker processes"
    if signum == signal.SIGINT:
        os.killpg(process.pid, signum)  # Ctrl-C reaches the whole process group
    else:
        process.send_signal(signum)  # `kill PID` reaches the parent alone
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == code, stderr.decode()
    assert "Traceback" not in stderr.decode()
    rows = manifest(out)
    done = sum(r["status"] == "ok" for r in rows)
    assert len(rows) == 400 and 0 < done < 400
    assert all(r["status"] in ("ok", "not written: the batch was interrupted") for r in rows)
    assert len(list(out.glob("*.pdf"))) == done
    assert not list(out.glob(".guidegen-*")), "a temporary file was left behind"
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    assert "not written (interrupted)" in stdout.decode()


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_parent(tmp_path):
    process, out = _batch_process(tmp_path, 400)
    _wait_for_copies(out, 1, process)
    workers = _children(process.pid)
    assert workers
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) for pid in workers):
        assert time.monotonic() < deadline, "worker processes outlived their parent"
        time.sleep(0.05)
    written = len(list(out.glob("*.pdf")))
    time.sleep(1)
    assert len(list(out.glob("*.pdf"))) == written, "copies were still being written"
    # Nothing holds the caller's pipes open any more: reading them reaches the end.
    process.stdout.read()
    process.stderr.read()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


# ---- characters no font has ----

# U+0378 is unassigned: no font has a glyph for it, on any machine.
NO_GLYPH = "\u0378"


def test_a_name_no_font_can_print_is_named_in_a_warning(tmp_path):
    result = run_cli(
        "build", "--content", tiny(), "--name", f"Ana {NO_GLYPH}", "--out", tmp_path / "a.pdf"
    )
    assert result.exit_code == 0
    assert f"no installed font has {NO_GLYPH} (U+0378): each prints as an empty box" in (
        result.stderr
    )
    plain = run_cli("build", "--content", tiny(), "--name", "Ana", "--out", tmp_path / "b.pdf")
    assert plain.exit_code == 0 and "no installed font" not in plain.stderr


def test_a_batch_names_each_row_whose_cover_prints_empty_boxes(tmp_path):
    attendees = write_csv(
        tmp_path / "room.csv", [["name", "company"], ["Bob", "Acme"], ["Ana", f"Co {NO_GLYPH}"]]
    )
    out = tmp_path / "out"
    result = run_cli("batch", attendees, "--out-dir", out, "-q", "--content", tiny())
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if "no installed font" in line]
    assert warnings == [
        f"warning: row 3 (Ana): no installed font has {NO_GLYPH} (U+0378): each prints as an "
        "empty box; install a font that does (for Chinese, Japanese and Korean: fonts-noto-cjk) "
        "and run it again"
    ]
    assert [row["status"] for row in manifest(out)] == ["ok", "ok"]
