"""Flashcards: the cut-out PDF read as a printer and a reader would check it, the Anki deck
opened as Anki opens it, and the TSV as Anki's text import reads it.

The PDFs are built once per session in the background (conftest.BOOKS) from tests/data/cards,
a nine-question pack with a long answer, a prompt too long for a card, one sentence too long
for any card, six long key points and a question without an answer.
"""

from __future__ import annotations

import re
import sqlite3
import zipfile
from pathlib import Path

import pytest

from guidegen.spec import CARD_SIZES, FLIPS, PAPERS, CardGrid
from tests.conftest import DATA, run_cli
from tests.pdfread import MM, normalise

CARDS = DATA / "cards"
FLOOR = 7.0  # --card-floor-size in styles/cards.css
LARGEST = 9.0  # --card-text-size
MARK_GREY = (0x8C / 255,) * 3  # --cut-mark-colour
KINDS = {"GENERAL", "BEHAVIOURAL", "TECHNICAL"}
# Card numbers in the pack's print order (general, behavioural, technical).
NUMBER = {
    "cards-short": 1,
    "cards-company": 2,
    "cards-story": 3,
    "cards-long": 4,
    "cards-points": 5,
    "cards-prompt": 6,
    "cards-huge-prompt": 7,
    "cards-sentence": 8,
    "cards-last": 9,
}


def grid_of(size: str, paper: str) -> CardGrid:
    return CARD_SIZES[size].grids[paper]


def card_boxes(grid: CardGrid) -> list[tuple[float, float, float, float]]:
    """Every card slot of a sheet, in points from the top-left, from the documented grid."""
    return [
        tuple(v * MM for v in grid.box(column, row))
        for row in range(grid.rows)
        for column in range(grid.columns)
    ]


def behind(box, width: float, height: float, flip_axis: str):
    """The box on the back of the sheet that lies behind ``box`` on the front, as the back
    page is printed. Turning a sheet over its vertical axis mirrors left and right; over its
    horizontal axis, top and bottom."""
    x0, top, x1, bottom = box
    if flip_axis == "vertical":
        return (width - x1, top, width - x0, bottom)
    return (x0, height - bottom, x1, height - top)


def header_number(book, page: int, box) -> int | None:
    """The card number printed at the top right of a card (its header strip)."""
    x0, top, x1, _ = box
    text = normalise(book.text_in(page, (x0, top, x1, top + 9 * MM)))
    match = re.search(r"(\d+)$", text)
    return int(match.group(1)) if match else None


def digit_boxes(book, page: int, box):
    x0, top, x1, _ = box
    return [
        c
        for c in book.chars(page)
        if c.text.isdigit() and x0 <= c.x0 and c.x1 <= x1 and top <= c.top <= top + 9 * MM
    ]


# ---- the sheets ----


def test_pages_alternate_fronts_and_backs(cards_pdf):
    grid = grid_of("8-up", "a4")
    assert cards_pdf.page_count == 4  # nine cards: two sheets, front and back
    assert cards_pdf.page_size_mm(1) == pytest.approx((210, 297), abs=0.1)
    for page in range(1, cards_pdf.page_count + 1):
        heads = set()
        for box in card_boxes(grid):
            x0, top, x1, _ = box
            head = normalise(cards_pdf.text_in(page, (x0, top, x1, top + 9 * MM)))
            heads.add(re.sub(r"\s*\d+$", "", head))
        heads.discard("")
        if page % 2:
            assert heads <= KINDS and heads, (page, heads)  # fronts: the kind
        else:
            assert heads <= {"KEY POINTS", "SAMPLE ANSWER", "YOUR ANSWER"}, (page, heads)


@pytest.mark.parametrize(
    "book, size, paper, axis",
    [
        # A portrait sheet turned over its long edge turns about a vertical axis...
        ("cards_pdf", "8-up", "a4", "vertical"),
        # ...a landscape one about a horizontal axis.
        ("cards_index", "index", "letter", "horizontal"),
    ],
)
def test_each_back_lies_behind_its_front(request, book, size, paper, axis):
    cards = request.getfixturevalue(book)
    grid = grid_of(size, paper)
    width, height = (v * MM for v in grid.sheet)
    assert cards.page_size_mm(1) == pytest.approx(grid.sheet, abs=0.1)
    seen = []
    for front in range(1, cards.page_count + 1, 2):
        for box in card_boxes(grid):
            number = header_number(cards, front, box)
            if number is None:
                continue  # an empty slot on the last sheet
            seen.append(number)
            back_box = behind(box, width, height, axis)
            assert header_number(cards, front + 1, back_box) == number, (front, number)
            # The number sits at the same place inside its card on both sides.
            on_front = digit_boxes(cards, front, box)
            on_back = digit_boxes(cards, front + 1, back_box)
            assert on_front and len(on_front) == len(on_back)
            assert box[2] - max(c.x1 for c in on_front) == pytest.approx(
                back_box[2] - max(c.x1 for c in on_back), abs=0.01
            )
            assert min(c.top for c in on_front) - box[1] == pytest.approx(
                min(c.top for c in on_back) - back_box[1], abs=0.01
            )
    assert seen == list(range(1, 10 if book == "cards_pdf" else 4))


@pytest.mark.parametrize(
    "book, size, paper", [("cards_pdf", "8-up", "a4"), ("cards_index", "index", "letter")]
)
def test_no_glyph_outside_its_card_nor_below_the_floor_size(request, book, size, paper):
    cards = request.getfixturevalue(book)
    boxes = card_boxes(grid_of(size, paper))
    inset = 4 * MM  # the card's 4.5 mm padding, less a little for the ink of a glyph
    for page in range(1, cards.page_count + 1):
        for char in cards.chars(page):
            assert any(
                x0 + inset <= char.x0
                and char.x1 <= x1 - inset
                and top + inset <= char.top
                and char.bottom <= bottom - inset
                for x0, top, x1, bottom in boxes
            ), (page, char)
            assert char.size >= FLOOR - 0.01, (page, char)


def test_cut_marks_are_in_the_margins_in_line_with_every_card_edge(cards_pdf):
    grid = grid_of("8-up", "a4")
    boxes = card_boxes(grid)
    xs = sorted({v for box in boxes for v in (box[0], box[2])})
    ys = sorted({v for box in boxes for v in (box[1], box[3])})
    width, height = (v * MM for v in grid.sheet)
    for page in range(1, cards_pdf.page_count + 1):
        marks = [
            s
            for s in cards_pdf.shapes(page)
            if s.paint == "fill" and all(abs(a - b) < 0.01 for a, b in zip(s.colour, MARK_GREY))
        ]
        if page % 2 == 0:
            assert not marks  # cut from the front; a second set would show any misregistration
            continue
        assert len(marks) == 2 * (len(xs) + len(ys))
        for mark in marks:
            for x0, top, x1, bottom in boxes:
                assert mark.x1 <= x0 or mark.x0 >= x1 or mark.bottom <= top or mark.top >= bottom
            # 5 mm clear of the sheet's edge, where printers cannot print.
            assert mark.x0 >= 5 * MM and mark.x1 <= width - 5 * MM
            assert mark.top >= 5 * MM and mark.bottom <= height - 5 * MM
            centre_x, centre_y = (mark.x0 + mark.x1) / 2, (mark.top + mark.bottom) / 2
            if mark.height > mark.width:  # a vertical mark, above or below the grid
                assert min(abs(centre_x - x) for x in xs) < 0.01
                assert mark.bottom <= ys[0] - 1 * MM or mark.top >= ys[-1] + 1 * MM
            else:
                assert min(abs(centre_y - y) for y in ys) < 0.01
                assert mark.x1 <= xs[0] - 1 * MM or mark.x0 >= xs[-1] + 1 * MM


# ---- what the cards say ----


def card_text(book, page: int, number: int, size="8-up", paper="a4") -> str:
    for box in card_boxes(grid_of(size, paper)):
        if header_number(book, page, box) == number:
            return normalise(book.text_in(page, box))
    raise AssertionError(f"card {number} not on page {page}")


def page_of(number: int, side: str, per_sheet: int = 8) -> int:
    sheet = (number - 1) // per_sheet
    return 2 * sheet + (1 if side == "front" else 2)


def test_fronts_have_the_title_filled_and_the_prompt_if_it_fits(cards_pdf):
    n = NUMBER["cards-company"]
    assert "Why do you want to work at Acme?" in card_text(cards_pdf, page_of(n, "front"), n)
    n = NUMBER["cards-prompt"]
    assert "$ echo $((6 * 7))" in card_text(cards_pdf, page_of(n, "front"), n)


def test_a_long_answer_ends_with_the_page_it_starts_on_in_the_workbook(cards_pdf, cards_workbook):
    workbook_pages = cards_workbook.named_pages
    n = NUMBER["cards-long"]
    back = card_text(cards_pdf, page_of(n, "back"), n)
    assert back.startswith("SAMPLE ANSWER")
    assert "Start from what the user sees" in back
    match = re.search(r"… full answer on page (\d+) of the workbook$", back)
    assert match, back
    page = int(match.group(1))
    assert page == workbook_pages["q-cards-long"]
    assert "How do you investigate?" in cards_workbook.page_texts[page - 1]
    # Cut at the end of a sentence.
    assert re.search(r"[.!?] … full answer", back), back
    # The prompt too long for a card: the front says where it is.
    n = NUMBER["cards-huge-prompt"]
    front = card_text(cards_pdf, page_of(n, "front"), n)
    expected = workbook_pages["q-cards-huge-prompt"]
    assert front.endswith(f"… the scenario is on page {expected} of the workbook"), front
    assert "ERROR" not in front


def test_one_sentence_too_long_for_a_card_is_cut_after_a_word(cards_pdf, cards_workbook):
    source = (CARDS / "questions" / "cards.yaml").read_text(encoding="utf-8")
    words = set(re.findall(r"[A-Za-z]+", source))
    n = NUMBER["cards-sentence"]
    back = card_text(cards_pdf, page_of(n, "back"), n)
    match = re.search(r"(\w+),? … … full answer on page (\d+) of the workbook$", back)
    assert match, back
    assert match.group(1) in words  # a whole word, not a piece of one
    assert int(match.group(2)) == cards_workbook.named_pages["q-cards-sentence"]


def test_key_points_shrink_before_they_are_cut(cards_pdf):
    n = NUMBER["cards-points"]
    page = page_of(n, "back")
    back = card_text(cards_pdf, page, n)
    assert back.count("•") == 6 and "full answer" not in back
    box = next(
        b for b in card_boxes(grid_of("8-up", "a4")) if header_number(cards_pdf, page, b) == n
    )
    sizes = {
        c.size
        for c in cards_pdf.chars(page)
        if box[0] <= c.x0 <= box[2] and box[1] + 9 * MM <= c.top <= box[3]
    }
    assert max(sizes) < LARGEST and min(sizes) >= FLOOR


def test_a_question_without_an_answer_says_so(cards_pdf):
    n = NUMBER["cards-story"]
    back = card_text(cards_pdf, page_of(n, "back"), n)
    assert back.startswith("YOUR ANSWER") and "No sample answer for this one" in back


def test_the_file_is_tagged_titled_and_reproducible(cards_pdf, cards_index, cards_index_again):
    pdf = cards_pdf.pdf
    assert str(pdf.docinfo["/Title"]) == "Card Tester Interview Workbook: flashcards"
    assert str(pdf.Root.Lang) == "en" and "/StructTreeRoot" in pdf.Root
    assert cards_index.path.read_bytes() == cards_index_again.path.read_bytes()


# ---- the deck and the TSV ----


def open_deck(path: Path):
    with zipfile.ZipFile(path) as package:
        assert set(package.namelist()) == {"collection.anki2", "media"}
        data = package.read("collection.anki2")
    copy = path.with_suffix(".anki2")
    copy.write_bytes(data)
    return sqlite3.connect(copy)


def test_the_anki_deck_has_a_note_per_question_with_stable_ids(tmp_path):
    import json

    runs = []
    for attempt in ("one", "two"):
        deck = tmp_path / attempt / "deck.apkg"
        tsv = tmp_path / attempt / "cards.tsv"
        result = run_cli(
            "cards", "--content", CARDS, "--company", "Acme", "--anki", deck, "--tsv", tsv
        )
        assert result.exit_code == 0, result.stderr
        assert "9 notes, deck Interview Workbook::Card Tester" in result.output
        assert not list((tmp_path / attempt).glob("*.pdf"))  # only what was asked for
        assert not (Path("output") / "card-tester-cards.pdf").exists()
        db = open_deck(deck)
        notes = db.execute("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id").fetchall()
        cards = db.execute("SELECT id, nid, did FROM cards ORDER BY id").fetchall()
        decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
        models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
        db.close()
        runs.append((notes, cards, decks, models))
    (notes, cards, decks, models), (notes2, cards2, decks2, models2) = runs
    assert len(notes) == 9 and len(cards) == 9
    assert [n[:3] for n in notes] == [n[:3] for n in notes2]  # ids, GUIDs, note type
    assert cards == cards2 and set(decks) == set(decks2) and set(models) == set(models2)
    names = {deck["name"] for deck in decks.values()}
    assert "Interview Workbook::Card Tester" in names
    tags = [set(row[3].split()) for row in notes]
    assert all("cards" in t and t & {"general", "behavioural", "technical"} for t in tags)
    fields = [row[4].split("\x1f") for row in notes]
    assert fields[1][0] == "Why do you want to work at Acme?"
    assert "<li>Spreads requests over several servers</li>" in fields[0][2]
    assert {cards[i][2] for i in range(9)} == {
        int(k) for k, d in decks.items() if d["name"] != "Default"
    }


def test_the_tsv_is_a_line_per_question_in_two_columns(tmp_path):
    tsv = tmp_path / "cards.tsv"
    result = run_cli("cards", "--content", CARDS, "--company", "Acme", "--tsv", tsv)
    assert result.exit_code == 0, result.stderr
    lines = tsv.read_text(encoding="utf-8").split("\n")
    assert lines[:2] == ["#separator:tab", "#html:true"] and lines[-1] == ""
    rows = [line.split("\t") for line in lines[2:-1]]
    assert len(rows) == 9 and all(len(row) == 2 and all(row) for row in rows)
    by_title = {row[0].split("<br>")[0]: row[1] for row in rows}
    assert by_title["What does a load balancer do?"].startswith("• Spreads requests")
    assert "Why do you want to work at Acme?" in by_title
    assert "$((6 * 7))" in next(row[0] for row in rows if row[0].startswith("What does this"))
    long = by_title["A service is slow and nobody knows why. How do you investigate?"]
    assert long.count("<br>") >= 3 and "Finally I change one thing" in long  # the whole answer


def test_a_deck_alone_never_starts_weasyprint(tmp_path):
    import subprocess
    import sys

    args = ["cards", "--content", str(CARDS), "--tsv", str(tmp_path / "c.tsv")]
    probe = (
        "import sys\nfrom guidegen.cli import main\n"
        f"try:\n    main({args!r})\n"
        "except SystemExit as done:\n    assert not done.code, done.code\n"
        "print('WEASYPRINT' if 'weasyprint' in sys.modules else 'CLEAN', file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stderr.strip().endswith("CLEAN"), result.stderr
    assert (tmp_path / "c.tsv").is_file()


# ---- bad input ----


def test_an_unknown_card_size_or_flip_is_one_line_exit_2(tmp_path):
    for option, value, message in (
        ("--card-size", "huge", "unknown card size 'huge'; choose one of: 8-up, index, a7"),
        ("--flip", "sideways", "unknown --flip 'sideways'; choose one of: long-edge, short-edge"),
    ):
        result = run_cli("cards", "--content", CARDS, option, value, "--out", tmp_path / "x.pdf")
        assert result.exit_code == 2
        assert result.stderr == f"usage error: {message}\n"
    result = run_cli("cards", "--content", CARDS, "--edition", "practice")
    assert result.exit_code == 2 and "No such option '--edition'" in result.stderr


def test_a_deck_is_never_written_through_a_symbolic_link(tmp_path):
    target = tmp_path / "elsewhere.apkg"
    target.write_bytes(b"keep")
    link = tmp_path / "deck.apkg"
    link.symlink_to(target)
    result = run_cli("cards", "--content", CARDS, "--anki", link)
    assert result.exit_code == 2 and "symbolic link" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert target.read_bytes() == b"keep" and link.is_symlink()


# ---- the grid, on its own ----


@pytest.mark.parametrize("size", list(CARD_SIZES))
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_every_grid_is_centred_with_room_for_the_marks(size, paper):
    grid = grid_of(size, paper)
    portrait = (PAPERS[paper].sheet_points[1] / MM, PAPERS[paper].sheet_points[0] / MM)
    assert sorted(grid.sheet) == pytest.approx(sorted(portrait))
    left, top = grid.margins
    assert left >= 10 and top >= 10  # 4.5 mm of marks plus a printer's unprintable edge
    x0, y0, _, _ = grid.box(0, 0)
    _, _, x1, y1 = grid.box(grid.columns - 1, grid.rows - 1)
    assert (x0, y0) == pytest.approx((grid.sheet[0] - x1, grid.sheet[1] - y1))


def test_the_back_slot_mirrors_what_the_flip_turns_over():
    portrait, landscape = grid_of("8-up", "a4"), grid_of("a7", "a4")
    assert [portrait.back_slot(0, 0, flip) for flip in FLIPS] == [(1, 0), (0, 3)]
    assert [landscape.back_slot(0, 0, flip) for flip in FLIPS] == [(0, 1), (1, 0)]


def test_an_answer_is_cut_only_between_sentences_never_inside_code_or_bold():
    from guidegen.cards.sentences import cut_points, markdown_of, units

    text = (
        "**Layer 1: a skeleton.** It deploys. Use `cd a. B` here. See e.g. Foo now.\n\n"
        "- First item. Second.\n- Third:\n"
    )
    found = units(text)
    assert [unit.text for unit in found] == [
        "**Layer 1: a skeleton.**",
        "It deploys.",
        "Use `cd a. B` here.",
        "See e.g. Foo now.",
        "First item.",
        "Second.",
        "Third:",
    ]
    # Never after a run-in heading alone, nor after a line that introduces what follows.
    assert cut_points(found) == [2, 3, 4, 5, 6, 7]
    assert markdown_of(found[:6]) == (
        "**Layer 1: a skeleton.** It deploys. Use `cd a. B` here. See e.g. Foo now.\n\n"
        "- First item. Second."
    )
