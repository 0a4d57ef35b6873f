"""Themes: a folder whose templates, stylesheets, labels and fonts take the place of the
built-in ones by name, read back from the PDF; and the confinement that keeps a theme inside."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import DATA, run_cli
from tests.pdfread import Workbook

TINY = DATA / "tiny"


def make_theme(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    return root


def build_with(tmp_path: Path, theme: Path, *options: str) -> tuple[object, Workbook | None]:
    out = tmp_path / "themed.pdf"
    result = run_cli("build", "--content", TINY, "--theme", theme, "--out", out, *options)
    return result, (Workbook(out) if result.exit_code == 0 else None)


def part_page(book: Workbook, title: str) -> int:
    return next(page for level, name, page in book.outline() if level == 1 and name == title)


def test_a_ten_line_theme_changes_a_colour_variable(tmp_path):
    theme = make_theme(
        tmp_path / "red",
        {
            "styles/theme.css": (
                "/* A house colour for the workshop. */\n:root { --accent: #8b0000; }\n"
            )
        },
    )
    result, book = build_with(tmp_path, theme)
    assert result.exit_code == 0, result.stderr
    title_page = part_page(book, "General questions")
    colours = {c.colour for c in book.chars(title_page) if c.size >= 20}
    book.close()
    assert colours == {(0x8B / 255, 0.0, 0.0)}


def test_a_theme_overrides_one_block_and_keeps_the_rest(tmp_path):
    theme = make_theme(
        tmp_path / "cohort",
        {
            "templates/sections/cover.html": (
                '{% extends "builtin:sections/cover.html" %}\n'
                '{% block cover_summary %}<p class="cover-contents">Printed for the Leeds cohort, '
                "{{ role.title }}</p>{% endblock %}\n"
            )
        },
    )
    result, book = build_with(tmp_path, theme)
    assert result.exit_code == 0, result.stderr
    cover = book.page_texts[0]
    book.close()
    assert "Printed for the Leeds cohort, Tiny Role" in cover
    assert "All 3 questions" not in cover
    assert "Tiny Role Interview Workbook" in cover and "NAME" in cover  # the rest is built-in


def _tiny_font(family: str, advance: int = 500) -> bytes:
    """A real TrueType font with a square glyph for every printable ASCII character."""
    import io

    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    names = [".notdef", "space"] + [f"c{code}" for code in range(33, 127)]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({32: "space", **{code: f"c{code}" for code in range(33, 127)}})
    glyphs = {}
    for name in names:
        pen = TTGlyphPen(None)
        if name not in ("space",):
            pen.moveTo((50, 0))
            pen.lineTo((50, 600))
            pen.lineTo((450, 600))
            pen.lineTo((450, 0))
            pen.closePath()
        glyphs[name] = pen.glyph()
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: (advance, 50) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()


def _house_font_theme(root: Path) -> Path:
    """A theme whose headings are set in its own font file, fonts/house.ttf."""
    return make_theme(
        root,
        {
            "fonts/house.ttf": _tiny_font("GuidegenHouse"),
            "styles/theme.css": (
                '@font-face { font-family: "GuidegenHouse"; '
                'src: url("../fonts/house.ttf"); }\n'
                ':root { --heading-font: "GuidegenHouse"; }\n'
            ),
        },
    )


def test_a_theme_ships_its_own_font(tmp_path):
    theme = _house_font_theme(tmp_path / "font")
    result, book = build_with(tmp_path, theme)
    assert result.exit_code == 0, result.stderr
    fonts = {c.font for c in book.chars(1) if c.text.isalpha() and c.size >= 20}
    book.close()
    assert fonts and all(font.startswith("GuidegenHouse") for font in fonts), fonts
    assert "refused" not in result.stderr


def test_a_font_file_changed_between_two_builds_is_read_again(tmp_path):
    """A build parses its stylesheets once, for every chunk (layout/session.py); the next build
    in the same process (the preview, the web page) reads a replaced font file afresh."""
    theme = _house_font_theme(tmp_path / "font")

    def heading_advance() -> float:
        """How far apart the cover title's letters are at the least, in ems of their size."""
        result, book = build_with(tmp_path, theme)
        assert result.exit_code == 0, result.stderr
        title = [c for c in book.chars(1) if c.font.startswith("GuidegenHouse")]
        book.close()
        assert len(title) > 4
        return min(
            round((b.origin[0] - a.origin[0]) / a.size, 2)
            for a, b in zip(title, title[1:])
            if a.top == b.top and b.origin[0] > a.origin[0]
        )

    assert heading_advance() == 0.5
    (theme / "fonts" / "house.ttf").write_bytes(_tiny_font("GuidegenHouse", advance=700))
    assert heading_advance() == 0.7


def test_a_theme_cannot_reach_outside_its_folder(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG not really")
    theme = make_theme(
        tmp_path / "sneaky",
        {
            "styles/theme.css": (
                '.cover { background: url("../images/leak.png"); }\n'
                '.part-title { background: url("file:///etc/passwd"); }\n'
            )
        },
    )
    (theme / "images").mkdir()
    (theme / "images" / "leak.png").symlink_to(secret)
    result, book = build_with(tmp_path, theme)
    assert result.exit_code == 0, result.stderr
    book.close()
    refused = result.stderr
    assert "images/leak.png (outside the content, theme, templates and styles folders)" in refused
    assert "refused reference /etc/passwd (outside" in refused  # a path, not a file:// URL


def test_a_theme_template_linked_outside_is_refused(tmp_path):
    outside = tmp_path / "outside.html"
    outside.write_text("<p>{{ 7 * 6 }}</p>", encoding="utf-8")
    theme = tmp_path / "linked"
    (theme / "templates" / "sections").mkdir(parents=True)
    (theme / "templates" / "sections" / "cover.html").symlink_to(outside)
    result, _ = build_with(tmp_path, theme)
    assert result.exit_code == 1
    assert "link to a file outside the theme folder" in result.stderr


def test_a_missing_theme_folder_is_a_usage_error(tmp_path):
    result, _ = build_with(tmp_path, tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "--theme" in result.stderr and "no such folder" in result.stderr


@pytest.mark.parametrize(
    "body, line, message",
    [
        (
            '{% extends "builtin:sections/cover.html" %}\n\n{% block cover_title %}\n{{ oops( }}\n'
            "{% endblock %}\n",
            4,
            "template syntax error",
        ),
        (
            '{% extends "builtin:sections/cover.html" %}\n{% block cover_titel %}x{% endblock %}\n',
            2,
            "block 'cover_titel' is not in builtin:sections/cover.html",
        ),
    ],
)
def test_theme_template_errors_name_the_file_and_line(tmp_path, body, line, message):
    theme = make_theme(tmp_path / "broken", {"templates/sections/cover.html": body})
    result, _ = build_with(tmp_path, theme)
    assert result.exit_code == 1, result.stderr
    first = result.stderr.splitlines()[0]
    assert f"templates/sections/cover.html:{line}:" in first and message in first, first
    assert "Traceback" not in result.stderr


def test_a_content_pack_names_its_theme(tiny_pack, tmp_path):
    make_theme(tiny_pack / "theme", {"styles/theme.css": ":root { --accent: #004d00; }\n"})
    workbook = tiny_pack / "workbook.yaml"
    workbook.write_text(workbook.read_text(encoding="utf-8") + "theme: theme\n", encoding="utf-8")
    out = tmp_path / "pack.pdf"
    result = run_cli("build", "--content", tiny_pack, "--out", out)
    assert result.exit_code == 0, result.stderr
    book = Workbook(out)
    page = part_page(book, "General questions")
    assert {c.colour for c in book.chars(page) if c.size >= 20} == {(0.0, 0x4D / 255, 0.0)}
    book.close()
    os.remove(out)
