"""Stage 3: one workbook as one HTML document, from Jinja2 templates found through the theme.

``Book`` is everything a template may use: the selection, the spec, the labels and the print
settings that follow from the edition and the paper. ``render_html`` renders the section list
(``guidegen.render.sections``) through ``workbook.html``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property

import jinja2
from markupsafe import Markup, escape

from guidegen import __version__
from guidegen.content.load import Bank
from guidegen.content.markup import fill
from guidegen.content.models import KINDS
from guidegen.labels import Labels, available, label_dirs, load_labels
from guidegen.render.chunks import Chunk, part_pieces
from guidegen.render.markdown import plain_text, render_inline, render_markdown
from guidegen.render.sandbox import (
    TEMPLATE_FAILURES,
    CompiledTemplates,
    TemplateSandbox,
    template_error,
    template_location,
)
from guidegen.render.sections import Section, active_sections, stylesheets
from guidegen.render.theme import Theme, check_theme_templates, resolve_theme, template_loader
from guidegen.select import Selection
from guidegen.spec import EDITIONS, PAPERS, Edition, Paper, Person, WorkbookSpec


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
    # laying the book out (render/spreads.py): each starts on a left-hand page and its notes
    # follow on the facing page where its text ends.
    long_questions: frozenset[str] = frozenset()
    own_questions_lines: int = 8
    # A booklet too thick for one staple: the questions each stitched part opens before
    # (render/stitching.py), {question id: Stitch}.
    stitch_before: dict = field(default_factory=dict)
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

    def star_lines(self, step) -> int:
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

    def story_lines(self, step) -> int:
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

    def with_changes(self, **changes) -> Book:
        return replace(self, **changes)


def make_book(bank: Bank, spec: WorkbookSpec, selection: Selection, **options) -> Book:
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


def _content_labels(code: str, dirs) -> Labels:
    from guidegen.errors import UsageError

    try:
        return load_labels(code, dirs)
    except UsageError:
        return load_labels("en", dirs)  # a content language without a catalogue of its own


def fill_placeholders(text: str, person: Person, fallback: str) -> str:
    """Plain text with {company} filled: for tooltips and other attributes."""
    return fill(text, person.company, fallback)


def _length_class(value: str | None) -> str:
    """A cover detail's size class from its length: it shrinks, then wraps, never clips.

    The base cover and each copy's overlay are laid out apart, so the size is decided from
    the text alone; at 15 pt about 30 characters fit the line, at 12 pt about 38 on each of
    two lines, at 9.5 pt about 48 on each of three.
    """
    length = len(value or "")
    return "" if length <= 28 else "long" if length <= 70 else "longer"


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


COMPILED = CompiledTemplates()


def _environment(book: Book) -> jinja2.Environment:
    env = TemplateSandbox(
        loader=template_loader(book.theme),
        bytecode_cache=COMPILED,
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    fallback = book.content_labels.text("this_company")
    labels = book.labels
    foreign = labels.code != book.language

    def label(key: str, **values) -> Markup:
        """A label as HTML, marked with its own language when it differs from the content's,
        so hyphenation and screen readers treat it right."""
        text = escape(labels.text(key, **values))
        return Markup(f'<span lang="{labels.code}">{text}</span>') if foreign else text

    def label_markdown(key: str, **values) -> Markup:
        html = render_inline(labels.text(key, **values))
        return Markup(f'<span lang="{labels.code}">{html}</span>') if foreign else html

    env.globals.update(t=label, tt=labels.text, tmd=label_markdown, direction_of=direction_of)

    def company(person: Person | None) -> str | None:
        return (person or book.spec.person).company

    env.filters["md"] = lambda text, person=None: render_markdown(text, company(person), fallback)
    env.filters["fill"] = lambda text, person=None: fill(text, company(person), fallback)
    env.filters["inline"] = lambda text, person=None, links=True: render_inline(
        text, company(person), fallback, links
    )
    env.filters["length_class"] = _length_class
    env.filters["slug"] = slug
    env.filters["date"] = labels.date
    return env


def direction_of(language: str) -> str:
    """rtl for a right-to-left language (Hebrew, Arabic, ...), else ltr."""
    from babel import Locale, UnknownLocaleError

    try:
        order = Locale.parse(language.replace("-", "_")).character_order
    except (UnknownLocaleError, ValueError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def render_html(
    book: Book,
    template_name: str = "workbook.html",
    chunk: Chunk | None = None,
    page_of: dict[str, int] | None = None,
    first_side: str | None = None,
    **extra,
) -> str:
    """The whole workbook as an HTML string, its stylesheets linked by file URL.

    With ``chunk``, only that chunk's sections (see render/chunks.py), its first page on
    ``first_side`` ("left" or "right"); ``page_of`` gives the contents their page numbers as
    text (a chunked front cannot look them up).

    ``template_name="cover_overlay.html"`` with ``book.people`` gives instead one page per
    person carrying only their cover details, to lay over a "base" cover (see guidegen.batch).
    ``extra`` adds to what the template sees or replaces it (the flashcards' own title,
    stylesheets and cards; see guidegen.render.cards).
    """
    from guidegen.errors import RenderError

    env = _environment(book)
    if book.theme.folders:
        check_theme_templates(env, book.theme)
    try:
        template = env.get_template(template_name)
    except jinja2.TemplateSyntaxError as error:
        raise RenderError(
            f"{error.filename}:{error.lineno}: template syntax error: {error.message}"
        ) from None
    except jinja2.TemplateNotFound as error:
        raise RenderError(template_error(error, template_name)) from None
    selection = book.selection
    numbered = {q.id: number for number, q in enumerate(selection.questions, start=1)}
    parts = [
        (kind, book.labels.text(f"part.{kind}"), questions)
        for kind, questions in selection.by_kind()
    ]
    edition_title = book.labels.text(f"edition.{book.spec.edition}")
    pieces = part_pieces(book)
    if chunk is None:
        chunk_sections, chunk_pieces = book.sections, pieces
    else:
        chunk_sections = [s for s in book.sections if s.id in chunk.sections]
        chunk_pieces = list(chunk.pieces)
    context = dict(
        chunk=chunk,
        chunk_sections=chunk_sections,
        chunk_pieces=chunk_pieces,
        first_side=first_side,
        page_of=page_of,
        book=book,
        layout=book,
        selection=selection,
        role=selection.role,
        personal=book.spec.person,
        company=book.spec.person.company or book.labels.text("this_company"),
        workbook=book.bank.workbook,
        parts=parts,
        kinds=KINDS,
        number_of=numbered,
        page=book.page,
        edition_title=edition_title,
        subject=book.labels.text(
            f"meta.subject.{book.spec.edition}",
            level=selection.role.level,
            role=selection.role.title,
            edition=edition_title.lower(),
        ),
        title=document_title(book, book.spec.person),
        summary=describe_selection(book),
        sections=book.sections,
        stylesheets=[book.theme.stylesheet(name).resolve().as_uri() for name in stylesheets(book)],
        version=__version__,
        people=list(book.people),
        language=book.language,
        direction=book.direction,
    )
    try:
        return template.render(**{**context, **extra})
    except jinja2.TemplateError as error:
        # a theme's mistake or a refused reach outside the sandbox: the file and line, no
        # traceback (syntax errors in an included template arrive here too)
        if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
            raise RenderError(
                f"{error.filename}:{error.lineno}: template syntax error: {error.message}"
            ) from None
        raise RenderError(template_error(error, template.filename or template_name)) from None
    except TEMPLATE_FAILURES as error:
        where = template_location(error)
        if where is None:  # not raised by a template's own expression: guidegen's bug
            raise
        raise RenderError(f"{where}: {type(error).__name__}: {error}") from None
