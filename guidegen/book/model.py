"""Stage 3, the book: everything a template may use, before any HTML is made.

``Book`` holds the selection, the spec, the labels, the theme and the print settings that follow
from the edition and the paper; ``prepare`` makes one from a bank and a spec (select, then
resolve the theme and load the labels). The titles and descriptions here are the plain-text
words the PDF's bookmarks, metadata and link descriptions use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from guidegen.book.markdown import plain_text
from guidegen.book.sections import Section, active_sections
from guidegen.content.load import Bank
from guidegen.content.markup import fill
from guidegen.labels import Labels, available, label_dirs, load_labels
from guidegen.select import Selection, select
from guidegen.spec import EDITIONS, PAPERS, Edition, Paper, Person, WorkbookSpec
from guidegen.theme import Theme, resolve_theme

if TYPE_CHECKING:
    from pathlib import Path

    from guidegen.content.models import StarStep


def prepare(bank: Bank, spec: WorkbookSpec, **options: Any) -> Book:
    """Select the questions for ``spec`` and resolve its theme and labels."""
    return make_book(bank, spec, select(bank, spec), **options)


@dataclass
class Book:
    """A workbook about to be rendered: what the templates see (as ``book`` and ``layout``)."""

    bank: Bank
    spec: WorkbookSpec
    selection: Selection
    labels: Labels  # the language the fixed words are printed in
    content_labels: Labels  # the content's own language (for words inside content)
    theme: Theme
    cover_mode: str = "full"  # full; base: details left out; overlay: only the details
    notes_pages: int = 2
    # Questions too long to share a page, or a spread, with their writing room, as found by
    # laying the book out (layout/spreads.py): each starts on a left-hand page and its notes
    # follow on the facing page where its text ends.
    long_questions: frozenset[str] = frozenset()
    own_questions_lines: int = 8
    # A booklet too thick for one staple: the questions each stitched part opens before
    # (layout/stitching.py), {question id: Stitch} (Any: the book stage may not import layout).
    stitch_before: dict[str, Any] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)

    # ---- what the edition and the paper decide ----

    @property
    def edition(self) -> Edition:
        return EDITIONS[self.spec.edition]

    @property
    def paper(self) -> str:
        return self.spec.page_paper

    @property
    def page(self) -> Paper:
        return PAPERS[self.paper]

    @property
    def fillable(self) -> bool:
        return self.spec.fillable

    @property
    def notes_lines(self) -> int:
        return self.edition.notes_lines

    def star_lines(self, step: StarStep) -> int:
        """A STAR step's lines: as workbook.yaml gives them for an A4 page, fewer in proportion
        on a shorter page so that the four steps always share one page (the last step then
        grows to the foot of it)."""
        scale = min(1.0, self.page.column_height / PAPERS["a4"].column_height)
        return max(1, int(step.lines * scale))  # rounded down: the four must fit the page

    @property
    def page_scale(self) -> float:
        """This page's column height against an A4 page's (1 for A4, less for the rest)."""
        return min(1.0, self.page.column_height / PAPERS["a4"].column_height)

    def scaled(self, count: int) -> int:
        """A worksheet's ``count`` ruled lines (or rows) for an A4 page, fewer in proportion
        on a shorter page: rounded down, but a line short by less than a fifth counts whole, so
        that Letter keeps the three lines A4 has."""
        return max(1, int(count * self.page_scale + 0.2))

    def story_lines(self, step: StarStep) -> int:
        """A STAR step's lines on a story-bank STAR page: as under a question, less a tenth,
        since the page also names the story and the questions it serves."""
        return max(1, int(self.star_lines(step) * 0.9))

    @property
    def advert_rows(self) -> int:
        """Blank rows of the job-advert worksheet: a page of them."""
        return self.scaled(11)

    @property
    def tracker_rows(self) -> int:
        return self.scaled(11)

    @property
    def shows_answers(self) -> bool:
        return self.edition.shows_answers

    @property
    def for_candidates(self) -> bool:
        return self.edition.for_candidates

    def spreads(self, kind: str) -> bool:
        """Whether a question of this kind takes a spread: the question on a left-hand page
        and its writing room facing it (styles/question.css). A behavioural question does in
        every candidate edition (a STAR page); every question does in the study edition."""
        if not self.for_candidates:
            return False
        return kind == "behavioural" or self.edition.question_spreads

    @property
    def story_rows(self) -> int:
        """Rows of the story bank: six, or five where a booklet page leaves room for no more."""
        return 5 if self.spec.booklet else 6

    # ---- languages ----

    @property
    def language(self) -> str:
        """The content's language: the document's own (html lang, PDF /Lang)."""
        assert self.bank.workbook.language is not None  # set by WorkbookText.completed()
        return self.bank.workbook.language

    @property
    def direction(self) -> str:
        """rtl for a right-to-left content language (Hebrew, Arabic, ...), else ltr."""
        return direction_of(self.language)

    @cached_property
    def sections(self) -> list[Section]:
        return active_sections(self)

    def with_changes(self, **changes: Any) -> Book:
        return replace(self, **changes)


def make_book(bank: Bank, spec: WorkbookSpec, selection: Selection, **options: Any) -> Book:
    """A Book for ``spec``: its theme resolved and its labels loaded."""
    workbook = bank.workbook
    assert workbook.language is not None  # set by WorkbookText.completed()
    theme = resolve_theme(spec.theme, bank.content_dir, workbook.theme, bank.workbook_file)
    dirs = label_dirs(bank.content_dir, theme.folders)
    code = spec.language or workbook.language
    notes = []
    if spec.language is None and code not in available(dirs):
        notes.append(
            f"there are no labels in '{code}', the content's language, so the fixed "
            f"words print in English; add labels/{code}.yaml to the content to change "
            "that"
        )
        code = "en"
    labels = load_labels(code, dirs)
    labels.warnings[:0] = notes
    content_labels = (
        labels if labels.code == workbook.language else _content_labels(workbook.language, dirs)
    )
    return Book(bank, spec, selection, labels, content_labels, theme, **options)


def _content_labels(code: str, dirs: list[Path]) -> Labels:
    from guidegen.errors import UsageError

    try:
        return load_labels(code, dirs)
    except UsageError:
        return load_labels("en", dirs)  # a content language without a catalogue of its own


def fill_placeholders(text: str, person: Person, fallback: str) -> str:
    """Plain text with {company} filled: for tooltips and other attributes."""
    return fill(text, person.company, fallback)


def slug(text: str) -> str:
    """A name as an id or field-name part: "Working under pressure" -> working-under-pressure."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def plain_title(text: str, book: Book) -> str:
    """A title as plain text (for bookmarks, link descriptions, metadata)."""
    return plain_text(text, book.spec.person.company, book.content_labels.text("this_company"))


def document_title(book: Book, person: Person) -> str:
    title = f"{book.selection.role.title} {book.bank.workbook.title}"
    if person.name:
        title = book.labels.text("meta.title_for", title=title, name=person.name)
    return title


def describe_selection(book: Book) -> str:
    """What this copy holds, in the label language: "All 26 questions for this role.", and
    the advert it is tailored to."""
    t, spec, selection = book.labels, book.spec, book.selection
    total, chosen = selection.total, len(selection.questions)
    parts = []
    if spec.kinds:
        parts.append(t.text("selection.kinds", kinds=", ".join(selection.kinds)))
    if spec.tags:
        parts.append(t.text("selection.tags", tags=", ".join(spec.tags)))
    if spec.exclude_tags:
        parts.append(t.text("selection.without", tags=", ".join(spec.exclude_tags)))
    if spec.count is not None:
        parts.append(t.text("selection.pick", seed=spec.seed))
    if not parts:
        described = t.text("selection.all", total=total, count=total)
    else:
        described = t.text(
            "selection.some",
            chosen=chosen,
            total=total,
            count=total,
            criteria=t.text("selection.separator").join(parts),
        )
    posting = selection.posting
    if posting is not None:
        matched = len(posting.matched_ids)
        key = "selection.posting" if matched else "selection.posting_none"
        described += " " + t.text(key, name=posting.name, count=matched)
    return described


def direction_of(language: str) -> str:
    """rtl for a right-to-left language (Hebrew, Arabic, ...), else ltr."""
    from babel import Locale, UnknownLocaleError

    try:
        order = Locale.parse(language.replace("-", "_")).character_order
    except (UnknownLocaleError, ValueError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"
