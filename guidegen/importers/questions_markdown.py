"""Shape 2: a Markdown page of interview questions.

Two layouts, which may be mixed on one page:

- **One heading per question**, the answer under it::

      ## Kubernetes
      ### 12. What is a container?
      A process with its own view of the file system ...

  The question level is the heading level with the most headings that read as questions (a
  '?' at the end, a question number such as "12." or "Q3:", or a first word such as What,
  How, Explain, Describe). Every heading at that level that reads as a question is one; the
  text under it, down to the next heading at that level or above, is its answer (deeper
  headings stay in the answer). Headings above the question level are sections: their slugs
  become the tags of the questions under them. A heading at the question level that does not
  read as a question is reported, with the text under it skipped.
- **A list of questions**: a top-level bullet or numbered item that reads as a question is
  one; text indented under it is its answer. Text that is not indented ends the item, except
  between two consecutively numbered questions ("1. ...?", a paragraph, "2. ...?"), where it
  is the answer of the first (and after the last one, when earlier ones were answered so).

Everywhere: the page's first '#' heading (or its front matter's ``title:``) is its title, not
a question; front matter and MDX lines are skipped and counted; an explicit "**Answer:**"
label splits a question's text into its prompt (before) and answer (after). A section whose
heading names questions to ask the interviewer ("Questions to ask", "Reverse interview") is
read as an ask list (``ask_markdown``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import cast

from guidegen.importers import ask_markdown
from guidegen.importers.markdown_lines import (
    Line,
    ListItem,
    heading,
    indent_of,
    is_blank,
    list_item,
    read_lines,
    remove_indent,
)
from guidegen.importers.records import (
    CONTENTS,
    OUTSIDE,
    ImportedQuestion,
    SourceRecords,
)
from guidegen.importers.text import (
    clean_block,
    clean_title,
    counted,
    ends_with_question_mark,
    looks_like_question,
    names_ask_list,
    plain,
    slugify,
    split_answer,
)


def parse(text: str, ask_sections: bool = True) -> SourceRecords:
    records = SourceRecords("questions-md")
    _Reader(records, read_lines(text, records), ask_sections).read()
    if not records.questions and not records.ask_groups:
        records.nothing_because = (
            "no heading or list item reads as a question (a question ends with '?', is "
            "numbered, or starts with a word such as What, How or Explain)"
        )
    return records


def question_level(headings: list[tuple[int, str]]) -> int | None:
    """The heading level with the most headings that read as questions (the deeper on a tie)."""
    votes = Counter(level for level, text in headings if looks_like_question(text))
    if not votes:
        return None
    return max(votes, key=lambda level: (votes[level], level))


@dataclass
class _Question:
    line: int
    title: str
    tags: list[str]
    body: list[str] = field(default_factory=list)
    item: ListItem | None = None  # for a list question: its marker and indentation
    blank_after: bool = False
    in_code: bool = False  # inside a fenced block that started within the item


@dataclass
class _Orphan:
    """A heading at the question level that does not read as a question."""

    line: int
    title: str
    lines: int = 0
    first: int | None = None
    imported: bool = False


class _Reader:
    def __init__(self, records: SourceRecords, lines: list[Line], ask_sections: bool):
        self.records = records
        self.lines = lines
        self.ask_sections = ask_sections
        found = [(heading(line), index) for index, line in enumerate(lines)]
        self.headings = {index: head for head, index in found if head}
        self.level = question_level(list(self.headings.values()))
        self.sections: list[tuple[int, str]] = []  # (level, tag) of the headings above
        self.question: _Question | None = None
        self.orphan: _Orphan | None = None
        # A numbered question whose item ended, and the unindented text after it, which is
        # its answer if the next item carries the next number.
        self.held: _Question | None = None
        self.held_lines: list[Line] = []
        self.list_answered = False
        title_index = min(self.headings, default=None)
        self.title_index = None
        if title_index is not None:
            level, text = self.headings[title_index]
            if level == 1 and not (level == self.level and looks_like_question(text)):
                self.title_index = title_index
                records.title = text if plain(text) else records.title

    # ---- the walk ----

    def read(self) -> None:
        index = 0
        while index < len(self.lines):
            line = self.lines[index]
            if index in self.headings:
                index = self.on_heading(index)
                continue
            if self.question is not None and self.question.item is None:
                self.question.body.append(line.text)  # a heading question's answer
            elif not self.on_list_line(line):
                self.outside(line)
            index += 1
        self.finish_question()
        self.release_held(at_end=True)
        self.finish_orphan()

    def on_heading(self, index: int) -> int:
        level, text = self.headings[index]
        line = self.lines[index]
        if (
            self.question is not None
            and self.question.item is None
            and self.level is not None
            and level > self.level
        ):
            self.question.body.append(line.text)  # a sub-heading inside an answer
            return index + 1
        self.finish_question()
        self.release_held(at_end=True)
        if index == self.title_index:
            return index + 1
        if self.ask_sections and names_ask_list(text) and not ends_with_question_mark(text):
            return self.read_ask_section(index, level, text)
        if level == self.level and looks_like_question(text):
            self.finish_orphan()
            self.sections = [(lvl, tag) for lvl, tag in self.sections if lvl < level]
            self.question = _Question(line.number, clean_title(text), self.tags())
            return index + 1
        if self.level is None or level <= self.level:
            self.finish_orphan()
        self.sections = [(lvl, tag) for lvl, tag in self.sections if lvl < level]
        self.sections.append((level, slugify(clean_title(text))))
        if level == self.level:
            self.orphan = _Orphan(line.number, clean_title(text))
        return index + 1

    def read_ask_section(self, index: int, level: int, text: str) -> int:
        end = index + 1
        while end < len(self.lines) and not (
            end in self.headings and self.headings[end][0] <= level
        ):
            end += 1
        title = clean_title(text).rstrip(":").strip()
        ask_markdown.read_groups(
            self.lines[index + 1 : end], self.records, (self.lines[index].number, title)
        )
        return end

    def on_list_line(self, line: Line) -> bool:
        """A line seen outside any heading question; True if a list question took it."""
        item = list_item(line)
        current = self.question
        # A heading question takes its own lines (read), so a question here is a list question.
        if item is not None and (
            current is None or item.indent < cast(ListItem, current.item).content_indent
        ):
            if (
                current is None
                and self.held is not None
                and not item.ordered
                and not looks_like_question(item.text)
            ):
                self.held_lines.append(line)  # a bulleted list inside the held answer
                return True
            self.finish_question()
            return self.start_item(line, item)
        if current is None:
            if self.held is not None:
                self.held_lines.append(line)
                return True
            return False
        assert current.item is not None  # a list question (see above)
        if line.code:
            if current.in_code or indent_of(line.text) >= current.item.content_indent:
                current.in_code = True
                current.body.append(remove_indent(line.text, current.item.content_indent))
                return True
        else:
            current.in_code = False
            if is_blank(line):
                current.blank_after = True
                current.body.append("")
                return True
            runs_on = not current.blank_after and not current.body
            if runs_on and not ask_markdown.finished(current.title):
                current.title = f"{current.title} {line.text.strip()}"  # one sentence, two lines
                return True
            if indent_of(line.text) >= current.item.content_indent:
                current.body.append(remove_indent(line.text, current.item.content_indent))
                return True
            if runs_on and not ask_markdown.finished(current.title):
                current.title = f"{current.title} {line.text.strip()}"  # a lazy continuation
                return True
            if runs_on and current.item.ordered:
                # "1. What is X?" and, unindented on the next line, its answer: the answer,
                # not more of the title (a finished question does not run on).
                current.body.append(line.text.strip())
                return True
        # Unindented text ends the item; it may still be the answer of a numbered question.
        self.finish_question()
        if self.held is not None:
            self.held_lines.append(line)
            return True
        return False

    def start_item(self, line: Line, item: ListItem) -> bool:
        if self.held is not None:
            # Only a numbered list question is held (finish_question), so its item has a number.
            assert self.held.item is not None and self.held.item.number is not None
            follows = item.ordered and item.number == self.held.item.number + 1
            self.release_held(attach=follows)
        if not item.text:
            self.records.skip(line.number, "list item with no question text")
            return True
        if _contents_entry(item.text):
            self.records.ignore(CONTENTS, line.number)
            return True
        if not looks_like_question(item.text):
            if self.orphan is not None or _only_a_link(item.text):
                self.outside(line)  # counted with the heading it is under, or a link list
            else:
                self.records.skip(
                    line.number,
                    f"list item '{_short(item.text)}' skipped: it does not read as a question "
                    "(end it with '?', number it, or start it with a word such as What, How "
                    "or Describe)",
                )
            return True
        self.question = _Question(line.number, clean_title(item.text), self.tags(), item=item)
        return True

    # ---- closing questions ----

    def finish_question(self) -> None:
        """Emit the open question; a numbered one is held until the next line shows whether
        the text after it is its answer."""
        question, self.question = self.question, None
        if question is None:
            return
        if question.item is not None and question.item.ordered:
            self.held, self.held_lines = question, []
            return
        self.emit(question)

    def release_held(self, attach: bool = False, at_end: bool = False) -> None:
        held, lines = self.held, self.held_lines
        if held is None:
            return
        self.held, self.held_lines = None, []
        has_text = any(not is_blank(line) for line in lines)
        if at_end and self.list_answered and has_text:
            attach = True
        if attach and has_text:
            held.body.extend(["", *(line.text for line in lines)])
            self.list_answered = True
        else:
            for line in lines:
                self.outside(line)
        self.emit(held)
        if at_end:
            self.list_answered = False

    def emit(self, question: _Question) -> None:
        body = clean_block(question.body)
        follow_ups = _follow_ups(body)
        prompt, answer = split_answer(None if follow_ups else body)
        self.records.questions.append(
            ImportedQuestion(
                line=question.line,
                title=question.title,
                answer=answer,
                prompt=prompt,
                tags=question.tags,
                follow_ups=follow_ups,
            )
        )
        if self.orphan is not None:
            self.orphan.imported = True

    def finish_orphan(self) -> None:
        orphan, self.orphan = self.orphan, None
        if orphan is None or not orphan.lines:
            return
        if orphan.imported:
            assert orphan.first is not None  # outside() sets it with the first line it counts
            self.records.ignore(OUTSIDE, orphan.first, orphan.lines)
            return
        self.records.skip(
            orphan.line,
            f"heading '{orphan.title}' is at the level of the question headings but does "
            f"not read as a question; the {counted(orphan.lines, 'line')} under it skipped",
        )

    # ---- helpers ----

    def outside(self, line: Line) -> None:
        if is_blank(line):
            return
        if self.orphan is not None:
            self.orphan.lines += 1
            self.orphan.first = self.orphan.first or line.number
            return
        self.records.ignore(OUTSIDE, line.number)

    def tags(self) -> list[str]:
        return list(dict.fromkeys(tag for _, tag in self.sections if tag))


def _follow_ups(body: str | None) -> list[str]:
    """The questions of a body that is nothing but a list of questions (a follow-up or two
    nested under the question): follow-ups, not a sample answer. Else none."""
    if body is None:
        return []
    items = []
    for number, text in enumerate(body.split("\n"), start=1):
        if not text.strip():
            continue
        item = list_item(Line(number, text, False))
        if item is None or item.indent or not ends_with_question_mark(item.text):
            return []
        items.append(clean_title(item.text))
    return items


def _only_a_link(text: str) -> bool:
    return re.fullmatch(r"\s*!?\[[^\]]*\]\([^)]*\)\s*", text) is not None


def _short(text: str, limit: int = 50) -> str:
    text = plain(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _contents_entry(text: str) -> bool:
    """A table-of-contents line: nothing but a link to a place on the same page."""
    stripped = text.strip()
    return stripped.startswith("[") and "](#" in stripped and stripped.endswith(")")
