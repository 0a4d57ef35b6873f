"""Stage 3: turn a Selection into one HTML document with Jinja2 templates."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from functools import lru_cache

import jinja2
import markdown as markdown_lib
from markupsafe import Markup

from guidegen import __version__
from guidegen.load import PLACEHOLDER
from guidegen.models import KIND_TITLES, WorkbookText
from guidegen.paths import STYLES_DIR, TEMPLATES_DIR
from guidegen.select import Personal, Selection


@dataclass(frozen=True)
class Paper:
    """A page size and the margins (mm) that suit it; inner is the binding side."""

    css_size: str
    css_landscape: str
    top: float
    bottom: float
    inner: float
    outer: float
    cover_margin: tuple[float, float]
    notes_page_lines: int  # rules that fit under the "Notes" heading at 8 mm pitch


PAPERS = {
    "a4": Paper("A4", "A4 landscape", 20, 20, 24, 16, (30, 24), 27),
    "letter": Paper("letter", "letter landscape", 20, 20, 24, 16, (30, 24), 24),
    # Booklet pages: two of them side by side on an A4 or Letter sheet.
    "a5": Paper("A5", "A5 landscape", 13, 14, 17, 11, (20, 15), 18),
    "half-letter": Paper("5.5in 8.5in", "8.5in 5.5in", 13, 14, 17, 11, (20, 15), 19),
}
BOOKLET_PAGE = {"a4": "a5", "letter": "half-letter"}
DEFAULT_COMPANY_WORDS = "this company"


EDITION_TITLES = {
    "study": "Study edition",
    "practice": "Practice edition",
    "facilitator": "Facilitator edition · answer key",
}


@dataclass(frozen=True)
class Layout:
    """Print options that change the HTML, not the content."""

    paper: str = "a4"
    edition: str = "study"
    own_questions_lines: int = 8
    notes_pages: int = 2
    # "full": a normal cover; "base": the personal details left out, to be overlaid per copy.
    cover_mode: str = "full"
    fillable: bool = False

    @property
    def page(self) -> Paper:
        return PAPERS[self.paper]

    @property
    def notes_lines(self) -> int:
        """Ruled lines under a general or technical question.

        Practice copies are for mock interviews, so they get room for a full answer; the
        facilitator's answer key only needs space for remarks.
        """
        return {"study": 7, "practice": 12, "facilitator": 3}[self.edition]

    @property
    def extra_star_lines(self) -> int:
        return 2 if self.edition == "practice" else 0

    @property
    def shows_answers(self) -> bool:
        return self.edition != "practice"

    @property
    def for_candidates(self) -> bool:
        """Study plan, story bank and STAR blocks are for the person preparing."""
        return self.edition != "facilitator"

    @property
    def notes_page_lines(self) -> int:
        return self.page.notes_page_lines

    @property
    def story_rows(self) -> int:
        """Rows of the story bank: six, or five where a booklet page leaves room for no more."""
        return 5 if self.paper in BOOKLET_PAGE.values() else 6


def fill_placeholders(text: str, personal: Personal, for_markdown: bool = False) -> str:
    """Put the company's name where the content says {company}; read naturally without one.

    The name comes from the command line or a CSV cell, so inside Markdown it is escaped:
    "<b>Evil</b> *Co*" prints as typed instead of becoming markup.
    """
    company = personal.company
    if company and for_markdown:
        company = re.sub(r"([\\`*_{}\[\]()#+\-.!|>])", r"\\\1", html_lib.escape(company))

    def replace(match: re.Match) -> str:
        if match.group(1) != "company":
            return match.group(0)  # validation reports unknown placeholders
        if company:
            return company
        return match.group(2) if match.group(2) is not None else DEFAULT_COMPANY_WORDS

    return PLACEHOLDER.sub(replace, text)


@lru_cache(maxsize=1)
def _markdown() -> markdown_lib.Markdown:
    return markdown_lib.Markdown(extensions=["sane_lists", "smarty"], output_format="html")


def render_markdown(text: str, personal: Personal) -> Markup:
    converter = _markdown()
    converter.reset()
    return Markup(converter.convert(fill_placeholders(text, personal, for_markdown=True)))


def _environment(personal: Personal) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = lambda text: render_markdown(text, personal)
    env.filters["fill"] = lambda text: fill_placeholders(text, personal)
    env.filters["slug"] = lambda text: re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return env


def document_title(selection: Selection, workbook: WorkbookText) -> str:
    title = f"{selection.role.title} {workbook.title}"
    if selection.personal.name:
        title += f" for {selection.personal.name}"
    return title


def render_html(
    selection: Selection,
    workbook: WorkbookText,
    layout: Layout = Layout(),
    template_name: str = "workbook.html",
    people: list[Personal] = (),
) -> str:
    """The whole workbook as an HTML string, its stylesheet linked by file URL.

    ``template_name="cover_overlay.html"`` with ``people`` gives instead one page per person
    carrying only their cover details, to lay over a "base" cover (see guidegen.batch).
    """
    env = _environment(selection.personal)
    template = env.get_template(template_name)
    numbered = {q.id: number for number, q in enumerate(selection.questions, start=1)}
    return template.render(
        selection=selection,
        role=selection.role,
        personal=selection.personal,
        workbook=workbook,
        parts=[(kind, KIND_TITLES[kind], questions) for kind, questions in selection.by_kind()],
        number_of=numbered,
        layout=layout,
        page=layout.page,
        edition_title=EDITION_TITLES[layout.edition],
        title=document_title(selection, workbook),
        stylesheet=(STYLES_DIR / "workbook.css").as_uri(),
        version=__version__,
        people=list(people),
    )
