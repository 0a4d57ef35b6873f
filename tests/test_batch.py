"""Workshop batches: one personalised copy per CSV row, read back from the PDFs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pypdf import PdfReader

from guidegen.batch import safe_stem
from tests.conftest import run_cli
from tests.pdfread import Workbook


def write_csv(path: Path, rows: list[list[str]], bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return path


def manifest(folder: Path, name: str = "manifest.csv") -> list[dict]:
    with (folder / name).open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def workshop(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workshop")
    attendees = write_csv(folder / "attendees.csv", [
        ["name", "company", "email"],
        ["Ada Lovelace", "Acme", "ada@example.com"],
        ["Grace Hopper", "Acme", ""],
        ["Ada Lovelace", "Acme", ""],
        ["", "Acme", "nobody@example.com"],
        ["Alan Turing", "Acme", ""],
    ], bom=True)
    out = folder / "out"
    result = run_cli("batch", attendees, "--out-dir", out, "--combined")
    return out, result


def test_a_bad_row_is_reported_and_the_others_are_written(workshop):
    out, result = workshop
    assert result.exit_code == 1
    assert "row 5: empty name" in result.stderr
    rows = manifest(out)
    assert [(r["row"], r["name"], r["file"], r["status"]) for r in rows] == [
        ("2", "Ada Lovelace", "ada-lovelace.pdf", "ok"),
        ("3", "Grace Hopper", "grace-hopper.pdf", "ok"),
        ("4", "Ada Lovelace", "ada-lovelace-2.pdf", "ok"),
        ("5", "", "", "error: empty name"),
        ("6", "Alan Turing", "alan-turing.pdf", "ok"),
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["ada-lovelace.pdf", "ada-lovelace-2.pdf", "grace-hopper.pdf", "alan-turing.pdf",
         "manifest.csv", "_combined.pdf"])


def test_each_copy_has_its_name_on_the_cover_and_the_whole_workbook(workshop):
    out, _ = workshop
    rows = [r for r in manifest(out) if r["status"] == "ok"]
    for row in rows:
        book = Workbook(out / row["file"])
        cover = book.page_texts[0]
        assert row["name"] in cover and "Acme" in cover
        others = {"Ada Lovelace", "Grace Hopper", "Alan Turing"} - {row["name"]}
        assert not any(name in cover for name in others)
        assert book.page_count == int(row["pages"])
        assert book.reader.metadata.title.endswith(f"for {row['name']}")
        book.close()


def test_contents_links_and_bookmarks_survive_personalisation(workshop):
    out, _ = workshop
    book = Workbook(out / "grace-hopper.pdf")
    contents = [n for n, text in enumerate(book.page_texts, start=1)
                if "Contents How to use this workbook" in text]
    entries = book.toc_entries(contents)
    assert len(entries) > 25 and book.named_pages  # named destinations present
    for entry in entries:
        assert entry.printed_page == entry.target_page, entry
    assert sum(level == 2 for level, _, _ in book.outline()) == 26
    book.close()


def test_a_personalised_copy_is_at_most_a_fifth_larger_than_a_plain_build(workshop, tmp_path):
    out, _ = workshop
    plain = tmp_path / "plain.pdf"
    assert run_cli("build", "--company", "Acme", "--out", plain).exit_code == 0
    assert (out / "alan-turing.pdf").stat().st_size <= 1.2 * plain.stat().st_size


def test_combined_file_has_every_copy_each_on_a_right_hand_page(workshop):
    out, _ = workshop
    reader = PdfReader(out / "_combined.pdf")
    starts = [reader.get_destination_page_number(item) + 1 for item in reader.outline
              if not isinstance(item, list)]
    assert [item.title for item in reader.outline if not isinstance(item, list)] == [
        "Ada Lovelace", "Grace Hopper", "Ada Lovelace", "Alan Turing"]
    assert all(start % 2 == 1 for start in starts)
    pages = [int(r["pages"]) for r in manifest(out) if r["status"] == "ok"]
    assert len(reader.pages) == sum(p + p % 2 for p in pages)
    for start, name in zip(starts, ["Ada Lovelace", "Grace Hopper", "Ada Lovelace"]):
        assert name in reader.pages[start - 1].extract_text()


@pytest.mark.parametrize("name, stem", [
    ("../../etc/x", "etc-x"), ("a/b", "a-b"), ("Zoë 🚀 Star", "zoë-star"),
    ("محمد علي", "محمد-علي"), ("\u202eevil\u202c", "evil"), ("..", ""), ("  ", ""),
    ("C:\\Windows\\x", "c-windows-x"),
])
def test_safe_file_names(name, stem):
    assert safe_stem(name) == stem


def test_hostile_names_stay_inside_the_output_folder(tmp_path):
    attendees = write_csv(tmp_path / "hostile.csv", [
        ["name"], ["../../etc/x"], ["a/b"], ["Zoë 🚀 Star"], ["מרים כהן"], ["a/b"], [".."]])
    out = tmp_path / "out"
    result = run_cli("batch", attendees, "--out-dir", out, "--role", "cloud", "-q")
    assert result.exit_code == 0, result.stderr
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(["etc-x.pdf", "a-b.pdf", "zoë-star.pdf", "מרים-כהן.pdf", "a-b-2.pdf",
                            "attendee-7.pdf", "manifest.csv"])
    assert sorted(tmp_path.iterdir()) == sorted([attendees, out])  # nothing written outside
    for file, name in (("etc-x.pdf", "../../etc/x"), ("a-b-2.pdf", "a/b"),
                       ("attendee-7.pdf", "..")):
        book = Workbook(out / file)
        assert f"NAME {name} COMPANY" in book.page_texts[0]
        book.close()
    # pdfminer cannot read a font map with an emoji in it; pypdf reads it as UTF-16 code units.
    cover = PdfReader(out / "zoë-star.pdf").pages[0].extract_text()
    cover = "".join(ch for ch in cover if ch.isalpha())
    assert "Zoë" in cover and "Star" in cover


def test_right_to_left_name_on_the_cover(tmp_path):
    attendees = write_csv(tmp_path / "rtl.csv", [["name"], ["מרים כהן"], ["محمد علي"]])
    out = tmp_path / "out"
    assert run_cli("batch", attendees, "--out-dir", out, "-q").exit_code == 0
    for file, word in (("מרים-כהן.pdf", "מרים"), ("محمد-علي.pdf", "علي")):
        book = Workbook(out / file)
        cover = book.page_texts[0]
        book.close()
        # Right-to-left text may come back in visual (reversed) order.
        assert word in cover or word[::-1] in cover, cover


def test_shards_partition_the_rows_exactly(tmp_path):
    names = [f"Person {n}" for n in range(1, 8)]
    attendees = write_csv(tmp_path / "room.csv", [["name"]] + [[n] for n in names])
    out = tmp_path / "out"
    seen = []
    for k in (1, 2, 3):
        result = run_cli("batch", attendees, "--out-dir", out, "--shard", f"{k}/3", "-q")
        assert result.exit_code == 0, result.stderr
        seen.append([r["name"] for r in manifest(out, f"manifest-{k}-of-3.csv")])
    assert sorted(sum(seen, [])) == sorted(names)
    assert len(sum(seen, [])) == len(set(sum(seen, [])))
    assert seen[0] == ["Person 1", "Person 4", "Person 7"]
    assert len(list(out.glob("*.pdf"))) == 7


def test_skip_existing_resumes_without_rewriting(tmp_path):
    attendees = write_csv(tmp_path / "room.csv", [["name"], ["Ann"], ["Ben"]])
    out = tmp_path / "out"
    assert run_cli("batch", attendees, "--out-dir", out, "--shard", "1/2", "-q").exit_code == 0
    first = (out / "ann.pdf").stat().st_mtime_ns
    result = run_cli("batch", attendees, "--out-dir", out, "--skip-existing")
    assert result.exit_code == 0
    assert (out / "ann.pdf").stat().st_mtime_ns == first
    statuses = {r["name"]: r["status"] for r in manifest(out)}
    assert statuses == {"Ann": "skipped: already there", "Ben": "ok"}
    assert "row 2: ann.pdf: skipped" in result.output


def test_missing_name_column_is_a_usage_error(tmp_path):
    attendees = write_csv(tmp_path / "bad.csv", [["full name", "company"], ["Ann", "X"]])
    result = run_cli("batch", attendees, "--out-dir", tmp_path / "out")
    assert result.exit_code == 2 and "no 'name' column" in result.stderr


def test_batch_booklets(tmp_path):
    attendees = write_csv(tmp_path / "room.csv", [["name", "role"], ["Ann", "platform"]])
    out = tmp_path / "out"
    result = run_cli("batch", attendees, "--out-dir", out, "--booklet", "-q")
    assert result.exit_code == 0, result.stderr
    book = Workbook(out / "ann.pdf")
    pages = int(manifest(out)[0]["pages"])
    assert pages % 4 == 0 and book.page_count == pages // 2
    width, height = book.page_size_mm(1)
    assert (round(width), round(height)) == (297, 210)
    # Sheet 1, front: the last page (notes) on the left, the cover on the right.
    page = book.plumber.pages[0]
    right = page.crop((page.width / 2, 0, page.width, page.height)).extract_text()
    left = page.crop((0, 0, page.width / 2, page.height)).extract_text()
    assert "Ann" in right and "Platform Engineer" in right
    assert f"Page {pages} of {pages}" in left and "Notes" in left
    book.close()


def test_stamped_cover_details_sit_where_a_full_build_puts_them(workshop, tmp_path):
    out, _ = workshop
    full = tmp_path / "full.pdf"
    assert run_cli("build", "--name", "Grace Hopper", "--company", "Acme", "--out",
                   full).exit_code == 0

    def positions(path):
        book = Workbook(path)
        chars = [(c["text"], round(c["x0"], 1), round(c["top"], 1))
                 for c in book.plumber.pages[0].chars if c["text"] in "GraceHopperAcm"]
        book.close()
        return sorted(chars)

    assert positions(out / "grace-hopper.pdf") == positions(full)


def test_fillable_copies_keep_unique_fields_in_the_combined_file(tmp_path):
    attendees = write_csv(tmp_path / "room.csv", [["name", "role"], ["Ann", "sre"], ["Ben", "sre"]])
    out = tmp_path / "out"
    result = run_cli("batch", attendees, "--out-dir", out, "--fillable", "--combined", "-q")
    assert result.exit_code == 0, result.stderr
    single = PdfReader(out / "ann.pdf").get_fields()
    assert "sre-toil/notes/1" in single and len(single) > 300
    combined = PdfReader(out / "_combined.pdf").get_fields()
    assert len(combined) == 2 * len(single)
    assert "ann/sre-toil/notes/1" in combined and "ben/sre-toil/notes/1" in combined


def test_company_from_a_csv_prints_as_typed(tmp_path):
    attendees = write_csv(tmp_path / "room.csv", [["name", "company"],
                                                  ["Ann", "<b>Evil</b> *Co*"]])
    out = tmp_path / "out"
    assert run_cli("batch", attendees, "--out-dir", out, "-q").exit_code == 0
    book = Workbook(out / "ann.pdf")
    text = " ".join(book.page_texts)
    book.close()
    assert "Why do you want to work at <b>Evil</b> *Co*?" in text
    assert "to see whether you looked into the organisation" in text or "<b>Evil</b> *Co*" in text


def test_an_attendee_named_combined_keeps_their_copy(tmp_path):
    attendees = write_csv(tmp_path / "room.csv", [["name"], ["Combined"], ["Bob"]])
    out = tmp_path / "out"
    assert run_cli("batch", attendees, "--out-dir", out, "--combined", "-q").exit_code == 0
    assert "Combined" in PdfReader(out / "combined.pdf").pages[0].extract_text()
    reader = PdfReader(out / "_combined.pdf")
    assert [item.title for item in reader.outline if not isinstance(item, list)] == [
        "Combined", "Bob"]


def test_skip_existing_redoes_a_damaged_copy_and_reports_pages(tmp_path):
    attendees = write_csv(tmp_path / "room.csv", [["name"], ["Ann"], ["Ben"]])
    out = tmp_path / "out"
    assert run_cli("batch", attendees, "--out-dir", out, "-q").exit_code == 0
    (out / "ann.pdf").write_bytes(b"%PDF-1.7\ngarbage\n%%EOF\n")
    result = run_cli("batch", attendees, "--out-dir", out, "--skip-existing", "--combined", "-q")
    assert result.exit_code == 0, result.stderr
    rows = {r["name"]: r for r in manifest(out)}
    assert rows["Ann"]["status"] == "ok" and rows["Ben"]["status"].startswith("skipped")
    assert rows["Ben"]["pages"] == rows["Ann"]["pages"] != ""


def test_unreadable_csv_rows_are_usage_errors(tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("name,company\nAda," + "x" * 200_000 + "\n", encoding="utf-8")
    result = run_cli("batch", big, "--out-dir", tmp_path / "out")
    assert result.exit_code == 2 and "big.csv:2: not a readable CSV row" in result.stderr
    twice = write_csv(tmp_path / "twice.csv", [["name", "name"], ["A", "B"]])
    result = run_cli("batch", twice, "--out-dir", tmp_path / "out")
    assert result.exit_code == 2 and "names name more than once" in result.stderr
