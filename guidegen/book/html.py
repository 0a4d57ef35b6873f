"""Stage 3, the HTML: one workbook as one HTML document, from Jinja2 templates found through
the theme, rendered in the sandbox (``guidegen.book.sandbox``).

``render_html`` renders the section list (``guidegen.book.sections``) of a ``Book``
(``guidegen.book.model``) through ``workbook.html``, or one chunk of it.
"""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup, escape

from guidegen import __version__
from guidegen.book.chunks import Chunk, opening_section, part_pieces
from guidegen.book.markdown import render_inline, render_markdown
from guidegen.book.model import Book, describe_selection, direction_of, document_title, slug
from guidegen.book.sandbox import (
    TEMPLATE_FAILURES,
    CompiledTemplates,
    TemplateSandbox,
    template_error,
    template_location,
)
from guidegen.book.sections import stylesheets
from guidegen.content.markup import fill
from guidegen.content.models import KINDS
from guidegen.spec import Person
from guidegen.theme import check_theme_templates, template_loader


def _length_class(value: str | None) -> str:
    """A cover detail's size class from its length: it shrinks, then wraps, never clips.

    The base cover and each copy's overlay are laid out apart, so the size is decided from
    the text alone; at 15 pt about 30 characters fit the line, at 12 pt about 38 on each of
    two lines, at 9.5 pt about 48 on each of three.
    """
    length = len(value or "")
    return "" if length <= 28 else "long" if length <= 70 else "longer"


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

    def label(key: str, **values: Any) -> Markup:
        """A label as HTML, marked with its own language when it differs from the content's,
        so hyphenation and screen readers treat it right."""
        text = escape(labels.text(key, **values))
        return Markup(f'<span lang="{labels.code}">{text}</span>') if foreign else text

    def label_markdown(key: str, **values: Any) -> Markup:
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


def render_html(
    book: Book,
    template_name: str = "workbook.html",
    chunk: Chunk | None = None,
    page_of: dict[str, int] | None = None,
    first_side: str | None = None,
    **extra: Any,
) -> str:
    """The whole workbook as an HTML string, its stylesheets linked by file URL.

    With ``chunk``, only that chunk's sections (see book/chunks.py), its first page on
    ``first_side`` ("left" or "right"); ``page_of`` gives the contents their page numbers as
    text (a chunked front cannot look them up).

    ``template_name="cover_overlay.html"`` with ``book.people`` gives instead one page per
    person carrying only their cover details, to lay over a "base" cover (see guidegen.batch).
    ``extra`` adds to what the template sees or replaces it (the flashcards' own title,
    stylesheets and cards; see guidegen.cards.sheets).
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
        # Question numbers past 99 need wider number columns (contents, advert worksheet).
        extra_digits=max(0, len(str(len(numbered))) - 2),
        opening=opening_section(book),  # the first section after the front: on a right page
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
