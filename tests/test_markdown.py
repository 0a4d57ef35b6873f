"""Markdown that real banks bring, read back from the PDF: code kept character for character,
raw HTML dropped (and reported), long tokens inside the column, markup in titles rendered in
headings and plain in bookmarks. The pack is tests/data/markdown."""

from __future__ import annotations

import pikepdf
import pytest

from tests.conftest import DATA, run_cli
from tests.layout_checks import overflow_faults
from tests.pdfread import normalise

PACK = DATA / "markdown"


def page_with(book, text: str) -> int:
    """The last page printing ``text`` that is not a notes page: for a title, its question
    page (the contents and the study plan list it first, its notes page repeats it)."""
    pages = [
        number
        for number in book.pages_containing(text)
        if not book.raw_text(number).startswith("MY NOTES")
    ]
    assert pages, f"{text!r} is not printed"
    return pages[-1]


def page_uris(book, number: int) -> list[str]:
    annots = book.pdf.pages[number - 1].obj.get("/Annots", [])
    return [str(a.A.URI) for a in annots if "/A" in a and "/URI" in a.A]


def lines(book, number: int) -> list[str]:
    return book.raw_text(number).split("\r\n")


def test_raw_html_is_dropped_and_the_tip_still_prints(markdown_workbook):
    number = page_with(markdown_workbook, "Why would a pod restart over and over?")
    text = normalise(markdown_workbook.raw_text(number))
    # A <style> in an answer hid every tip box; now it is dropped and the box prints (on the
    # facing notes page, above the lines).
    facing = normalise(markdown_workbook.raw_text(number + 1))
    assert facing.startswith("MY NOTES 4. Why would a pod restart over and over? MAKE IT YOURS")
    assert "This box must still print" in facing
    assert "display:none" not in text and "alert(1)" not in text
    # The span lost its handler, not its text.
    assert "A span with a handler keeps its text." in text
    with pikepdf.open(markdown_workbook.path) as pdf:
        # An <input> in content made form fields in a plain workbook.
        assert "/AcroForm" not in pdf.Root
        assert not any(
            "/Annots" in page.obj and any(a.get("/Subtype") == "/Widget" for a in page.obj.Annots)
            for page in pdf.pages
        )


def test_angle_brackets_and_double_hyphens_print_as_typed(markdown_workbook):
    number = page_with(markdown_workbook, "Why would a pod restart over and over?")
    text = markdown_workbook.raw_text(number).replace("\r\n", " ")
    # Outside code and inside it: the "tag" is text, and --previous is not an en dash.
    assert text.count("kubectl logs <pod-name> --previous") == 2


def test_code_is_kept_line_for_line_and_character_for_character(markdown_workbook):
    number = page_with(markdown_workbook, "Print two fields of every item with JSONPath.")
    printed = lines(markdown_workbook, number)
    for line in (
        "# a comment line, not a heading",
        "items:",
        "- x",
        "- y",
        "# count the lines that mention ERROR",
        "awk '/ERROR/ {count++} END {print count}' app.log",
        'grep -c -- "--flag" notes.txt',
    ):
        assert line in printed, f"code line {line!r} is not a line of its own"
    joined = " ".join(printed)
    assert "jsonpath='{.items[*].a}{.items[*].b}'" in joined  # no italics, no curly quotes
    # Typography outside code only; a backslash escape prints the braces.
    assert "check \u201cquotes\u201d \u2013 spaced dashes." in joined
    assert "Outside code, {word} prints with its braces." in joined
    mono = [c for c in markdown_workbook.chars(number) if "Mono" in c.font]
    assert "".join(c.text for c in mono).count("awk") == 1


def test_code_comments_and_answer_headings_are_not_bookmarks(markdown_workbook):
    titles = [title for _, title, _ in markdown_workbook.outline()]
    assert not [t for t in titles if "comment" in t or "ERROR" in t or "How to say it" in t]
    # The answer's own heading prints as a run-in heading kept with its text.
    number = page_with(markdown_workbook, "How to say it")
    assert "How to say it\r\nKeep it short." in markdown_workbook.raw_text(number)


def test_titles_render_markup_and_bookmarks_get_plain_text(markdown_workbook):
    title = "What does ls print for <f>? Explain -la."
    number = page_with(markdown_workbook, title)
    assert title in lines(markdown_workbook, number)
    heading = [c for c in markdown_workbook.chars(number) if c.size > 12]
    code = "".join(c.text for c in heading if "Mono" in c.font)
    assert code == "-la"  # the backticks became code in the heading
    titles = [t for _, t, _ in markdown_workbook.outline()]
    assert title in titles
    assert not [t for t in titles if "**" in t or "&lt;" in t or "<br>" in t]
    contents = markdown_workbook.pages_containing("Contents")[0]
    assert "What does ls print for <f>? Explain -la." in normalise(
        markdown_workbook.raw_text(contents)
    )


def test_long_tokens_wrap_inside_the_column_without_added_hyphens(markdown_workbook):
    number = page_with(markdown_workbook, "Show a custom column list.")
    # PDFium reports a hyphen at a line end as U+FFFE; joining the lines gives back the
    # token exactly when no hyphen was added and no character was lost.
    joined = markdown_workbook.raw_text(number).replace("\ufffe", "-").replace("\r\n", "")
    assert (
        "custom-columns=NAME:.metadata.name,NODE:.spec.nodeName,STATUS:.status.phase,"
        "RESTARTS:.status.containerStatuses[0].restartCount,IMAGE:.spec.containers[0].image"
    ) in joined
    assert (
        "https://kubernetes.io/docs/reference/kubectl/generated/kubectl_get/"
        "some-very-long-path-segment-that-goes-on-and-on/index.html"
    ) in joined
    assert overflow_faults(markdown_workbook, "a4") == []


def test_tables_and_two_space_nested_lists(markdown_workbook):
    number = page_with(markdown_workbook, "Compare two rollout strategies.")
    printed = lines(markdown_workbook, number)
    assert "Blue-green Double capacity" in [normalise(line) for line in printed]
    chars = markdown_workbook.chars(number)

    def left_of(word: str) -> float:
        text = "".join(c.text for c in chars)
        return chars[text.index(word)].x0

    assert left_of("Inner item") > left_of("Outer item") + 5  # nested, not a sibling


def test_validate_warns_of_each_dropped_construct_and_strict_fails():
    result = run_cli("validate", "--content", PACK)
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if "raw HTML" in line]
    assert [row.split()[0].rsplit(":", 2)[1] for row in rows] == ["7", "8", "8", "9"]
    assert ["<style>" in rows[0], "<input>" in rows[1], "<script>" in rows[2]] == [True] * 3
    assert "onclick attribute of <span>" in rows[3]
    assert "4 warnings" in result.stderr
    strict = run_cli("validate", "--strict", "--content", PACK)
    assert strict.exit_code == 1
    assert "4 problems found." in strict.stderr


@pytest.mark.parametrize(
    "answer",
    [
        "Run `awk '{print $1}' access.log` to print the first field.",
        "```\nawk '{print}' file\n```",
        "A literal \\{word} in prose.",
    ],
)
def test_braces_in_code_or_escaped_are_not_placeholders(tiny_pack, answer):
    path = tiny_pack / "questions" / "tiny.yaml"
    text = path.read_text(encoding="utf-8")
    block = "\n".join("      " + line for line in answer.splitlines())
    text = text.replace(
        "      Name the build server you used.\n",
        "      Name the build server you used.\n" + block + "\n",
        1,
    )
    path.write_text(text, encoding="utf-8")
    result = run_cli("validate", "--content", tiny_pack)
    assert result.exit_code == 0, result.output


def test_unknown_placeholder_is_reported_at_its_own_line(tiny_pack):
    path = tiny_pack / "questions" / "tiny.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "      Name the build server you used.\n"
    text = text.replace(marker, marker + "      A second line.\n      Ask {compnay} about it.\n", 1)
    path.write_text(text, encoding="utf-8")
    expected = text.splitlines().index("      Ask {compnay} about it.") + 1
    result = run_cli("validate", "--content", tiny_pack)
    assert result.exit_code == 1
    row = next(line for line in result.stdout.splitlines() if "unknown placeholder" in line)
    assert row.split()[0].endswith(f"tiny.yaml:{expected}:11")
    assert "\\{word}" in row  # the message says how to write a literal


def test_a_link_prints_its_target_and_still_clicks(markdown_workbook):
    number = page_with(markdown_workbook, "Where is the reference for Services?")
    text = normalise(markdown_workbook.raw_text(number)).replace("/ ", "/")  # a line break
    assert (
        "Read the Service page (kubernetes.io/docs/concepts/services-networking/service) "
        "or mail the team (platform@example.com)."
    ) in text
    targets = page_uris(markdown_workbook, number)
    assert "https://kubernetes.io/docs/concepts/services-networking/service/" in targets
    assert "mailto:platform@example.com" in targets
    # A bare address is its own target: printed once.
    long_page = page_with(markdown_workbook, "Show a custom column list.")
    assert "(kubernetes.io/docs" not in markdown_workbook.raw_text(long_page)


def test_an_image_on_the_web_prints_as_a_link_not_an_empty_answer(markdown_workbook):
    number = page_with(markdown_workbook, "What does the rollout look like?")
    text = normalise(markdown_workbook.raw_text(number))
    assert "SAMPLE ANSWER [rollout diagram] (example.com/diagrams/rollout.png)" in text
    targets = page_uris(markdown_workbook, number)
    assert "https://example.com/diagrams/rollout.png?v=2" in targets
