"""Where a booklet too thick for one staple is cut (guidegen/layout/stitching.py), on made-up
page layouts: every part ends on a multiple of four, no part over the limit."""

from __future__ import annotations

import pytest

from guidegen.layout.stitching import part_sizes, plan_cuts


def spreads(first_page: int, count: int, pages_each: int = 2):
    """(id, number, page) for ``count`` questions, each starting a spread on a left page."""
    return [(f"q{n}", n, first_page + pages_each * (n - 1)) for n in range(1, count + 1)]


def parts_of(starts, pages: int, cuts) -> tuple[int, ...]:
    """The parts' sizes once the cuts' notes pages and opening pages are in."""
    page_of = {qid: page for qid, _, page in starts}
    shift, openings = 0, []
    for qid, stitch in cuts.items():  # in book order: each cut moves the pages after it on
        end = page_of[qid] + shift + stitch.notes_pages - 1
        assert end % 4 == 0, (qid, end)  # the part's back is a left-hand page
        openings.append(end + 1)
        shift += stitch.notes_pages + 1
    total = pages + shift
    return part_sizes(total + (-total) % 4, openings)


def test_a_booklet_that_fits_one_staple_is_not_cut():
    assert plan_cuts(spreads(10, 20), 64, 20, set()) == {}


def test_cuts_fall_before_a_multiple_of_four_and_parts_stay_under_the_limit():
    starts = spreads(10, 80)  # questions on pages 10, 12, ... 168
    cuts = plan_cuts(starts, 180, 80, set())
    assert [stitch.number for stitch in cuts.values()] == [2, 3]  # three parts
    assert {stitch.count for stitch in cuts.values()} == {3}
    assert {stitch.notes_pages for stitch in cuts.values()} == {1}  # no page wasted
    sizes = parts_of(starts, 180, cuts)
    assert max(sizes) <= 64 and all(size % 4 == 0 for size in sizes)
    numbers = [(stitch.first, stitch.last) for stitch in cuts.values()]
    assert numbers[0][0] > 1 and numbers[-1][1] == 80
    assert all(a[1] + 1 == b[0] for a, b in zip(numbers, numbers[1:]))


def test_four_page_questions_two_past_a_multiple_of_four_get_three_notes_pages():
    starts = spreads(18, 20, pages_each=4)  # 18, 22, 26, ...: never a multiple of four
    cuts = plan_cuts(starts, 100, 20, set())
    assert {stitch.notes_pages for stitch in cuts.values()} == {3}
    assert max(parts_of(starts, 100, cuts)) <= 64


def test_a_page_shared_with_a_part_title_or_another_question_is_never_cut_before():
    starts = spreads(10, 40)
    cuts = plan_cuts(starts, 96, 40, {page for _, _, page in starts[:20]})
    assert all(int(qid[1:]) > 20 for qid in cuts)


def test_no_place_to_cut_is_an_error():
    starts = spreads(10, 90)
    with pytest.raises(ValueError, match="no place to cut 200 pages"):
        plan_cuts(starts, 200, 90, {page for _, _, page in starts})
