"""A booklet too thick for one saddle stitch, cut into stitched parts.

Folded sheets of 80 g/m² paper close flat under one staple up to about 16 sheets (64 pages);
past that the fold springs open and the inner pages creep out. A longer booklet is printed as
parts of at most ``MAX_STITCHED_PAGES`` pages, each folded and stapled on its own.

A part must start on a right-hand page (its front) and end on a left-hand one (its back), and
every left/right pair inside it faces as in the book, so the spread rule holds in every part.
A cut is made before a question: notes pages fill the pages from where it started up to the
next page whose number is a multiple of four (a left-hand page, the part's back), the page after
that (a right-hand page, the next part's front) says which part it is, and the question moves
on to the left-hand page after it. One notes page where the question started on a multiple of
four, three where it started two pages after one; the fewer the better. Page numbers run on
through the parts, so the contents stay true.
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
    notes_pages: int = 1  # the notes pages that end the part before it


def plan_cuts(
    starts: list[tuple[str, int, int]],
    pages: int,
    question_count: int,
    shared_pages: set[int],
    limit: int = MAX_STITCHED_PAGES,
) -> dict[str, Stitch]:
    """Where to cut a booklet of ``pages`` pages: {question id: the part it opens}.

    ``starts`` is (question id, number, page) for each question as laid out without cuts;
    ``shared_pages`` the pages a question shares with something a cut must not part it from:
    the title of a part of questions, or another question. {} if the booklet fits one
    stitch; ValueError if no cut fits."""
    if pages <= limit:
        return {}
    first_count = math.ceil(pages / limit)
    for count in range(first_count, first_count + 3):
        cuts = _cuts(starts, pages, count, shared_pages, limit)
        if cuts is not None:
            numbers = [number for _, number, _ in cuts] + [question_count + 1]
            return {
                qid: Stitch(index + 2, count, number, numbers[index + 1] - 1, notes)
                for index, (qid, number, notes) in enumerate(cuts)
            }
    raise ValueError(f"no place to cut {pages} pages into parts of at most {limit}")


def _cuts(
    starts: list[tuple[str, int, int]], pages: int, count: int, shared_pages: set[int], limit: int
) -> tuple[tuple[str, int, int], ...] | None:
    """(question id, number, notes pages) of the cuts for ``count`` parts, or None: the longest
    part as short as it can be, then the fewest notes pages added, then the most even parts.

    Each cut moves the pages after it on, which changes what the next cuts cost, so the cuts
    are searched depth first, the eight nearest an even share at each step."""
    target = (pages + 3 * (count - 1)) / count
    best: tuple[tuple[int, int, int], tuple[tuple[str, int, int], ...]] | None = None

    def search(
        cuts: tuple[tuple[str, int, int], ...], sizes: tuple[int, ...], start: int, shift: int
    ) -> None:
        nonlocal best
        if len(cuts) == count - 1:
            remaining = pages + shift - start + 1
            # The last part is padded to a multiple of four pages with notes pages.
            last = remaining + (-remaining) % 4
            if last <= limit:
                every = (*sizes, last)
                score = (max(every), shift, max(every) - min(every))
                if best is None or score < best[0]:
                    best = (score, cuts)
            return
        candidates = []
        for qid, number, page in starts:
            moved = page + shift  # where the question starts now
            notes = (-moved) % 4 + 1  # notes pages from there to a multiple of four
            end = moved + notes - 1  # this part's last page
            if page not in shared_pages and start + 4 <= end < start + limit:
                candidates.append((abs(end - (start + target - 1)), notes, qid, number, end))
        for _, notes, qid, number, end in sorted(candidates)[:8]:
            search(
                (*cuts, (qid, number, notes)),
                (*sizes, end - start + 1),
                end + 2,
                shift + notes + 1,
            )

    search((), (), 1, 0)
    return None if best is None else best[1]


def part_sizes(pages: int, openings: list[int]) -> tuple[int, ...]:
    """Each stitched part's page count, from the pages the parts after the first open on."""
    bounds = [1, *openings, pages + 1]
    return tuple(b - a for a, b in zip(bounds, bounds[1:]))
