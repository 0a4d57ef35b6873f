"""The print-design rules, checked on a produced PDF. Used by tests/test_print_design.py on the
books the suite builds, and by `make layout-matrix` on every role × edition × paper.

Each check returns a list of faults (empty when the rule holds), so a failure lists them all.
"""

from __future__ import annotations

import re
import statistics

from guidegen.spec import PAPERS
from tests.pdfread import MM, Workbook, normalise

STAR_LABELS = ("Situation", "Task", "Action", "Result")
NOTES_HEADINGS = ("MY NOTES", "INTERVIEWER NOTES")


def column(book: Workbook, number: int, paper: str) -> tuple[float, float, float, float]:
    """The text column of a page (points from the top-left): mirrored margins, wide outside."""
    spec = PAPERS[paper]
    width, height = (side * MM for side in book.page_size_mm(number))
    left = spec.inner if number % 2 else spec.outer
    right = spec.outer if number % 2 else spec.inner
    return left * MM, spec.top * MM, width - right * MM, height - spec.bottom * MM


def column_text(book: Workbook, number: int, paper: str) -> str:
    return normalise(book.text_in(number, column(book, number, paper)))


def question_numbers(book: Workbook) -> dict[int, int]:
    """Question number -> the page its title is on."""
    found = {}
    for number, text in enumerate(book.page_texts, start=1):
        for match in re.finditer(r"QUESTION (\d+) ", text):
            found.setdefault(int(match.group(1)), number)
    return found


def star_faults(book: Workbook, paper: str) -> list[str]:
    """Each STAR block on one page, with all four steps, on the page facing its question."""
    faults = []
    titles = question_numbers(book)
    for number, text in enumerate(book.page_texts, start=1):
        for match in re.finditer(r"MY STORY (\d+)\. ", text):
            question = int(match.group(1))
            labels = [
                label
                for label in STAR_LABELS
                if re.search(rf"\b{label} \d", column_text(book, number, paper))
            ]
            if labels != list(STAR_LABELS):
                faults.append(f"page {number}: STAR for question {question} has {labels}")
            title_page = titles.get(question)
            if title_page is None or title_page % 2 or number != title_page + 1:
                faults.append(
                    f"question {question} on page {title_page}, its STAR page on "
                    f"{number}: not the facing right-hand page"
                )
    for label in STAR_LABELS:
        pages = [
            n
            for n, text in enumerate(book.page_texts, start=1)
            if re.search(rf"^{label} \d–\d sentences", column_text(book, n, paper))
        ]
        for n in pages:
            faults.append(f"page {n}: a STAR step ({label}) starts a page on its own")
    return faults


def notes_pages(book: Workbook) -> dict[int, tuple[int, int]]:
    """Question number -> (the page its title is on, the page its notes heading is on), for
    every question with notes: a notes heading belongs to the question printed last before it."""
    found: dict[int, tuple[int, int]] = {}
    current = None
    for number, text in enumerate(book.page_texts, start=1):
        events = [(m.start(), int(m.group(1))) for m in re.finditer(r"QUESTION (\d+) ", text)]
        events += [(m.start(), 0) for h in NOTES_HEADINGS for m in re.finditer(h, text)]
        for _, question in sorted(events):
            if question:
                current = (question, number)
            elif current is not None:
                found[current[0]] = (current[1], number)
    return found


def writing_faults(book: Workbook, paper: str) -> list[str]:
    """The spread rule: every question's notes are on its title's page, or its title is on a
    left-hand page and its notes on the right-hand page facing it."""
    return [
        f"question {question}: title on page {title}, notes on page {notes}"
        for question, (title, notes) in notes_pages(book).items()
        if not (notes == title or (title % 2 == 0 and notes == title + 1))
    ]


def blank_pages(book: Workbook) -> list[int]:
    return [
        n
        for n in range(1, book.page_count + 1)
        if not book.raw_text(n).strip() and not book.shapes(n)
    ]


def measure(book: Workbook, body_size: float = 10.5) -> tuple[float, int]:
    """Median characters in a full line of running text (body serif), and the lines counted."""
    lengths = []
    for number in range(1, book.page_count + 1):
        rows: dict[float, list] = {}
        for char in book.chars(number):
            if "Serif" in char.font and abs(char.size - body_size) < 0.05:
                rows.setdefault(round(char.origin[1], 1), []).append(char)
        for row in rows.values():
            row.sort(key=lambda c: c.x0)
            lengths.append((row[-1].x1 - row[0].x0, len(row)))
    if not lengths:
        return 0, 0
    widest = max(width for width, _ in lengths)
    full = [count for width, count in lengths if width > 0.93 * widest]
    return statistics.median(full), len(full)


def folio_faults(book: Workbook, paper: str) -> list[str]:
    """The folio at the outer edge of the text column: right on rectos, left on versos; none
    on the cover, on blank pages and on the back cover."""
    faults = []
    last = book.page_count
    for number in range(1, last + 1):
        x0, top, x1, _ = column(book, number, paper)
        head = [c for c in book.chars(number) if c.bottom < top]
        digits = [c for c in head if c.text.isdigit()]
        if number in (1, last) or not book.raw_text(number).strip():
            if head:
                faults.append(f"page {number}: a running head where there should be none")
            continue
        if not digits:
            faults.append(f"page {number}: no folio")
            continue
        folio = "".join(c.text for c in sorted(digits, key=lambda c: c.x0))
        edge = max(c.x1 for c in digits) if number % 2 else min(c.x0 for c in digits)
        outer = x1 if number % 2 else x0
        if folio != str(number) or abs(edge - outer) > 1.5:
            faults.append(
                f"page {number}: folio {folio!r} at {edge:.1f} pt, the outer edge "
                f"is at {outer:.1f} pt"
            )
    return faults


def overflow_faults(book: Workbook, paper: str) -> list[str]:
    """No character and no drawn rule outside the text column (the running heads above it)."""
    faults = []
    for number in range(2, book.page_count):
        x0, top, x1, bottom = column(book, number, paper)
        for char in book.chars(number):
            if char.bottom < top or not char.text.strip():
                continue  # the running head, or white space
            if char.x0 < x0 - 1 or char.x1 > x1 + 1 or char.bottom > bottom + 1:
                faults.append(
                    f"page {number}: {char.text!r} at {char.x0:.1f}-{char.x1:.1f}, "
                    f"{char.bottom:.1f} pt outside the column"
                )
                break
        for shape in book.shapes(number):
            if shape.x0 < x0 - 1 or shape.x1 > x1 + 1 or shape.bottom > bottom + 1:
                faults.append(
                    f"page {number}: a drawing at {shape.x0:.1f}-{shape.x1:.1f} pt "
                    "outside the column"
                )
                break
    return faults


def all_faults(book: Workbook, paper: str) -> dict[str, list[str]]:
    return {
        "star": star_faults(book, paper),
        "writing": writing_faults(book, paper),
        "folio": folio_faults(book, paper),
        "overflow": overflow_faults(book, paper),
        "blank": [f"page {n} is blank" for n in blank_pages(book) if n != 2],
    }


def part_pages(book: Workbook, titles: tuple[str, ...]) -> list[int]:
    """The pages of the parts with these titles (from the bookmarks)."""
    starts = sorted((page, title) for level, title, page in book.outline() if level == 1)
    return [
        n
        for (page, title), (end, _) in zip(starts, starts[1:] + [(book.page_count + 1, "")])
        if title in titles
        for n in range(page, end)
    ]


def empty_foot(book: Workbook, number: int, paper: str) -> float:
    """Millimetres left empty between the last thing printed in the column and its foot."""
    x0, top, x1, bottom = column(book, number, paper)
    lowest = top
    for thing in list(book.chars(number)) + list(book.shapes(number)):
        if thing.top >= top - 1 and thing.bottom <= bottom + 1 and thing.x0 < x1 and thing.x1 > x0:
            lowest = max(lowest, thing.bottom)
    return (bottom - lowest) / MM
