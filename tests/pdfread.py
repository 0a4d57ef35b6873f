"""Reading a produced PDF the way a reader checks it: text, pages, links, drawn shapes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pdfplumber
from pypdf import PdfReader

MM = 72 / 25.4  # PDF points per millimetre


def normalise(text: str) -> str:
    """Text as extracted, with hyphenation, ligatures, curly quotes and white space folded."""
    text = text.replace("\u00ad", "").replace("ﬁ", "fi").replace("ﬂ", "fl")
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"-\n", "", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class TocEntry:
    text: str
    printed_page: int
    target_page: int  # 1-based page the link jumps to


class Workbook:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.reader = PdfReader(str(path))
        self.plumber = pdfplumber.open(str(path))

    def close(self):
        self.plumber.close()

    @cached_property
    def page_texts(self) -> list[str]:
        return [normalise(page.extract_text() or "") for page in self.plumber.pages]

    def pages_containing(self, text: str) -> list[int]:
        wanted = normalise(text)
        return [n for n, page in enumerate(self.page_texts, start=1) if wanted in page]

    @property
    def page_count(self) -> int:
        return len(self.reader.pages)

    def page_size_mm(self, number: int = 1) -> tuple[float, float]:
        box = self.reader.pages[number - 1].mediabox
        return float(box.width) / MM, float(box.height) / MM

    @cached_property
    def named_pages(self) -> dict[str, int]:
        pages = {}
        for name, dest in self.reader.named_destinations.items():
            pages[str(name)] = self.reader.get_destination_page_number(dest) + 1
        return pages

    def toc_entries(self, contents_pages: list[int]) -> list[TocEntry]:
        """Each link on the contents pages: the text printed in its box and where it points."""
        entries = []
        for number in contents_pages:
            page = self.plumber.pages[number - 1]
            # A wrapped entry is one link with a box per line: join the boxes of each target.
            boxes: dict[str, list[float]] = {}
            for annot in page.annots:
                dest = annot["data"].get("Dest")
                if dest is None:
                    continue
                name = dest.decode() if isinstance(dest, bytes) else str(dest)
                box = [annot["x0"], annot["top"], annot["x1"], annot["bottom"]]
                if name in boxes:
                    old = boxes[name]
                    box = [min(old[0], box[0]), min(old[1], box[1]),
                           max(old[2], box[2]), max(old[3], box[3])]
                boxes[name] = box
            for name, box in boxes.items():
                text = normalise(page.crop(box).extract_text() or "")
                match = re.search(r"^(.*?)[ .]*(\d+)$", text)
                assert match, f"no page number printed in contents entry {text!r}"
                entries.append(TocEntry(match.group(1).rstrip(". "), int(match.group(2)),
                                        self.named_pages[name]))
        return entries

    def outline(self) -> list[tuple[int, str, int]]:
        """Bookmarks as (level, title, 1-based page)."""
        flat = []

        def walk(items, level):
            for item in items:
                if isinstance(item, list):
                    walk(item, level + 1)
                else:
                    page = self.reader.get_destination_page_number(item) + 1
                    flat.append((level, item.title, page))

        walk(self.reader.outline, 1)
        return flat

    def filled_rects(self, number: int, colour: tuple[float, ...]):
        page = self.plumber.pages[number - 1]
        return [r for r in page.rects
                if r.get("fill") and _close(r.get("non_stroking_color"), colour)]

    def checkboxes(self, number: int, size_mm: float = 3.6) -> int:
        """Drawn squares of the checkbox size (outline boxes are drawn as a pair of paths)."""
        page = self.plumber.pages[number - 1]
        size = size_mm * MM
        spots = {(round(r["x0"]), round(r["top"])) for r in page.rects
                 if abs(r["width"] - size) < 0.5 and abs(r["height"] - size) < 0.5}
        return len(spots)

    def rule_tops(self, number: int, colour: tuple[float, ...], min_width_mm: float = 60):
        """The top (in mm from the page top) of every box drawn with a writing rule.

        WeasyPrint draws a bottom border as the box outline filled even-odd with the box less
        its border, so each rule shows up as two same-top rectangles in the rule colour.
        """
        tops = set()
        for rect in self.filled_rects(number, colour):
            if rect["width"] >= min_width_mm * MM:
                tops.add(round(rect["top"] / MM, 1))
        return sorted(tops)


def _close(value, colour) -> bool:
    if value is None:
        return False
    if not isinstance(value, (tuple, list)):
        value = (value,)
    if len(value) == 1 and len(colour) == 3:
        value = value * 3
    return len(value) == len(colour) and all(abs(a - b) < 0.01 for a, b in zip(value, colour))

