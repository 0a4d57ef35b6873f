"""Shape 3: ``<details><summary>Question</summary> answer </details>`` banks.

    ## Git
    <details>
    <summary>What does <code>git fetch</code> do?</summary><br><b>

    It downloads what the remote has, without touching your branch.
    </b></details>

Each ``<details>`` block that starts a line (outside fenced code) is a question. Its summary
is the title: ``<code>`` becomes backticks, a ``<br>`` a space, and other HTML tags are
dropped, while inline Markdown stays. The body, as Markdown, is the answer: the wrapper many
banks put round it (a leading ``<br>``, and ``<b>`` ... ``</b>`` round the whole answer) is
removed, a line holding only ``<p>`` or ``</p>`` becomes a blank line (so the Markdown it
wrapped is read as Markdown), and everything else is kept as written, ``<br>`` included (it
prints as a line break). A block whose body is empty gets no answer. A ``<details>`` inside
an answer (a hint) stays part of that answer. Headings outside the blocks are sections, and
their slugs become tags; the first '#' heading is the page's title.
"""

from __future__ import annotations

import html
import re

from guidegen.content.markup import HTML_ELEMENTS
from guidegen.importers.markdown_lines import Line, heading, is_blank, read_lines
from guidegen.importers.records import OUTSIDE, ImportedQuestion, SourceRecords
from guidegen.importers.text import (
    FENCE,
    clean_block,
    clean_title,
    plain,
    slugify,
    split_answer,
)

_OPEN = re.compile(r"^\s*<details(?:\s[^<>]*)?>", re.I)
_TAG = re.compile(r"<(/?)details(?:\s[^<>]*)?>", re.I)
_SUMMARY = re.compile(r"^\s*<summary(?:\s[^<>]*)?>(.*?)</summary\s*>", re.I | re.S)
_CODE = re.compile(r"<code(?:\s[^<>]*)?>(.*?)</code\s*>", re.I | re.S)
_BREAK = re.compile(r"<br\s*/?>", re.I)
_ANY_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?/?>")
_LEAD = re.compile(r"^\s*(?:<br\s*/?>\s*)*", re.I)
_BOLD_WRAPPER = re.compile(r"^\s*<(b|strong)>(.*)</\1>\s*$", re.I | re.S)
_PARAGRAPH_TAG = re.compile(r"^\s*</?p>\s*$", re.I)


def has_details(lines: list[Line]) -> bool:
    return any(not line.code and _OPEN.match(line.text) for line in lines)


def parse(text: str) -> SourceRecords:
    records = SourceRecords("details")
    lines = read_lines(text, records)
    sections: list[tuple[int, str]] = []
    seen_question = False
    title_index = next((i for i, line in enumerate(lines) if heading(line)), None)
    index = 0
    while index < len(lines):
        line = lines[index]
        found = heading(line)
        if found:
            level, title = found
            if index == title_index and level == 1 and not seen_question:
                records.title = title or records.title
            else:
                sections = [(lvl, tag) for lvl, tag in sections if lvl < level]
                sections.append((level, slugify(clean_title(title))))
            index += 1
            continue
        if not line.code and _OPEN.match(line.text):
            seen_question = True
            index = _read_block(lines, index, records, [t for _, t in sections if t])
            continue
        if not is_blank(line):
            records.ignore(OUTSIDE, line.number)
        index += 1
    if not records.questions:
        records.nothing_because = (
            "no <details> block with a <summary> (each question is "
            "<details><summary>Question</summary> answer </details>)"
        )
    return records


def _read_block(lines: list[Line], start: int, records: SourceRecords, tags: list[str]) -> int:
    """Read the block opening at ``lines[start]``; return the index after its last line."""
    first = lines[start]
    opening = _OPEN.match(first.text)
    assert opening is not None  # the caller found a block opening on this line
    pieces = [first.text[opening.end() :]]
    depth, index, closed = 1, start, False
    while True:
        text = pieces[-1]
        if not lines[index].code:
            for tag in _TAG.finditer(text):
                depth += -1 if tag.group(1) else 1
                if depth == 0:
                    pieces[-1] = text[: tag.start()]
                    closed = True
                    break
        if closed:
            break
        index += 1
        if index >= len(lines):
            break
        pieces.append(lines[index].text)
    inner = "\n".join(pieces)
    summary = _SUMMARY.match(inner)
    if summary is None:
        unclosed = "" if closed else " (and is never closed)"
        records.skip(first.number, f"<details> block without a <summary>{unclosed}: no title")
        return index + 1
    if not closed:
        records.skip(first.number, "<details> is never closed; its answer runs to the file's end")
    title = summary_title(summary.group(1))
    if not title:
        records.skip(first.number, "<details> block with an empty <summary>")
        return index + 1
    prompt, answer = split_answer(answer_text(inner[summary.end() :]))
    records.questions.append(ImportedQuestion(first.number, title, answer, prompt, tags=tags))
    return index + 1


def summary_title(summary: str) -> str:
    """A summary's HTML as an inline Markdown title."""

    def code(match: re.Match) -> str:
        content = html.unescape(re.sub(r"\s+", " ", match.group(1)).strip())
        ticks = "``" if "`" in content else "`"
        pad = " " if ticks == "``" else ""
        return f"{ticks}{pad}{content}{pad}{ticks}"

    text = _CODE.sub(code, summary)
    text = _BREAK.sub(" ", text)
    pieces, last = [], 0
    for match in _ANY_TAG.finditer(text):
        if match.group(1).lower() not in HTML_ELEMENTS or _inside_backticks(text, match.start()):
            continue  # `<pod-name>` is text, and so is anything inside backticks
        pieces.append(text[last : match.start()])
        last = match.end()
    pieces.append(text[last:])
    title = clean_title("".join(pieces))
    return title if plain(title) else ""


def answer_text(body: str) -> str | None:
    """The body of a block as its answer: the common wrapper removed, the rest as written."""
    body = _LEAD.sub("", body, count=1)
    wrapped = _BOLD_WRAPPER.match(body)
    if wrapped and not re.search(r"</?(?:b|strong)>", wrapped.group(2), re.I):
        body = wrapped.group(2)
    # A line holding only <p> or </p> would turn Markdown off for the text it wraps (code
    # spans print their backticks); a blank line separates the paragraph just as well.
    lines, fence = [], False
    for line in body.split("\n"):
        if FENCE.match(line):
            fence = not fence
        lines.append("" if not fence and _PARAGRAPH_TAG.match(line) else line)
    return clean_block(lines, dedent=True)


def _inside_backticks(text: str, position: int) -> bool:
    return text.count("`", 0, position) % 2 == 1
