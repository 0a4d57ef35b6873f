"""Print design, read off the PDF: writing space that stays with its question, STAR steps on
the page facing their question, no blank pages, a readable measure, mirrored running heads,
book furniture, typography, the print-shop file, and forms that work in every viewer.

The layout rules are in tests/layout_checks.py; `make layout-matrix` runs them on every role,
edition and paper, and this module on the books the suite builds anyway.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pikepdf
import pytest

from guidegen.content.load import load_bank
from guidegen.paths import CONTENT_DIR
from guidegen.pdf.postprocess import booklet_order
from guidegen.select import role_questions
from tests.conftest import DATA, build, run_cli, write_csv
from tests.layout_checks import (
    all_faults,
    blank_pages,
    column,
    column_text,
    empty_foot,
    measure,
    notes_pages,
    overflow_faults,
    part_pages,
    question_numbers,
)
from tests.pdfread import MM, Workbook

MATRIX = [
    ("default_workbook", "a4"),  # DevOps, study
    ("letter_workbook", "letter"),  # SRE, study
    ("practice_workbook", "a4"),  # cloud, practice
    ("practice_letter_workbook", "letter"),  # platform, practice
]


@pytest.mark.parametrize("fixture, paper", MATRIX, ids=[name for name, _ in MATRIX])
def test_the_layout_rules_hold(fixture, paper, request):
    """STAR steps never split and always facing their question; notes never left alone on a
    page; the folio at the outer edge; nothing outside the text column; no blank page but the
    back of the cover."""
    book = request.getfixturevalue(fixture)
    faults = {rule: found for rule, found in all_faults(book, paper).items() if found}
    assert not faults, faults
    assert blank_pages(book) == [2]


RULE_GREY = (0.502, 0.502, 0.502)  # --rule: #808080
NOT_BEHAVIOURAL = ("General questions", "Technical questions")


@pytest.mark.parametrize("fixture, paper", MATRIX, ids=[name for name, _ in MATRIX])
def test_every_question_and_its_notes_are_seen_at_once(fixture, paper, request):
    """The spread rule on every general and technical question: its notes on its title's
    page, or on the right-hand page facing it (test_the_layout_rules_hold checks it too; this
    also checks that every question was found)."""
    book = request.getfixturevalue(fixture)
    pages = part_pages(book, NOT_BEHAVIOURAL)
    titles = {n for n, page in question_numbers(book).items() if page in pages}
    found = notes_pages(book)
    assert titles and titles <= set(found)
    for question in titles:
        title, notes = found[question]
        assert notes == title or (title % 2 == 0 and notes == title + 1), (question, title, notes)


@pytest.mark.parametrize("fixture, paper", MATRIX, ids=[name for name, _ in MATRIX])
def test_general_and_technical_questions_get_twelve_rules_or_more(fixture, paper, request):
    """At the 8 mm pitch, 12 rules is about 160 handwritten words: a two-minute answer."""
    book = request.getfixturevalue(fixture)
    pages = part_pages(book, NOT_BEHAVIOURAL)
    questions = sum(1 for page in question_numbers(book).values() if page in pages)
    rules = sum(len(book.rule_tops(n, RULE_GREY)) for n in pages)
    assert rules / questions >= 12, (rules, questions)


@pytest.mark.parametrize("fixture, paper", MATRIX, ids=[name for name, _ in MATRIX])
def test_at_most_three_pages_leave_60_mm_empty_at_the_foot(fixture, paper, request):
    """In the questions: what a page leaves is ruled for the question above it."""
    book = request.getfixturevalue(fixture)
    pages = part_pages(book, (*NOT_BEHAVIOURAL, "Behavioural questions"))
    feet = {n: round(empty_foot(book, n, paper)) for n in pages}
    empty = {n: mm for n, mm in feet.items() if mm >= 60}
    assert len(empty) <= 3, empty


@pytest.mark.parametrize("fixture", ["default_workbook", "letter_workbook"])
def test_the_measure_is_60_to_75_characters(fixture, request):
    median, lines = measure(request.getfixturevalue(fixture))
    assert lines > 200 and 60 <= median <= 75, (median, lines)


def test_every_behavioural_question_has_a_star_page_and_every_other_notes(default_workbook):
    bank = load_bank(CONTENT_DIR)
    questions = role_questions(bank, bank.roles["devops-engineer"])
    behavioural = sum(q.kind == "behavioural" for q in questions)
    text = " ".join(default_workbook.page_texts)
    assert len(re.findall(r"MY STORY \d+\. ", text)) == behavioural
    assert text.count("MY NOTES") == len(questions) - behavioural
    assert len(question_numbers(default_workbook)) == len(questions)


def test_the_last_writing_space_on_a_page_runs_to_its_foot(default_workbook):
    """On every page whose writing space is the last thing on it, rules reach the bottom of the
    column (less than one line pitch left), at the same pitch as the rest."""
    pitch = 8 * MM
    checked = 0
    for number in range(3, default_workbook.page_count):
        rules = sorted(
            {
                round(s.bottom, 2)
                for s in default_workbook.shapes(number)
                if 0.6 <= s.height <= 0.8 and s.width > 100 * MM and _grey(s.colour)
            }
        )
        if len(rules) < 3:
            continue
        _, _, _, bottom = column(default_workbook, number, "a4")
        text_after = [
            c
            for c in default_workbook.chars(number)
            if c.top > rules[-1] and c.bottom < bottom + 1 and c.text.strip()
        ]
        if text_after:
            continue  # something follows the last rule on this page
        checked += 1
        assert bottom - rules[-1] < pitch, (number, bottom - rules[-1])
        gaps = {round(b - a, 1) for a, b in zip(rules, rules[1:])}
        assert all(abs(gap - round(pitch, 1)) <= 0.2 or gap > pitch for gap in gaps), gaps
    assert checked > 40


def _grey(colour) -> bool:
    return len(colour) == 3 and all(abs(value - 0.502) < 0.02 for value in colour)


def test_rules_are_photocopy_safe(default_workbook):
    """0.6-0.75 pt at about 50 % grey."""
    rules = [
        s
        for n in (12, 30, 60)
        for s in default_workbook.shapes(n)
        if s.width > 100 * MM and s.height < 1.5
    ]
    assert rules
    for rule in rules:
        assert 0.6 <= rule.height <= 0.75, rule
        assert all(0.45 <= value <= 0.55 for value in rule.colour), rule


def test_the_back_cover_is_the_last_left_hand_page(default_workbook):
    last = default_workbook.page_count
    assert last % 2 == 0
    assert "Good luck" in default_workbook.page_texts[-1]
    assert default_workbook.margin_text(last, "top") == ""


def test_blank_pages_become_labelled_notes_pages(
    long_part_workbook, default_workbook, practice_letter_workbook
):
    """A page the layout leaves blank (before a question that needs a spread, which opens on a
    left-hand page, or before the study plan, which opens on a right-hand page after the
    contents) is a notes page, with rules, its heading and its running head. The platform
    practice book on Letter has four: before its study plan, its first part and its technical
    questions 46 and 48."""
    starts = {title: page for level, title, page in default_workbook.outline() if level == 1}
    assert starts["General questions"] == 16
    assert starts["Behavioural questions"] % 2 == 0
    books = (
        (default_workbook, "a4", []),
        (practice_letter_workbook, "letter", [8, 17, 75, 79]),
        (long_part_workbook, "a4", None),
    )
    for book, paper, expected in books:
        notes_part = {t: p for level, t, p in book.outline() if level == 1}["Notes"]
        stamped = [
            n for n in range(3, notes_part) if column_text(book, n, paper).startswith("Notes")
        ]
        if expected is not None:
            assert stamped == expected
        for page in stamped:
            assert len([s for s in book.shapes(page) if s.height < 1.5]) > 20
            assert str(page) in book.margin_text(page, "top")
            # the page overleaf opens a spread, or it is the study plan
            overleaf = book.page_texts[page]
            assert "QUESTION" in overleaf or overleaf.startswith("Study plan"), page


def test_hyphenation_leaves_at_least_three_letters_and_none_in_titles(default_workbook):
    """Words of six letters or more only, three letters each side; no hyphen in a title; the
    hyphen is not in the text layer (PDFium reads it as a soft hyphen)."""
    bank_text = _bank_text().lower()
    broken = 0
    for number in range(3, default_workbook.page_count + 1):
        raw = default_workbook.raw_text(number)
        assert "\u2010" not in raw, number
        # (a word broken at the foot of a page goes on overleaf: not counted here)
        for match in re.finditer(r"([A-Za-z]+)[\ufffe\u00ad]\s*([A-Za-z]+)", raw):
            before, after = match.groups()
            if f"{before}-{after}".lower() in bank_text:
                continue  # a hyphen the text has ("tj-actions"), which PDFium reads the same
            assert len(before) >= 3 and len(after) >= 3, (number, match.group(0))
            assert len(before) + len(after) >= 6, (number, match.group(0))
            broken += 1
        titles = [c for c in default_workbook.chars(number) if c.size >= 13 and "Sans" in c.font]
        assert not any(c.text in "\ufffe\u2010" for c in titles), number
    assert broken > 20


def _bank_text() -> str:
    return " ".join(path.read_text(encoding="utf-8") for path in CONTENT_DIR.rglob("*.yaml"))


def test_titles_have_curly_apostrophes(default_workbook):
    raw = " ".join(default_workbook.raw_text(n) for n in range(3, 12)).replace("\r\n", " ")
    assert "What’s the difference between containers and virtual machines" in raw
    titles = re.findall(
        r"QUESTION \d+\r?\n([^\r\n]+)",
        " ".join(default_workbook.raw_text(n) for n in range(1, default_workbook.page_count + 1)),
    )
    assert titles and not any("'" in title for title in titles)


def test_contents_entries_hang_and_keep_their_leaders(default_workbook):
    starts = sorted(page for level, _, page in default_workbook.outline() if level == 1)
    contents = [
        n
        for n in range(3, 8)
        if "Contents" in default_workbook.margin_text(n, "top")
        or default_workbook.page_texts[n - 1].startswith("Contents")
    ]
    entries = default_workbook.toc_entries(contents)
    assert len(entries) > 50
    for entry in entries:
        assert entry.printed_page == entry.target_page, entry
    # A wrapped entry's second line starts under the first line's text, not under its number.
    for number in contents:
        rows = {}
        for char in default_workbook.chars(number):
            rows.setdefault(round(char.origin[1], 1), []).append(char)
        starts_x = sorted({round(min(c.x0 for c in row)) for row in rows.values()})
        x0, _, x1, _ = column(default_workbook, number, "a4")
        # three left edges: parts, question numbers and wrapped lines under the text
        assert len([x for x in starts_x if x < x0 + 30 * MM]) >= 3, starts_x
        # The leader: dots one step apart, from after the title to before the page number.
        leaders = 0
        for row in rows.values():
            row.sort(key=lambda c: c.x0)
            text = "".join(c.text for c in row)
            if "...." not in text:
                continue
            leaders += 1
            first, last = text.index("...."), text.rindex(".")
            dots = row[first + 1 : last + 1]  # the first may be the title's full stop
            steps = [b.x0 - a.x0 for a, b in zip(dots, dots[1:])]
            assert max(steps) - min(steps) < 0.01, (number, text)
            assert text[last + 1 :].strip().isdigit(), (number, text)
            assert row[last + 1].x0 > dots[-1].x1, (number, text)
            # ... and it runs to the page number's column, one line or two (a hung number's
            # negative text-indent took 8 mm off a one-line entry's leader).
            assert x1 - 10 * MM - dots[-1].x1 < steps[0], (number, text)
        assert leaders >= 20, number
    assert starts  # outline read


def test_three_digit_question_numbers_widen_their_column(tmp_path):
    """In a bank of 100 questions or more, "103." fits its column in the contents with the
    same gap before the title as "63." has in the default book, and no title runs into it."""
    from guidegen.book.chunks import plan
    from guidegen.book.model import prepare
    from guidegen.layout.document import layout_html
    from guidegen.layout.session import FetchLog, pdf_bytes
    from guidegen.spec import WorkbookSpec
    from tests.conftest import long_pack

    pack = long_pack(tmp_path, count=100)  # 103 questions with the tiny pack's three
    book = prepare(load_bank(pack), WorkbookSpec(content=pack))
    log = FetchLog()
    _, document = layout_html(book, log, chunk=plan(book)[0], page_of={}, first_side="right")
    out = tmp_path / "front.pdf"  # the cover, how-to page and contents
    out.write_bytes(pdf_bytes(document, log=log))
    book_pdf = Workbook(out)
    gaps, title_x = [], {}
    for number in range(1, book_pdf.page_count + 1):
        rows: dict[float, list] = {}
        for char in book_pdf.chars(number):
            rows.setdefault(round(char.origin[1], 1), []).append(char)
        for row in rows.values():
            row.sort(key=lambda c: c.x0)
            text = "".join(c.text for c in row)
            found = re.match(r"(\d+)\.", text)
            if not found:
                continue
            end = len(found.group(0))  # the number's full stop, then the title
            gaps.append(row[end].x0 - row[end - 1].x1)
            title_x.setdefault(number % 2, set()).add(round(row[end].origin[0], 1))
    book_pdf.close()
    assert len(gaps) == 103, len(gaps)
    # every title starts in one column (one on left-hand pages, one on right-hand pages)
    assert all(len(starts) == 1 for starts in title_x.values()), title_x
    assert min(gaps) > 2 * MM, min(gaps)  # "103." as clear of its title as "63." is


def test_nothing_is_clipped_or_run_into_the_margin_in_code(default_workbook):
    """A long line of code wraps inside the column. The shared default book has every linux
    question (their shell sessions have the longest lines) and all the other code: with
    `pre { white-space: pre }` 146 of its code characters fall outside the column."""
    book = default_workbook
    mono = 0
    for number in range(3, book.page_count):
        x0, _, x1, _ = column(book, number, "a4")
        for char in book.chars(number):
            if "Mono" in char.font and char.text.strip():
                mono += 1
                assert x0 - 1 <= char.x0 and char.x1 <= x1 + 1, (number, char)
    assert mono > 1000  # the code was found


# ---- the facilitator's edition ----


def test_the_facilitator_edition_is_an_answer_key(facilitator_workbook):
    text = " ".join(facilitator_workbook.page_texts)
    cover = facilitator_workbook.page_texts[0]
    assert "FACILITATOR" in cover and "NAME" not in cover
    assert "Questions to ask your interviewer" not in text
    assert "SCORING GUIDE" in text and text.count("SCORING GUIDE") == len(
        question_numbers(facilitator_workbook)
    )
    for level in ("Strong:", "Good:", "Partial:", "Weak:"):
        assert level in text


# ---- booklet ----


def _folios(book: Workbook, number: int) -> tuple[int | None, int | None]:
    """The page numbers printed in the running heads of a booklet side's two halves."""
    page = book.pdf.pages[number - 1]
    width = float(page.mediabox[2])
    left = book.text_in(number, (0, 0, width / 2, 15 * MM))
    right = book.text_in(number, (width / 2, 0, width, 15 * MM)).strip()
    found_left = re.search(r"(?m)^(\d+)\u2003", left)
    found_right = re.search(r"(\d+)$", right)
    return (
        int(found_left.group(1)) if found_left else None,
        int(found_right.group(1)) if found_right else None,
    )


def _stitched_parts(book) -> tuple[list[int], list[int]]:
    """The imposed file's first sheet side of every part after the first (its opener says
    "Part k of n" on the right-hand half), and each part's length in booklet pages."""
    width = float(book.pdf.pages[0].mediabox[2])
    height = float(book.pdf.pages[0].mediabox[3])
    openers = [
        n
        for n in range(1, book.page_count + 1)
        if re.search(r"Part \d+ of \d+", book.text_in(n, (width / 2, 0, width, height)))
    ]
    bounds = [1, *openers, book.page_count + 1]
    return openers, [2 * (end - start) for start, end in zip(bounds, bounds[1:])]


def test_a_thick_booklet_is_cut_into_stitched_parts_between_spreads(booklet_workbook):
    """104 booklet pages are past one saddle stitch (64): two parts, each imposed on its own."""
    book = booklet_workbook
    width = float(book.pdf.pages[0].mediabox[2])
    height = float(book.pdf.pages[0].mediabox[3])
    openers, sizes = _stitched_parts(book)
    assert sizes == [52, 52]
    assert all(size % 4 == 0 and size <= 64 for size in sizes)
    offsets = [sum(sizes[:i]) for i in range(len(sizes))]  # booklet pages before each part
    order = [
        (left + offset, right + offset)
        for offset, size in zip(offsets, sizes)
        for left, right in booklet_order(size)
    ]
    assert len(order) == book.page_count
    checked = 0
    for number, expected in enumerate(order, start=1):
        for printed, wanted in zip(_folios(book, number), expected):
            if printed is not None:
                assert printed == wanted, (number, printed, expected)
                checked += 1
    assert checked > book.page_count  # most halves carry a folio
    # No cut splits a spread: each part but the last ends on a notes page, the next opens on
    # its own front ("Part k of n"), and the question it names begins the left-hand page after.
    for k, opener_side in enumerate(openers, start=2):
        last = offsets[k - 1]  # the booklet page that ends part k - 1 (pages are 1-based)
        side = next(n for n, pair in enumerate(order, start=1) if last in pair)
        half = (
            (width / 2, 0, width, height)
            if order[side - 1][1] == last
            else (0, 0, width / 2, height)
        )
        last_page = book.text_in(side, half)
        assert "Notes" in last_page and "Question" not in last_page, k
        opener = book.text_in(opener_side, (width / 2, 0, width, height))
        assert f"Part {k} of {len(sizes)}" in opener
        first_question = int(re.search(r"Questions (\d+) to", opener).group(1))
        after = next(n for n, pair in enumerate(order, start=1) if pair[0] == last + 2)
        left_page = book.text_in(after, (0, 0, width / 2, height)).upper()
        assert left_page.startswith(f"QUESTION {first_question}\r\n"), (k, left_page[:40])


def test_a_booklet_has_a_back_cover_readable_story_bank_and_no_blank_halves(booklet_workbook):
    book = booklet_workbook
    page = book.pdf.pages[0]
    width = float(page.mediabox[2])
    height = float(page.mediabox[3])
    openers, _ = _stitched_parts(book)
    # The back cover is outside the fold on the last part's first sheet.
    assert "Good luck" in book.text_in(openers[-1], (0, 0, width / 2, height))
    for number in range(1, book.page_count + 1):
        for side, half in enumerate(((0, 0, width / 2, height), (width / 2, 0, width, height))):
            # Only the inside of the front cover (booklet page 2: sheet 1, back, left) and of
            # the back cover (the last part's first sheet, back, right) are blank.
            blank_ok = (number, side) in ((2, 0), (openers[-1] + 1, 1))
            assert book.text_in(number, half).strip() or blank_ok, (number, half)
    story = [n for n in range(1, book.page_count + 1) if "Story bank" in book.raw_text(n)]
    assert story
    for number in story:
        heads = [c for c in book.chars(number) if c.text.isdigit() and c.size >= 6]
        spots = sorted((round(c.x0), round(c.top)) for c in heads)
        assert len(spots) == len(set(spots))  # no two header characters on top of each other


# ---- long tokens ----

LONG_URL = "https://registry.example.com/v2/platform/build-cache/manifests/sha256-0123456789abcdef"


def test_long_tokens_in_titles_wrap_inside_the_column(tmp_path):
    """A long command, URL or compound in a title wraps in the heading and in the contents,
    where the URL (a link inside the contents' own link) keeps the entry's hanging indent."""
    pack = tmp_path / "pack"
    shutil.copytree(DATA / "tiny", pack)
    questions = pack / "questions" / "tiny.yaml"
    text = questions.read_text(encoding="utf-8")
    text = text.replace(
        "title: What does a build server do?",
        "title: What does `kubectl get pods --all-namespaces "
        "--field-selector=status.phase!=Running` show?",
    ).replace(
        "title: How would you find which process fills a disk?",
        f"title: Why does {LONG_URL} fail for a Donaudampfschifffahrtsgesellschaftskapitän?",
    )
    questions.write_text(text, encoding="utf-8")
    book = build(tmp_path / "long.pdf", "--content", pack)
    assert overflow_faults(book, "a4") == []
    (contents,) = [n for n in range(1, 6) if "Contents" in book.raw_text(n)]
    chars = book.chars(contents)
    text = "".join(c.text for c in chars)
    what, why = (chars[text.index(word)] for word in ("What does", "Why does"))
    indent = min(what.x0, why.x0)
    below = why.top - 1
    story = chars[text.index("Story bank")].top
    wrapped = [c for c in chars if below <= c.top < story - 1 and c.text.strip()]
    assert "registry.example.com" in "".join(c.text for c in wrapped)
    number_column = [c.text for c in wrapped if c.x0 < indent - 0.5]
    assert "".join(number_column) == "3.", number_column  # only the entry's number
    book.close()


# ---- covers ----


def test_long_names_on_batch_covers_are_printed_whole(tmp_path):
    long_name = "Maximiliane Wilhelmina Theodora von Hohenzollern-Sigmaringen-Ostfriesland"
    attendees = write_csv(
        tmp_path / "room.csv", [["name", "company"], [long_name, "Acme"], ["Bo", "Acme"]]
    )
    out = tmp_path / "out"
    result = run_cli("batch", attendees, "--out-dir", out, "--content", DATA / "tiny", "-q")
    assert result.exit_code == 0, result.stderr
    (row,) = [p for p in out.glob("max*.pdf")]
    book = Workbook(row)
    cover = book.page_texts[0]
    width, height = (side * MM for side in book.page_size_mm(1))
    assert long_name in cover and "…" not in cover
    for char in book.chars(1):
        assert 20 * MM <= char.x0 and char.x1 <= width - 20 * MM, char
    book.close()


# ---- print shop ----


@pytest.fixture(scope="module")
def print_shop_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("shop") / "shop.pdf"
    result = run_cli("build", "--content", DATA / "tiny", "--print-shop", "--out", out)
    assert result.exit_code == 0, result.stderr
    book = Workbook(out)
    yield book
    book.close()


def _colour_operators(pdf: pikepdf.Pdf) -> set[tuple[str, tuple[str, ...]]]:
    """Every colour-setting operator in the pages and the forms they draw, with its operands."""
    found, seen = set(), set()

    def walk(stream, resources, depth=0):
        for operands, operator in pikepdf.parse_content_stream(stream):
            op = str(operator)
            if op in ("rg", "RG", "g", "G", "k", "K", "cs", "CS", "sc", "SC", "scn", "SCN"):
                found.add((op, tuple(str(v) for v in operands)))
            elif op == "Do" and depth < 8:
                form = resources.get("/XObject", {}).get(str(operands[0]))
                if form is not None and form.get("/Subtype") == "/Form":
                    if form.objgen not in seen:
                        seen.add(form.objgen)
                        walk(form, form.get("/Resources", resources), depth + 1)

    for page in pdf.pages:
        walk(page, page.obj.Resources)
    return found


def test_print_shop_file_has_bleed_and_room_for_marks_outside_it(print_shop_file):
    book = print_shop_file
    for number, page in enumerate(book.pdf.pages, start=1):
        trim = [float(v) for v in page.obj.TrimBox]
        bleed = [float(v) for v in page.obj.BleedBox]
        media = [float(v) for v in page.obj.MediaBox]
        assert [round(v, 1) for v in trim] == [0, 0, 595.3, 841.9]
        assert [round((t - b) / MM, 2) for t, b in zip(trim, bleed)] == [3, 3, -3, -3]
        slug = [(b - m) / MM for b, m in zip(bleed[:2], media[:2])]
        slug += [(m - b) / MM for b, m in zip(bleed[2:], media[2:])]
        assert min(slug) >= 6, (number, slug)
        # What is drawn outside the bleed is the crop marks: two at each corner, in line with
        # the trim's edges, none reaching into the bleed.
        top = media[3]
        outside = []
        for shape in book.shapes(number):
            x0, x1, y0, y1 = shape.x0, shape.x1, top - shape.bottom, top - shape.top
            inside_bleed = x1 > bleed[0] and x0 < bleed[2] and y1 > bleed[1] and y0 < bleed[3]
            if not (x0 >= bleed[0] and x1 <= bleed[2] and y0 >= bleed[1] and y1 <= bleed[3]):
                assert not inside_bleed, (number, shape)
                assert media[0] <= x0 and x1 <= media[2] and media[1] <= y0 and y1 <= media[3]
                outside.append(((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0 > y1 - y0))
        assert len(outside) == 8, (number, outside)
        for x, y, horizontal in outside:
            if horizontal:
                assert round(y, 1) in (round(trim[1], 1), round(trim[3], 1)), (number, x, y)
            else:
                assert round(x, 1) in (round(trim[0], 1), round(trim[2], 1)), (number, x, y)


def test_print_shop_file_is_pdf_x4_with_a_cmyk_output_intent(print_shop_file):
    pdf = print_shop_file.pdf
    assert pdf.pdf_version >= "1.6"
    assert str(pdf.docinfo["/GTS_PDFXVersion"]) == "PDF/X-4"
    assert pdf.docinfo["/Trapped"] == "/False"
    with pdf.open_metadata() as xmp:
        assert xmp["pdfxid:GTSPDFXVersion"] == "PDF/X-4"
        assert xmp["pdf:Trapped"] == "False"
    (intent,) = pdf.Root.OutputIntents
    assert intent.S == "/GTS_PDFX"
    assert str(intent.OutputConditionIdentifier) == "CGATS TR 006"
    profile = intent.DestOutputProfile
    header = profile.read_bytes()[:40]
    assert profile.N == 4
    assert header[12:16] == b"prtr" and header[16:20] == b"CMYK" and header[36:40] == b"acsp"


def test_print_shop_greys_are_device_gray_and_rgb_is_tagged_srgb(print_shop_file):
    pdf = print_shop_file.pdf
    operators = _colour_operators(pdf)
    rgb_greys = [
        (op, args)
        for op, args in operators
        if op in ("rg", "RG") and len({float(v) for v in args}) == 1
    ]
    assert not rgb_greys
    assert ("g", ("0",)) in operators  # the text
    for page in pdf.pages:
        default = page.obj.Resources.ColorSpace.DefaultRGB
        assert default[0] == "/ICCBased" and default[1].N == 3
    book = print_shop_file
    colours = {c.colour for n in range(1, book.page_count + 1) for c in book.chars(n)}
    assert colours == {(0.0, 0.0, 0.0)}


def test_print_shop_batch_covers_are_press_ready_too(tmp_path):
    people = write_csv(tmp_path / "people.csv", [["name"], ["Ada Lovelace"]])
    out = tmp_path / "copies"
    result = run_cli("batch", people, "--content", DATA / "tiny", "--print-shop", "--out-dir", out)
    assert result.exit_code == 0, result.stderr
    book = Workbook(out / "ada-lovelace.pdf")
    assert "Ada Lovelace" in book.page_texts[0]
    operators = _colour_operators(book.pdf)
    assert not [a for op, a in operators if op in ("rg", "RG") and len(set(map(float, a))) == 1]
    cover = book.pdf.pages[0]
    for form in cover.obj.Resources.XObject.values():
        assert "/DefaultRGB" in form.Resources.ColorSpace
    assert str(book.pdf.docinfo["/GTS_PDFXVersion"]) == "PDF/X-4"
    book.close()


@pytest.mark.parametrize("other", ["--booklet", "--fillable"])
def test_print_shop_file_is_the_pages_alone(tmp_path, other):
    out = tmp_path / "shop.pdf"
    result = run_cli("build", "--content", DATA / "tiny", "--print-shop", other, "--out", out)
    assert result.exit_code == 2
    assert f"--print-shop and {other} cannot be combined" in result.stderr
    assert not out.exists()


# ---- accessibility ----


def test_one_structure_element_per_question(default_workbook):
    def count(node, kind, depth=0):
        found = int(str(node.get("/S", "")) == kind)
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid and depth < 12:
                found += count(kid, kind, depth + 1)
        return found

    root = default_workbook.pdf.Root.StructTreeRoot
    assert count(root, "/Art") == len(question_numbers(default_workbook))


def test_links_say_where_they_go_and_bookmarks_open(default_workbook):
    assert default_workbook.pdf.Root.PageMode == "/UseOutlines"
    descriptions = [
        str(a.get("/Contents", ""))
        for n in (4, 5)
        for a in default_workbook.pdf.pages[n - 1].obj.get("/Annots", [])
        if a.get("/Subtype") == "/Link"
    ]
    assert "Question 2: What is DevOps, and why is it important?" in descriptions
    assert not any(re.fullmatch(r"[a-z0-9-]+", d) for d in descriptions), descriptions


# ---- fillable forms in every viewer ----


def _fill(source, target, values: dict[str, str], ticks: list[str]) -> None:
    """Set values the way a viewer saves them: /V for text, /V and /AS for boxes, no new
    appearance streams."""
    with pikepdf.open(source) as pdf:
        for field in pdf.Root.AcroForm.Fields:
            name = str(field.get("/T", ""))
            if name in values:
                field.V = pikepdf.String(values[name])
            if name in ticks:
                field.V = pikepdf.Name.Yes
                field.AS = pikepdf.Name.Yes
        pdf.save(target)


def _dark_pixels(image, box) -> int:
    cropped = image.convert("L").crop(tuple(int(v) for v in box))
    return sum(cropped.histogram()[:110])


def _renderers():
    found = ["pdfium"]
    if shutil.which("pdftoppm"):
        found.append("poppler")
    if shutil.which("mutool"):
        found.append("mupdf")
    return found


def _render(path, number: int, renderer: str, tmp_path):
    from PIL import Image

    scale = 200 / 72
    if renderer == "pdfium":
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(str(path))
        document.init_forms()
        image = document[number - 1].render(scale=scale, may_draw_forms=True).to_pil()
        document.close()
        return image, scale
    out = tmp_path / f"{renderer}-{path.stem}-{number}.png"
    if renderer == "poppler":
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "200",
                "-f",
                str(number),
                "-l",
                str(number),
                "-png",
                "-singlefile",
                str(path),
                str(out.with_suffix("")),
            ],
            check=True,
        )
    else:
        subprocess.run(
            ["mutool", "draw", "-q", "-r", "200", "-o", str(out), str(path), str(number)],
            check=True,
            capture_output=True,
        )
    with Image.open(out) as image:
        return image.copy(), scale


@pytest.mark.parametrize("renderer", _renderers())
def test_a_filled_form_shows_its_ticks_and_text(fillable_workbook, tmp_path, renderer):
    book = fillable_workbook
    fields = book.fields()
    note = next(name for name in fields if name.endswith("/notes"))
    box = next(name for name in fields if name.startswith("ask/"))
    typed = "Lodz and Dvorak" if renderer == "mupdf" else "Łódź Dvořák"
    filled = tmp_path / "filled.pdf"
    _fill(book.path, filled, {note: typed}, [box])
    checked = Workbook(filled)
    for name in (note, box):
        field = checked.fields()[name]
        number = next(
            n
            for n, page in enumerate(checked.pdf.pages, start=1)
            if any(a.objgen == field.objgen for a in page.obj.get("/Annots", []))
        )
        x0, y0, x1, y1 = (float(v) for v in field.Rect)
        height = float(checked.pdf.pages[number - 1].mediabox[3])
        image, scale = _render(filled, number, renderer, tmp_path)
        blank, _ = _render(book.path, number, renderer, tmp_path)
        inset = 1.5
        area = (
            (x0 + inset) * scale,
            (height - max(y0, y1) + inset) * scale,
            (x1 - inset) * scale,
            (height - min(y0, y1) - inset) * scale,
        )
        if name == note:
            area = (area[0], area[1], area[2], area[1] + 24 * scale)  # the first typed line
        # Nothing is drawn there in the blank copy; a tick or a line of text is dozens of
        # dark pixels at 200 dpi, far from anything anti-aliasing could tip.
        assert _dark_pixels(blank, area) <= 2, (renderer, name)
        assert _dark_pixels(image, area) >= 30, (renderer, name)
    checked.close()


def test_form_fields_have_their_own_appearances_and_one_font(fillable_workbook):
    form = fillable_workbook.pdf.Root.AcroForm
    assert "/NeedAppearances" not in form
    font = form.DR.Font.GuidegenForm
    assert str(font.Subtype) == "/Type0" and "/FontFile2" in font.DescendantFonts[0].FontDescriptor
    to_unicode = font.ToUnicode.read_bytes().decode()
    for char in "ŁłřźŽŠ€":
        assert f"<{ord(char):04X}>" in to_unicode, char
    for field in fillable_workbook.fields().values():
        if field.FT == "/Btn":
            assert set(field.AP.N.keys()) == {"/Yes", "/Off"} and field.AS == "/Off"
            assert field.AP.N.Yes.read_bytes() and not field.AP.N.Off.read_bytes()
        else:
            assert "GuidegenForm" in str(field.DA)


def test_writing_fields_are_one_multiline_field_per_step_or_notes_area(fillable_workbook):
    fields = fillable_workbook.fields()
    bank = load_bank(CONTENT_DIR)
    for question in role_questions(bank, bank.roles["devops-engineer"]):
        mine = sorted(
            name.split("/", 1)[1] for name in fields if name.startswith(f"{question.id}/")
        )
        expected = ["notes"] + (
            ["action", "result", "situation", "task"] if question.kind == "behavioural" else []
        )
        # A study spread also rules what its question leaves of the left-hand page.
        assert [name for name in mine if name != "jottings"] == sorted(expected), question.id
        for name in mine:
            assert int(fields[f"{question.id}/{name}"].get("/Ff", 0)) & (1 << 12), name
    assert {"cover/name", "cover/company", "cover/date"} <= set(fields)


def test_facilitator_copies_have_no_candidate_fields(tmp_path):
    book = build(
        tmp_path / "key.pdf", "--edition", "facilitator", "--fillable", "--content", DATA / "tiny"
    )
    names = set(book.fields())
    book.close()
    assert not any(name.startswith("ask/") for name in names)
    assert "cover/name" in names  # the facilitator's own name, labelled so on the cover
