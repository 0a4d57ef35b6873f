"""The workbook's sections, in print order. One list drives the page order, the contents page
and the stylesheets, so a new page type is a template, a stylesheet and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guidegen.book.model import Book


def _always(book: Book) -> bool:
    return True


def _never(book: Book) -> bool:
    return False


@dataclass(frozen=True)
class Section:
    id: str  # also the id of its first element, which links and bookmarks point at
    template: str  # under templates/
    stylesheet: str | None  # under styles/; shared stylesheets are linked once
    title: str | None = None  # label key of its contents entry; None: not in the contents
    when: Callable[[Book], bool] = _always
    parts: bool = False  # the questions: one part per kind, each with its own entry
    # Whether it prints the page numbers of other sections (the contents, the job advert's
    # references to its questions): a book laid out in chunks lays it out last, with the front
    # (book/chunks.py), and the template writes them in from ``page_of`` (page_attr).
    page_numbers: Callable[[Book], bool] = _never


def _for_candidates(book: Book) -> bool:
    return book.edition.for_candidates


def _ask(book: Book) -> bool:
    return book.edition.for_candidates and bool(book.selection.ask_groups)


def _story_bank(book: Book) -> bool:
    return book.edition.for_candidates and bool(book.selection.competencies)


def _posting(book: Book) -> bool:
    return book.selection.posting is not None


def _job_advert(book: Book) -> bool:
    """Always in a --posting book (for a facilitator it maps each requirement to the questions
    that test it); otherwise as the other worksheets, with blank rows to copy the advert into."""
    return book.selection.posting is not None or _prints(book, "job-advert")


def _prints(book: Book, worksheet: str) -> bool:
    """A worksheet prints in the candidate editions, if the content's workbook.yaml keeps it."""
    return book.edition.for_candidates and book.bank.workbook.prints(worksheet)


def _worksheet(
    template: str,
    section_id: str,
    title: str,
    when: Callable[[Book], bool] | None = None,
    page_numbers: Callable[[Book], bool] = _never,
) -> Section:
    return Section(
        section_id,
        f"sections/{template}.html",
        "worksheets.css",
        title,
        when or (lambda book: _prints(book, section_id)),
        page_numbers=page_numbers,
    )


# In the order a candidate uses them: the worksheets that prepare the answers (the advert, the
# company, the opening pitch) before the questions; the story bank and the questions to ask
# after them; then what is decided before the interview (salary, the day's logistics) and what
# is written after it (the debrief, the tracker of every application).
SECTIONS: tuple[Section, ...] = (
    Section("cover", "sections/cover.html", "cover.css"),
    Section("how-to", "sections/how_to.html", "front.css", "how_to.title"),
    Section("contents", "sections/contents.html", "front.css", page_numbers=_always),
    Section("study-plan", "sections/study_plan.html", "plan.css", "plan.title", _for_candidates),
    _worksheet("job_advert", "job-advert", "advert.title", _job_advert, _posting),
    _worksheet("company_research", "company-research", "research.title"),
    _worksheet("pitch", "pitch", "pitch.title"),
    Section("parts", "sections/parts.html", "question.css", parts=True),
    Section(
        "story-bank", "sections/story_bank.html", "story_bank.css", "story_bank.title", _story_bank
    ),
    Section("part-ask", "sections/ask.html", "ask.css", "ask.title", _ask),
    _worksheet("salary", "salary", "salary.title"),
    _worksheet("interview_day", "interview-day", "day.title"),
    _worksheet("after_interview", "after-interview", "after.title"),
    _worksheet("tracker", "tracker", "tracker.title"),
    Section("part-notes", "sections/notes.html", "notes.css", "notes.title"),
    Section("back-cover", "sections/back_cover.html", "cover.css"),
)

# Linked before and after the sections' own: the design's knobs first, a theme's additions last.
LEADING_STYLESHEETS = ("variables.css", "base.css")
TRAILING_STYLESHEETS = ("fillable.css", "theme.css")


def active_sections(book: Book) -> list[Section]:
    return [section for section in SECTIONS if section.when(book)]


def stylesheets(book: Book) -> list[str]:
    """The stylesheets to link, in order (a booklet or a print-shop copy adds its own)."""
    names = list(LEADING_STYLESHEETS)
    for section in book.sections:
        if section.stylesheet and section.stylesheet not in names:
            names.append(section.stylesheet)
    if book.spec.booklet:
        names.append("booklet.css")
    if book.spec.print_shop:
        names.append("print_shop.css")
    return names + [name for name in TRAILING_STYLESHEETS if name not in names]
