"""Where a booklet too thick for one staple is cut (guidegen/render/stitching.py), on made-up
page layouts: every cut's notes page on a multiple of four, no part over the limit."""

from __future__ import annotations

import pytest

from guidegen.render.stitching import part_sizes, plan_cuts


def spreads(first_page: int, count: int, pages_each: int = 2):
    """(id, number, page) for ``count`` questions, each starting a spread on a left page."""
    return [(f"q{n}", n, first_page + pages_each * (n - 1)) for n in range(1, count + 1)]


def test_a_booklet_that_fits_one_staple_is_not_cut():
    assert plan_cuts(spreads(10, 20), 64, 20, set()) == {}


def test_cuts_fall_on_multiples_of_four_and_parts_stay_under_the_limit():
    starts = spreads(10, 80)  # questions on pages 10, 12, ... 168
    pages = 180
    cuts = plan_cuts(starts, pages, 80, set())
    assert [stitch.number for stitch in cuts.values()] == [2, 3]  # 184 pages: three parts
    assert {stitch.count for stitch in cuts.values()} == {3}
    page_of = {qid: page for qid, _, page in starts}
    shift, openings = 0, []
    for qid in cuts:  # in book order: each cut moves the pages after it two on
        notes_page = page_of[qid] + shift
        assert notes_page % 4 == 0
        openings.append(notes_page + 1)
        shift += 2
    total = pages + shift
    sizes = part_sizes(total + (-total) % 4, openings)
    assert max(sizes) <= 64 and all(size % 4 == 0 for size in sizes)
    numbers = [(stitch.first, stitch.last) for stitch in cuts.values()]
    assert numbers[-1][1] == 80
    assert all(a[1] + 1 == b[0] for a, b in zip(numbers, numbers[1:]))


def test_a_part_title_page_is_never_cut_before():
    starts = spreads(10, 40)
    cuts = plan_cuts(starts, 96, 40, part_pages={page for _, _, page in starts[:20]})
    assert all(int(qid[1:]) > 20 for qid in cuts)


def test_no_place_to_cut_is_an_error():
    # One question on every page from 4 to 200 except where a cut could go.
    starts = [(f"q{n}", n, page) for n, page in enumerate(range(5, 200, 4), start=1)]
    with pytest.raises(ValueError, match="no place to cut 200 pages"):
        plan_cuts(starts, 200, len(starts), set())
