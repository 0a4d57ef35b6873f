"""The spread rule, checked on the laid-out pages: a question and all of its writing room are
visible at once, on one page or on a left-hand page and the right-hand page facing it.

Each question is laid out so that this holds when its text is of a usual length
(styles/question.css): on one page, kept together, or as a spread. A question whose text is
too long for that (a long sample answer with code, a long answer key) is found here, from the
pages its title and its writing room landed on, and the book is laid out again with it marked
long: it then starts on a left-hand page and its notes follow where its text ends, on the
facing page. Whether a question is too long does not depend on where it starts (it is kept
together, or starts a spread), so one more layout is enough.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

MAX_LAYOUTS = 3  # the first, the one with the long questions marked, and one to spare


def too_long(
    question_ids: Iterable[str], anchors: Mapping[str, int], first_is_left: bool
) -> frozenset[str]:
    """The questions whose writing room is a page turn away from their title. ``anchors``
    maps element ids to 0-based page indexes; ``first_is_left`` is the side of index 0."""

    def is_left(index: int) -> bool:
        return (index % 2 == 0) == first_is_left

    found = set()
    for question_id in question_ids:
        title = anchors.get(f"q-{question_id}")
        notes = anchors.get(f"notes-{question_id}")
        if title is None or notes is None:
            continue
        if notes == title or (is_left(title) and notes == title + 1):
            continue
        found.add(question_id)
    return frozenset(found)
