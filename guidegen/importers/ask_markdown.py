"""Shape 1: a Markdown list of questions to ask the interviewer, under headings.

    # Questions to ask the interviewer
    ## Culture
    - How are decisions made when people disagree? — Tells you who really decides.
    - What happens after an outage?
      - Listen for "blameless" and for what changed afterwards.

Each heading names a group (its id is the heading's slug); each top-level bullet or numbered
item under it is a question. A note is taken only where the source has one: the text after
"? — ", "? – ", "? - " or "?: " on the item's line, and the item's indented sub-items or
indented text (joined by spaces). A group none of whose items has a '?' (a list of links, a
"how to use this list" section) is skipped and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import cast

from guidegen.importers.markdown_lines import (
    Line,
    heading,
    indent_of,
    is_blank,
    list_item,
    read_lines,
)
from guidegen.importers.records import (
    OUTSIDE,
    ImportedAskGroup,
    ImportedAskItem,
    SourceRecords,
)
from guidegen.importers.text import (
    QUESTION_MARK_CLASS,
    clean_title,
    counted,
    ends_with_question_mark,
    has_question_mark,
)


def finished(text: str) -> bool:
    """Does a line end a sentence (so an indented line under it is a note, not more of it)?"""
    return ends_with_question_mark(text) or text.rstrip(" *_)\"'”」』）").endswith(
        (".", "!", ":", "。", "！", "：", "۔")
    )


_SAME_LINE_NOTE = re.compile(
    rf"^(.*?{QUESTION_MARK_CLASS})(?:[ \t]*:[ \t]+|[ \t]*：[ \t]*|[ \t]+(?:—|–|--|-)[ \t]+)(\S.*)$"
)


def parse(text: str) -> SourceRecords:
    """A whole file read as an ask list (its first '#' heading is the page title)."""
    records = SourceRecords("ask-md")
    lines = read_lines(text, records)
    outer = None
    first = next((i for i, line in enumerate(lines) if heading(line)), None)
    # lines[first] is a heading: that is how first was found.
    if first is not None and cast("tuple[int, str]", heading(lines[first]))[0] == 1:
        level, title = cast("tuple[int, str]", heading(lines[first]))
        records.title = title or records.title
        outer = (lines[first].number, title)
        ignored_before = [line for line in lines[:first] if not is_blank(line)]
        for line in ignored_before:
            records.ignore(OUTSIDE, line.number)
        lines = lines[first + 1 :]
    elif records.title:
        outer = (1, records.title)
    read_groups(lines, records, outer)
    if not records.ask_groups:
        records.nothing_because = (
            "no list of questions under a heading (an ask list is '- What ...?' items under "
            "'## Group' headings)"
        )
    return records


@dataclass
class _Item:
    line: int
    content_indent: int
    text: list[str]
    note: list[str] = field(default_factory=list)
    blank_after: bool = False


@dataclass
class _Group:
    line: int | None
    title: str | None
    items: list[ImportedAskItem] = field(default_factory=list)
    empty_items: list[int] = field(default_factory=list)
    first_item_line: int | None = None


def read_groups(lines: list[Line], records: SourceRecords, outer: tuple[int, str] | None) -> None:
    """Groups from ``lines``: each heading starts one; items before any heading belong to
    ``outer`` (the page title, or the heading of an ask section inside a questions page)."""
    group = _Group(*outer) if outer else _Group(None, None)
    item: _Item | None = None

    def finish_item() -> None:
        nonlocal item
        if item is None:
            return
        question = " ".join(part for part in item.text if part).strip()
        note = " ".join(item.note).strip() or None
        same_line = _SAME_LINE_NOTE.match(question)
        if same_line:
            question = same_line.group(1).strip()
            note = " ".join(filter(None, [same_line.group(2).strip(), note]))
        if group.first_item_line is None:
            group.first_item_line = item.line
        if question:
            group.items.append(ImportedAskItem(item.line, question, note))
        else:
            group.empty_items.append(item.line)
        item = None

    def finish_group() -> None:
        finish_item()
        for number in group.empty_items:
            records.skip(number, "list item with no question text")
        if not group.items:
            return
        where = group.line if group.line is not None else group.first_item_line
        assert where is not None  # finish_item sets first_item_line before adding an item
        if group.title is None:
            records.skip(
                group.first_item_line,
                f"{counted(len(group.items), 'list item')} before the first heading skipped: "
                "an ask list takes its groups from the headings above the questions",
            )
        elif not any(has_question_mark(entry.question) for entry in group.items):
            records.skip(
                where,
                f"group '{group.title}' skipped: no item in it has a '?', so it is not a "
                f"list of questions ({counted(len(group.items), 'item')})",
            )
        else:
            records.ask_groups.append(ImportedAskGroup(where, group.title, list(group.items)))

    for line in lines:
        found = heading(line)
        if found:
            finish_group()
            title = clean_title(found[1]).rstrip(":").strip()
            group = _Group(line.number, title or None)
            continue
        entry = None if line.code else list_item(line)
        if entry and (item is None or entry.indent < item.content_indent):
            finish_item()
            item = _Item(line.number, entry.content_indent, [entry.text])
            continue
        if item is not None and not line.code:
            if is_blank(line):
                item.blank_after = True
                continue
            if entry:  # a sub-item: part of the note
                item.note.append(entry.text)
                continue
            if not item.blank_after and not item.note and not finished(item.text[-1]):
                item.text.append(line.text.strip())  # the question's sentence runs on
                continue
            if indent_of(line.text) >= item.content_indent:
                item.note.append(line.text.strip())
                continue
            if not item.blank_after:  # a lazy continuation of the line above
                (item.note or item.text).append(line.text.strip())
                continue
        finish_item()
        if not is_blank(line):
            records.ignore(OUTSIDE, line.number)
    finish_group()
