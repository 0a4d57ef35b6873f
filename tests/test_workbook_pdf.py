"""The default workbook, read back from the PDF as a reader would check it."""

from __future__ import annotations

import re

import pytest

from guidegen.book.model import fill_placeholders
from guidegen.content.load import load_bank
from guidegen.paths import CONTENT_DIR
from guidegen.select import select
from guidegen.spec import Person, WorkbookSpec
from tests.conftest import build
from tests.pdfread import normalise

RULE_GREY = (0.502, 0.502, 0.502)  # --rule: #a6a6a6


@pytest.fixture(scope="module")
def selection():
    return select(load_bank(CONTENT_DIR), WorkbookSpec())


def contents_pages(workbook) -> list[int]:
    """The pages of the contents: from its bookmark to the page before the next one."""
    starts = sorted(page for level, _, page in workbook.outline() if level == 1)
    (first,) = [
        page for level, title, page in workbook.outline() if level == 1 and title == "Contents"
    ]
    end = min(page for page in starts if page > first)
    return list(range(first, end))


def question_page(workbook, title: str) -> int:
    """The page where the question itself is printed, under its "Question N" label."""
    label = re.compile(r"QUESTION \d+ " + re.escape(normalise(title)))
    pages = [n for n, text in enumerate(workbook.page_texts, start=1) if label.search(text)]
    assert len(pages) == 1, f"question printed {len(pages)} times: {title}"
    return pages[0]


def test_every_seed_question_is_printed(default_workbook, seed_titles):
    assert len(seed_titles) == 25
    for title in seed_titles:
        question_page(default_workbook, title)


def test_contents_numbers_point_at_the_right_pages(default_workbook, seed_titles, selection):
    pages = contents_pages(default_workbook)
    assert pages, "no contents page"
    entries = default_workbook.toc_entries(pages)
    by_text = {entry.text: entry for entry in entries}
    number_of = {q.title: n for n, q in enumerate(selection.questions, start=1)}
    for title in seed_titles:
        number = number_of[title]
        entry = by_text.get(f"{number}. {normalise(title).rstrip('.')}")
        assert entry, f"no contents entry for {title}; have {list(by_text)[:5]}..."
        real_page = question_page(default_workbook, title)
        assert entry.printed_page == real_page, title
        assert entry.target_page == real_page, title
    parts = {e.text: e for e in entries if not re.match(r"\d+\. ", e.text)}
    for part in (
        "General questions",
        "Behavioural questions",
        "Technical questions",
        "Questions to ask your interviewer",
        "Notes",
    ):
        assert parts[part].printed_page == parts[part].target_page
        assert part in default_workbook.page_texts[parts[part].printed_page - 1]


def test_bookmarks_for_every_part_and_question(default_workbook, seed_titles):
    outline = default_workbook.outline()
    level1 = {title: page for level, title, page in outline if level == 1}
    level2 = {normalise(title): page for level, title, page in outline if level == 2}
    for part in (
        "How to use this workbook",
        "Contents",
        "General questions",
        "Behavioural questions",
        "Technical questions",
        "Questions to ask your interviewer",
        "Notes",
    ):
        assert part in level1, f"no bookmark for {part}"
    for title in seed_titles:
        assert level2.get(normalise(title)) == question_page(default_workbook, title), title


def test_the_how_to_opens_on_a_right_hand_page_and_the_spreads_on_a_left(default_workbook):
    starts = {title: page for level, title, page in default_workbook.outline() if level == 1}
    assert starts["How to use this workbook"] == 3
    assert starts["Behavioural questions"] % 2 == 0  # each STAR page faces its question


def test_metadata_title_subject_language(default_workbook):
    info = default_workbook.pdf.docinfo
    assert str(info.Title) == "DevOps Engineer Interview Workbook"
    assert "DevOps Engineer" in str(info.Subject)
    assert str(default_workbook.pdf.Root.Lang) == "en"


def page_sizes(workbook) -> list[tuple[float, float]]:
    return [
        tuple(round(side, 1) for side in workbook.page_size_mm(n))
        for n in range(1, workbook.page_count + 1)
    ]


def test_a4_is_the_default_page_size(default_workbook):
    # Every page portrait, the story-bank grid included: one orientation for a print shop.
    assert set(page_sizes(default_workbook)) == {(210.0, 297.0)}


def test_letter_paper(letter_workbook):
    assert set(page_sizes(letter_workbook)) == {(215.9, 279.4)}
    assert "What are SLIs, SLOs and SLAs" in " ".join(letter_workbook.page_texts)


def test_star_labels_under_every_behavioural_question(default_workbook, selection):
    text = " ".join(default_workbook.page_texts)
    titles = [
        normalise(fill_placeholders(q.title, Person(), "this company")) for q in selection.questions
    ]
    starts = [text.index(f"QUESTION {n} {title}") for n, title in enumerate(titles, start=1)]
    # The last question's block ends where the story bank's STAR pages begin.
    end_of_questions = text.index("STAR STORY")
    for question, start, end in zip(selection.questions, starts, starts[1:] + [end_of_questions]):
        block = text[start:end]
        hints = re.findall(r"(Situation|Task|Action|Result) \d–\d sentences", block)
        if question.kind == "behavioural":
            assert hints == ["Situation", "Task", "Action", "Result"], question.title
            assert "MY STORY" in block.upper()
        else:
            assert hints == [], question.title
            assert "MY NOTES" in block.upper()


def test_writing_rules_are_drawn_at_a_handwriting_pitch(default_workbook):
    pitches = []
    for number in range(1, default_workbook.page_count + 1):
        width, height = default_workbook.page_size_mm(number)
        if width > height:
            continue  # the story-bank grid: table borders, not writing lines
        tops = default_workbook.rule_tops(number, RULE_GREY)
        pitches += [b - a for a, b in zip(tops, tops[1:]) if b - a < 9.5]
    assert len(pitches) > 200, "too few ruled lines found"
    assert all(7 <= pitch <= 9 for pitch in pitches), sorted(set(pitches))


def test_every_question_has_ruled_writing_space(default_workbook, selection):
    for question in selection.questions:
        page = question_page(
            default_workbook, fill_placeholders(question.title, Person(), "this company")
        )
        # The writing space follows the title on the same page or the next two.
        assert any(default_workbook.rule_tops(n, RULE_GREY) for n in (page, page + 1, page + 2))


def test_checklist_has_one_box_per_question_to_ask(default_workbook, selection):
    expected = sum(len(group.items) for group in selection.ask_groups)
    assert expected >= 40
    parts = {title: page for _, title, page in default_workbook.outline()}
    start = parts["Questions to ask your interviewer"]
    end = default_workbook.pages_containing("My own questions")[-1]
    boxes = sum(default_workbook.checkboxes(n) for n in range(start, end + 1))
    assert boxes == expected
    assert default_workbook.rule_tops(end, RULE_GREY), "no lines for the reader's own questions"


def test_each_question_to_ask_says_whom_to_ask(default_workbook, selection):
    parts = {title: page for _, title, page in default_workbook.outline()}
    start = parts["Questions to ask your interviewer"]
    end = default_workbook.pages_containing("My own questions")[-1]
    text = " ".join(default_workbook.page_texts[start - 1 : end])
    names = {"recruiter": "recruiter", "manager": "hiring manager", "engineer": "engineer"}
    marks = [
        (item, "FOR: " + " · ".join(names[who] for who in item.audience).upper())
        for group in selection.ask_groups
        for item in group.items
    ]
    assert all(item.audience for item, _ in marks), "a question to ask without its audience"
    assert text.count("FOR: ") == len(marks)  # printed in capitals
    # Each mark sits between its question and its note, in the book's order.
    at = 0
    for item, mark in marks:
        question = normalise(fill_placeholders(item.question, Person(), "this company"))
        at = text.index(question, at) + len(question)
        assert text[at:].lstrip().startswith(mark), (item.question, text[at : at + 60])


def test_a_title_never_ends_a_page_alone(default_workbook):
    for number, text in enumerate(default_workbook.page_texts, start=1):
        titles = len(re.findall(r"QUESTION \d+", text))
        why = text.count("WHY THEY ASK")
        assert why == titles, f"page {number}: a question title without its first section"


def test_running_heads_mirror_and_the_cover_has_none(default_workbook):
    texts = default_workbook.page_texts
    assert "Interview Workbook" in texts[0]
    assert default_workbook.margin_text(1, "top") == ""
    for n in range(3, len(texts)):
        head = default_workbook.margin_text(n, "top")
        if n % 2:  # right-hand pages: the part, then the folio
            assert head.endswith(str(n)), (n, head)
        else:  # left-hand pages: the folio, then the workbook
            assert head.startswith(str(n)), (n, head)
            assert head.endswith("Interview Workbook") and "DevOps Engineer" in head, (n, head)


def test_cover_shows_name_company_and_date(tmp_path, default_workbook):
    workbook = build(
        tmp_path / "ada.pdf",
        "--name",
        "Ada Lovelace",
        "--company",
        "Acme Analytics",
        "--date",
        "2027-03-09",
        "--start",
        "2027-03-01",
        "--count",
        "3",
    )
    cover = workbook.page_texts[0]
    workbook.close()
    assert "Ada Lovelace" in cover and "Acme Analytics" in cover
    assert "Tuesday 9 March 2027" in cover
    assert "Ada Lovelace" not in default_workbook.page_texts[0]
