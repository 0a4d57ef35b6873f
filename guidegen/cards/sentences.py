"""Markdown cut short for a flashcard: split into sentences, put back together a prefix at a
time, so a shortened answer always ends at the end of a sentence (or, for one sentence too long
for any card, at the end of a word), never inside code, a link or a bold phrase.

A unit is one sentence of a paragraph or a list item, or a whole block that must not be split
(fenced code, a table, a heading). ``markdown_of(units[:k])`` is valid Markdown for every k:
paragraphs stay paragraphs and list items keep their markers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from guidegen.content.markup import code_regions

_MARKER = re.compile(r"^\s*([-*+]|\d+[.)])\s+")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_WHOLE = re.compile(r"^\s{0,3}(#{1,6}\s|\||>)")  # a heading, a table row, a quotation
# After ., ! or ? (and any closing quote, bracket or emphasis), white space, then what can open
# a sentence: a capital or a digit, possibly behind an opening quote, bracket or emphasis.
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”’)\]*_]*(\s+)(?=[\"“‘(\[*_`]*[A-Z0-9À-ÖØ-Þ])")
# Words whose full stop does not end a sentence.
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "cf", "approx", "incl", "z.B", "d.h", "bzw", "p.ej"}


@dataclass(frozen=True)
class Unit:
    block: int  # which paragraph, list or code block of the answer
    item: int | None  # which item of a list; None outside lists
    marker: str  # the list item's marker ("- ", "1. "), else ""
    text: str  # one sentence, or a whole block that is never split
    whole: bool = False  # a code block, table, heading or quotation: kept line by line


def _balanced(text: str) -> bool:
    """Whether a cut after ``text`` closes every code span and emphasis it opened."""
    if text.count("`") % 2:
        return False
    if text.count("**") % 2:
        return False
    if text.replace("**", "").count("*") % 2:
        return False
    return text.count("[") == text.count("]") and text.count("(") >= text.count(")")


def split_sentences(text: str) -> list[str]:
    """A paragraph's text (one line) as its sentences."""
    code = code_regions(text)
    sentences, start = [], 0
    for match in _BOUNDARY.finditer(text):
        cut = match.start(1)
        if any(a <= cut < b for a, b in code):
            continue
        head = text[start:cut]
        last_word = re.sub(r"[\"'”’)\]*_.!?…]+$", "", head.rsplit(" ", 1)[-1])
        if last_word in _ABBREVIATIONS or len(last_word) == 1:
            continue
        if not _balanced(text[start:cut]):
            continue
        sentences.append(head.strip())
        start = match.end(1)
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _blocks(markdown: str) -> list[tuple[str, list[Any]]]:
    """("para", [lines]) | ("list", [(marker, [lines]), ...]) | ("whole", [lines])."""
    lines = markdown.strip("\n").splitlines()
    blocks: list[tuple[str, list[Any]]] = []  # lines, or (marker, lines) items: by the kind
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        fence = _FENCE.match(line)
        if fence:
            end = index + 1
            while end < len(lines) and not lines[end].strip().startswith(fence.group(1)):
                end += 1
            blocks.append(("whole", lines[index : end + 1]))
            index = end + 1
            continue
        if _WHOLE.match(line):
            end = index
            while end < len(lines) and lines[end].strip():
                end += 1
            blocks.append(("whole", lines[index:end]))
            index = end
            continue
        if _MARKER.match(line):
            items: list[tuple[str, list[str]]] = []
            while index < len(lines):
                line = lines[index]
                marker = _MARKER.match(line)
                if marker:
                    items.append((marker.group(1) + " ", [line[marker.end() :].strip()]))
                elif line.strip() and (line[0].isspace() or lines[index - 1].strip()):
                    items[-1][1].append(line.strip())  # a continuation of the item
                elif not line.strip():
                    following = lines[index + 1] if index + 1 < len(lines) else ""
                    if not (
                        following.strip() and (following[0].isspace() or _MARKER.match(following))
                    ):
                        break
                else:
                    break
                index += 1
            blocks.append(("list", items))
            continue
        end = index
        while end < len(lines) and lines[end].strip() and not _FENCE.match(lines[end]):
            end += 1
        blocks.append(("para", lines[index:end]))
        index = end
    return blocks


def units(markdown: str) -> list[Unit]:
    """The answer's sentences and unsplittable blocks, in order."""
    found: list[Unit] = []
    for number, (kind, content) in enumerate(_blocks(markdown)):
        if kind == "whole":
            found.append(Unit(number, None, "", "\n".join(content), whole=True))
        elif kind == "para":
            for sentence in split_sentences(" ".join(line.strip() for line in content)):
                found.append(Unit(number, None, "", sentence))
        else:
            for item, (marker, item_lines) in enumerate(content):
                for sentence in split_sentences(" ".join(item_lines)):
                    found.append(Unit(number, item, marker, sentence))
    return found


def markdown_of(chosen: list[Unit]) -> str:
    """Markdown for these units (a prefix of ``units(...)``), blocks and items as they were."""
    blocks: list[str] = []
    previous: Unit | None = None
    for unit in chosen:
        if previous is not None and unit.block == previous.block and unit.item == previous.item:
            blocks[-1] += " " + unit.text  # the next sentence of the same paragraph or item
        elif previous is not None and unit.block == previous.block:
            blocks[-1] += "\n" + unit.marker + unit.text  # the next item of the same list
        else:
            blocks.append(unit.marker + unit.text)
        previous = unit
    return "\n\n".join(blocks)


def plain_length(unit: Unit) -> int:
    """About how many characters a unit prints (its Markdown marks left out)."""
    return len(re.sub(r"[*`]", "", unit.text)) + len(unit.marker)


_RUN_IN = re.compile(r"^\*\*[^*]+\*\*$")


def cut_points(all_units: list[Unit]) -> list[int]:
    """How many units a cut may keep, fewest first: never ending on a run-in heading alone
    ("**Layer 1.**") or on a line that introduces what follows ("three models:")."""
    points = [
        count
        for count in range(1, len(all_units))
        if not _RUN_IN.match(all_units[count - 1].text)
        and not all_units[count - 1].text.rstrip("*").endswith(":")
    ]
    return [*points, len(all_units)] if all_units else []


def within(all_units: list[Unit], cuts: list[int], budget: int) -> int:
    """The longest cut that prints in at most ``budget`` characters, or else the shortest."""
    best = cuts[0] if cuts else 0
    total = 0
    lengths = [plain_length(unit) for unit in all_units]
    for count in cuts:
        total = sum(lengths[:count])
        if total <= budget:
            best = max(best, count)
    return best


def word_cuts(unit: Unit) -> list[Unit]:
    """The unit cut after each of its words, longest first, each ending in an ellipsis: for a
    sentence too long for a card even at its smallest text size."""
    if unit.whole:
        return []
    words = unit.text.split(" ")
    cuts = []
    for count in range(len(words) - 1, 0, -1):
        head = " ".join(words[:count]).rstrip(",;:")
        if _balanced(head):
            cuts.append(Unit(unit.block, unit.item, unit.marker, head + " …"))
    return cuts
