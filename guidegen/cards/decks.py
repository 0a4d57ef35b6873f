"""The selection as study decks: an Anki package (genanki) and tab-separated lines for Anki's
text import.

An Anki package is a zip holding a SQLite collection with many columns and JSON blobs that
Anki checks; genanki writes that format, so guidegen does not. What guidegen decides:

- **Stable ids.** The deck id and the note type (model) id are derived from the pack's title
  and the role, the note GUIDs from the pack, the role and the question id. Importing a deck
  built later from changed content updates the notes already in Anki (and keeps their review
  history) instead of adding copies. The note and card ids are numbered from a base derived
  from the deck, so two builds of the same selection number them alike.
- **Modification times are the build's time.** Anki updates a note on import only when the
  incoming one is newer; a fixed time would leave a changed answer unchanged in Anki.
- **Fields are sanitised HTML** from the project's Markdown renderer, with the labels
  ("Key points", "Why they ask") in the label language, so the note type has no words of
  its own.
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import re
import sqlite3
import tempfile
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from guidegen import clock
from guidegen.book.markdown import plain_text, render_inline, render_markdown
from guidegen.book.model import Book
from guidegen.content.models import Question

GenankiDeck = Any  # a genanki.Deck: genanki ships no types

MODEL_FIELDS = ("Question", "Prompt", "Answer", "Why", "Tip")
# The note type's look: small, readable on a phone, and dark-mode safe (Anki's .nightMode).
MODEL_CSS = """\
.card { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 18px; line-height: 1.45;
  text-align: left; max-width: 40em; margin: 0 auto; color: #1a1a1a; background: #fff; }
.nightMode .card, .card.nightMode { color: #eee; background: #222; }
.question { font-size: 1.2em; font-weight: bold; }
.prompt { margin-top: 0.8em; padding-left: 0.8em; border-left: 3px solid #999; }
.label { font-size: 0.75em; text-transform: uppercase; letter-spacing: 0.06em; color: #666;
  margin: 1em 0 0.2em; }
pre, code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; }
pre { white-space: pre-wrap; }
.why, .tip { font-size: 0.9em; }
"""
_FRONT = (
    '<div class="question">{{Question}}</div>'
    '{{#Prompt}}<div class="prompt">{{Prompt}}</div>{{/Prompt}}'
)
_BACK = (
    '{{FrontSide}}<hr id="answer">{{Answer}}'
    '{{#Why}}<div class="why">{{Why}}</div>{{/Why}}'
    '{{#Tip}}<div class="tip">{{Tip}}</div>{{/Tip}}'
)
_EPOCH_MS = 946684800000  # 2000-01-01: note and card ids are numbered from here on
_TEN_YEARS = 10 * 365 * 24 * 3600


def stable_id(*parts: str) -> int:
    """An Anki id (2**30 to 2**31, as genanki advises) that depends only on ``parts``."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def pack_key(book: Book) -> str:
    """What names the pack in every id: the title of its workbook."""
    assert book.bank.workbook.title is not None  # load_bank refuses a workbook without one
    return book.bank.workbook.title


def deck_name(book: Book) -> str:
    """ "Interview Workbook::DevOps Engineer": a deck per role under one for the pack."""
    return f"{book.bank.workbook.title}::{book.selection.role.title}"


class _Filled:
    """Markdown and labels as HTML, with {company} filled as the PDF fills it."""

    def __init__(self, book: Book):
        self.book = book
        self.company = book.spec.person.company
        self.fallback = book.content_labels.text("this_company")

    def md(self, text: str | None) -> str:
        return str(render_markdown(text, self.company, self.fallback)) if text else ""

    def inline(self, text: str) -> str:
        return str(render_inline(text, self.company, self.fallback))

    def label(self, key: str) -> str:
        return f'<p class="label">{html.escape(self.book.labels.text(key))}</p>'

    def answer(self, question: Question) -> str:
        """Key points, else the answer; empty if the question has neither."""
        if question.key_points:
            points = "".join(f"<li>{self.inline(point)}</li>" for point in question.key_points)
            return self.label("cards.key_points") + f"<ul>{points}</ul>"
        if question.answer:
            key = "question.framework" if question.answer_type == "framework" else "question.sample"
            return self.label(key) + self.md(question.answer)
        return ""


def anki_deck(book: Book) -> GenankiDeck:
    """One note per selected question in a deck named after the pack and the role."""
    import genanki

    pack, role = pack_key(book), book.selection.role
    model = genanki.Model(
        stable_id(pack, "guidegen note type"),
        f"guidegen: {pack}",
        fields=[{"name": name} for name in MODEL_FIELDS],
        templates=[{"name": "Question", "qfmt": _FRONT, "afmt": _BACK}],
        css=MODEL_CSS,
    )
    filled = _Filled(book)
    deck = genanki.Deck(
        stable_id(pack, role.id, "deck"),
        deck_name(book),
        description=html.escape(_describe(book)),
    )
    for number, question in enumerate(book.selection.questions, start=1):
        why = filled.label("question.why") + filled.md(question.why) if question.why else ""
        tip = filled.label("question.tip") + filled.md(question.tip) if question.tip else ""
        deck.add_note(
            genanki.Note(
                model=model,
                fields=[
                    filled.inline(question.title),
                    filled.md(question.prompt),
                    filled.answer(question)
                    or f"<p>{html.escape(book.labels.text('cards.no_answer'))}</p>",
                    why,
                    tip,
                ],
                tags=[*question.tags, question.kind],
                guid=genanki.guid_for(pack, role.id, question.id),
                due=number,  # new cards come in the workbook's order
            )
        )
    return deck


def _describe(book: Book) -> str:
    from guidegen.book.model import describe_selection

    return describe_selection(book)


def anki_package(deck: GenankiDeck) -> bytes:
    """The deck as .apkg bytes: genanki's collection, zipped with fixed entry dates."""
    import genanki

    base = _EPOCH_MS + (deck.deck_id % _TEN_YEARS) * 1000  # this deck's run of note ids
    with tempfile.TemporaryDirectory(prefix="guidegen-anki-") as folder:
        path = Path(folder) / "collection.anki2"
        connection = sqlite3.connect(path)
        try:
            cursor = connection.cursor()
            genanki.Package(deck).write_to_db(cursor, clock.timestamp(), itertools.count(base))
            connection.commit()
        finally:
            connection.close()
        collection = path.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in (("collection.anki2", collection), ("media", b"{}")):
            entry = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(entry, data)
    return buffer.getvalue()


# ---- tab-separated lines ----

_BLOCKS = {"p", "div", "pre", "ul", "ol", "table", "tr", "blockquote", "dl", "dt", "dd", "hr"}


class _Text(HTMLParser):
    """HTML as plain text: a line per paragraph or list item, bullets and numbers written out,
    code lines kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line = ""
        self.lists: list[list[Any]] = []  # ["ul", 0] or ["ol", next number]
        self.pre = 0

    def _break(self) -> None:
        if self.line.strip():
            self.lines.append(self.line.strip() if not self.pre else self.line.rstrip())
        self.line = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ul", "ol"):
            self._break()
            self.lists.append([tag, int(dict(attrs).get("start") or 1)])
        elif tag == "li":
            self._break()
            kind: list[Any] = self.lists[-1] if self.lists else ["ul", 0]
            indent = "  " * max(0, len(self.lists) - 1)
            if kind[0] == "ol":
                self.line = f"{indent}{kind[1]}. "
                kind[1] += 1
            else:
                self.line = f"{indent}• "
        elif tag == "br":
            self._break()
        elif tag in _BLOCKS:
            self._break()
            if tag == "pre":
                self.pre += 1
        elif tag in ("td", "th") and self.line.strip():
            self.line += " | "

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self._break()
        elif tag in _BLOCKS or tag == "li":
            self._break()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.pre:
            pieces = data.split("\n")
            for piece in pieces[:-1]:
                self.line += piece
                self._break()
            self.line += pieces[-1]
        else:
            self.line += re.sub(r"\s+", " ", data)

    def text(self) -> str:
        self._break()
        return "\n".join(self.lines)


def html_to_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return parser.text()


def _field(text: str) -> str:
    """Plain text as one TSV field for Anki's import with HTML on: markup characters escaped,
    each line break a <br>, tabs (the separator) as spaces."""
    escaped = html.escape(text.replace("\t", " "), quote=False)
    return "<br>".join(line.rstrip() for line in escaped.replace("\r", "").split("\n"))


def tsv_text(book: Book) -> str:
    """question<TAB>answer, one line per question, after the two header lines Anki (2.1.55
    and later) reads: the separator, and that fields hold HTML (the <br> line breaks)."""
    filled = _Filled(book)
    lines = ["#separator:tab", "#html:true"]
    for question in book.selection.questions:
        front = plain_text(question.title, filled.company, filled.fallback)
        if question.prompt:
            front += "\n\n" + html_to_text(filled.md(question.prompt))
        if question.key_points:
            back = "\n".join(
                "• " + plain_text(point, filled.company, filled.fallback)
                for point in question.key_points
            )
        elif question.answer:
            back = html_to_text(filled.md(question.answer))
        else:
            back = book.labels.text("cards.no_answer")
        lines.append(f"{_field(front)}\t{_field(back)}")
    return "\n".join(lines) + "\n"
