"""The spread rule's reading of laid-out pages (guidegen/layout/spreads.py)."""

from __future__ import annotations

from guidegen.layout.spreads import too_long


def test_notes_on_the_same_page_or_the_facing_one_are_seen_at_once():
    # Page indexes from 0; the first page is a right-hand page.
    anchors = {"q-a": 1, "notes-a": 1, "q-b": 3, "notes-b": 4, "q-c": 4, "notes-c": 5}
    assert too_long(["a", "b", "c"], anchors, first_is_left=False) == {"c"}
    # The same pages in a chunk that starts on a left-hand page: b's title is on a
    # right-hand page, c's on a left-hand one.
    assert too_long(["a", "b", "c"], anchors, first_is_left=True) == {"b"}


def test_notes_two_pages_on_are_a_page_turn_and_questions_without_notes_are_skipped():
    anchors = {"q-a": 1, "notes-a": 3, "q-b": 5}
    assert too_long(["a", "b", "missing"], anchors, first_is_left=False) == {"a"}
