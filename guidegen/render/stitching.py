"""A booklet too thick for one saddle stitch, cut into stitched parts.

Folded sheets of 80 g/m² paper close flat under one staple up to about 16 sheets (64 pages);
past that the fold springs open and the inner pages creep out. A longer booklet is printed as
parts of at most ``MAX_STITCHED_PAGES`` pages, each folded and stapled on its own.

A part must start on a right-hand page (its front) and end on a left-hand one (its back), and
every left/right pair inside it faces as in the book, so the spread rule holds in every part.
The cut is made before a question that starts on a left-hand page whose number is a multiple of
four: that page becomes a notes page ending the part, the next (a right-hand page, the next
part's front) says which part it is, and the question moves two pages on to the left-hand page
after it. Page numbers run on through the parts, so the contents stay true.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_STITCHED_PAGES = 64


@dataclass(frozen=True)
class Stitch:
    """The stitched part that opens before a question: which it is, and its questions."""

    number: int
    count: int
    first: int  # question numbers printed on its opening page
    last: int


def plan_cuts(
    starts: list[tuple[str, int, int]],
    pages: int,
    question_count: int,
    part_pages: set[int],
    limit: int = MAX_STITCHED_PAGES,
) -> dict[str, Stitch]:
    """Where to cut a booklet of ``pages`` pages: {question id: the part it opens}.

    ``starts`` is (question id, number, page) for each question as laid out without cuts;
    ``part_pages`` the pages where a part of questions opens (its title stays with its first
    question). {} if the booklet fits one stitch; ValueError if no cut fits."""
    if pages <= limit:
        return {}
    first_count = math.ceil(pages / limit)
    for count in range(first_count, first_count + 3):
        cuts = _cuts(starts, pages, count, part_pages, limit)
        if cuts is not None:
            numbers = [number for _, number, _ in cuts] + [question_count + 1]
            return {
                qid: Stitch(index + 2, count, number, numbers[index + 1] - 1)
                for index, (qid, number, _) in enumerate(cuts)
            }
    raise ValueError(f"no place to cut {pages} pages into parts of at most {limit}")


def _cuts(starts, pages: int, count: int, part_pages: set[int], limit: int):
    """The questions to cut before for ``count`` parts, the longest part as short as it can
    be (then the parts as even as they can be), or None.

    Each cut moves the pages after it two on, which changes where the next cuts can go, so
    every way of cutting is tried (a few thousand for five parts)."""
    best: tuple | None = None

    def search(cuts: tuple, sizes: tuple, start: int, shift: int) -> None:
        nonlocal best
        if len(cuts) == count - 1:
            remaining = pages + shift - start + 1
            # The last part is padded to a multiple of four pages with notes pages.
            last = remaining + (-remaining) % 4
            if last <= limit:
                every = (*sizes, last)
                score = (max(every), max(every) - min(every))
                if best is None or score < best[0]:
                    best = (score, cuts)
            return
        for qid, number, page in starts:
            end = page + shift  # where this part's closing notes page would go
            if end % 4 == 0 and page not in part_pages and start + 4 <= end < start + limit:
                search((*cuts, (qid, number, end)), (*sizes, end - start + 1), end + 1, shift + 2)

    search((), (), 1, 0)
    return None if best is None else best[1]


def part_sizes(pages: int, openings: list[int]) -> tuple[int, ...]:
    """Each stitched part's page count, from the pages the parts after the first open on."""
    bounds = [1, *openings, pages + 1]
    return tuple(b - a for a, b in zip(bounds, bounds[1:]))
