"""Role-tailored workbooks, read back from the PDF: roles, picks, editions, personal pages."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from guidegen.content.load import load_bank
from guidegen.paths import CONTENT_DIR
from guidegen.select import role_questions
from tests.conftest import build
from tests.pdfread import normalise

RULE_GREY = (0.502, 0.502, 0.502)


@pytest.fixture(scope="module")
def bank():
    return load_bank(CONTENT_DIR)


PARTS = ("General questions", "Behavioural questions", "Technical questions")


def question_titles(workbook) -> list[str]:
    """Question titles in print order, from the level-2 bookmarks under the question parts
    (the story bank's STAR pages have level-2 bookmarks too)."""
    titles, part = [], None
    for level, title, _ in workbook.outline():
        if level == 1:
            part = title
        elif level == 2 and part in PARTS:
            titles.append(normalise(title))
    return titles


def role_only_titles(bank) -> dict[str, set[str]]:
    usage = Counter(q.id for r in bank.roles.values() for q in role_questions(bank, r))
    return {
        role.id: {
            normalise(q.title).replace("{company|this company}", "this company")
            for q in role_questions(bank, role)
            if usage[q.id] == 1
        }
        for role in bank.roles.values()
    }


@pytest.mark.parametrize(
    "role, book",
    [
        ("site-reliability-engineer", "letter_workbook"),
        ("cloud-engineer", "practice_workbook"),
        ("platform-engineer", "practice_letter_workbook"),
    ],
)
def test_each_role_prints_its_own_questions_and_no_other_roles(role, book, bank, request):
    workbook = request.getfixturevalue(book)
    text = " ".join(workbook.page_texts)
    printed = set(question_titles(workbook))
    own = role_only_titles(bank)
    assert len(own[role]) >= 8
    assert own[role] <= printed
    for other, titles in own.items():
        if other != role:
            assert not titles & printed, f"{other}'s questions in the {role} workbook"
    assert bank.roles[role].title in text


def test_count_and_seed_print_the_pick_balanced(tmp_path, bank):
    """The book prints the seeded pick (tests/test_select.py: the same seed gives the same
    pick, another seed another; tests/test_reproducible.py: the same bytes)."""
    from guidegen.select import select
    from guidegen.spec import WorkbookSpec

    workbook = build(tmp_path / "a.pdf", "--count", "9", "--seed", "4")
    first, cover = question_titles(workbook), workbook.page_texts[0]
    workbook.close()
    picked = select(bank, WorkbookSpec(count=9, seed=4)).questions
    other = select(bank, WorkbookSpec(count=9, seed=11)).questions
    assert len(first) == 9 and [q.id for q in picked] != [q.id for q in other]
    assert first == [
        normalise(q.title).replace("{company|this company}", "this company") for q in picked
    ]
    total = len(role_questions(bank, bank.roles["devops-engineer"]))
    assert f"9 of the role's {total} questions (random pick with seed 4)" in cover
    kind_of = {
        normalise(q.title).replace("{company|this company}", "this company"): q.kind
        for q in bank.questions.values()
    }
    assert Counter(kind_of[t] for t in first) == {"general": 3, "behavioural": 3, "technical": 3}


def _rules(workbook) -> float:
    """Writing rules a question gets on average, in the behavioural and technical parts."""
    starts = sorted((page, title) for level, title, page in workbook.outline() if level == 1)
    pages = [
        n
        for (page, title), (end, _) in zip(starts, starts[1:] + [(10**6, "")])
        if title in ("Behavioural questions", "Technical questions")
        for n in range(page, min(end, workbook.page_count + 1))
    ]
    questions = len(
        re.findall(r"QUESTION \d+ ", " ".join(workbook.page_texts[n - 1] for n in pages))
    )
    return sum(len(workbook.rule_tops(n, RULE_GREY)) for n in pages) / questions


@pytest.fixture(scope="module")
def editions(default_workbook, practice_workbook, facilitator_workbook):
    return {
        "study": default_workbook,
        "practice": practice_workbook,
        "facilitator": facilitator_workbook,
    }


def _text(workbook) -> str:
    # Section headings print in capitals; running text that mentions them does not.
    return " ".join(workbook.page_texts)


def test_study_edition_has_answers_and_writing_space(editions):
    text = _text(editions["study"])
    assert "ANSWER FRAMEWORK" in text and "MY STORY" in text and "MY NOTES" in text
    assert "FOLLOW-UP QUESTIONS" not in text


def test_practice_edition_hides_answers_and_gives_more_space(editions):
    text = _text(editions["practice"])
    assert "ANSWER FRAMEWORK" not in text and "SAMPLE ANSWER" not in text
    assert "WHY THEY ASK" in text and "MAKE IT YOURS" in text and "MY STORY" in text
    # A sentence of a sample STAR answer must not be there.
    assert "Situation:" not in text
    # The study edition gives each answer a facing page of lines; the practice edition, with
    # no answer printed, gives a question and its lines one page, with more of them still.
    assert _rules(editions["practice"]) > _rules(editions["study"])


def test_facilitator_edition_is_an_answer_key(editions):
    text = _text(editions["facilitator"])
    assert "FACILITATOR EDITION" in text.upper()
    assert "ANSWER FRAMEWORK" in text and "FOLLOW-UP QUESTIONS" in text
    assert "WHAT A STRONG ANSWER SHOWS" in text and "INTERVIEWER NOTES" in text
    assert "MY STORY" not in text and "Study plan" not in text and "Story bank" not in text
    # Three lines of remarks a question; what a long answer key leaves of its facing page is
    # ruled too (no empty feet), so the key has less room than the study book, not a third.
    assert _rules(editions["facilitator"]) < _rules(editions["study"]) * 0.9


def test_company_placeholder_filled_or_reading_naturally(posting_workbook, default_workbook):
    # The shared tailored book is built with --company "Harbour Freight Systems".
    text = " ".join(posting_workbook.page_texts)
    assert "Why do you want to work at Harbour Freight Systems?" in text
    assert "What would success in this role look like at Harbour Freight Systems" in text
    assert not re.search(r"\{[a-z_]+(\|[^}]*)?\}", text)
    plain = " ".join(default_workbook.page_texts)
    assert "Why do you want to work at this company?" in plain
    # No placeholder is left ({company} or {company|fallback}); braces in code are fine.
    assert not re.search(r"\{[a-z_]+(\|[^}]*)?\}", plain) and "Harbour Freight" not in plain


def _part_pages(workbook, title: str) -> list[int]:
    starts = sorted((page, name) for level, name, page in workbook.outline() if level == 1)
    return [
        n
        for (page, name), (end, _) in zip(starts, starts[1:] + [(10**6, "")])
        if name == title
        for n in range(page, min(end, workbook.page_count + 1))
    ]


def test_study_plan_dates(posting_workbook):
    # The shared tailored book: --date 2027-03-09 (a Tuesday) --start 2027-03-01, so the plan
    # runs Monday to the Monday after, and a question per box (tests/conftest.py: BOOKS).
    workbook = posting_workbook
    pages = _part_pages(workbook, "Study plan")
    text = " ".join(workbook.page_texts[n - 1] for n in pages)
    assert "8 days to your interview on Tuesday 9 March" in text
    assert re.findall(r"Day (\d+)", text) == [str(n) for n in range(1, 9)]
    dates = re.findall(r"\b((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d+ Mar)\b", text)
    weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Mon"]
    assert dates == [f"{day} {n} Mar" for n, day in zip(range(1, 9), weekdays)]
    boxes = sum(workbook.checkboxes(n) for n in pages)
    questions = len(question_titles(workbook))
    assert boxes == questions + 2  # one per question, two rehearsal items on the last day


def test_study_plan_without_a_date_has_seven_days_to_date_by_hand(default_workbook):
    text = " ".join(
        default_workbook.page_texts[n - 1] for n in _part_pages(default_workbook, "Study plan")
    )
    assert "Seven days of preparation" in text
    assert "Day 7" in text and "Day 8" not in text


def test_story_bank_grid_uses_the_roles_competencies(letter_workbook, bank):
    workbook = letter_workbook
    page = _part_pages(workbook, "Story bank")[0]
    text = workbook.page_texts[page - 1]
    width, height = workbook.page_size_mm(page)
    boxes = workbook.checkboxes(page)
    sre = bank.roles["site-reliability-engineer"]
    competencies = [q.competency for q in role_questions(bank, sre) if q.kind == "behavioural"]
    assert "Calm under incident" in competencies
    for competency in competencies:
        assert all(word in text for word in competency.split()), competency
    assert boxes == 6 * len(set(competencies))
    assert width < height, "the story bank is printed portrait, like every other page"
