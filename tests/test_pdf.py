"""The PDF stage: the confined URL fetcher and atomic writes."""

from __future__ import annotations

import base64
import os

import pikepdf
import pytest

from guidegen.errors import OutputError
from tests.conftest import run_cli
from tests.test_cli import edit

SECRET = "guidegen-secret-4f9c2a"
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def embedded_files(path) -> list[str]:
    """Names of files embedded anywhere: the document's list and file-attachment annotations."""
    with pikepdf.open(path) as pdf:
        found = list(pdf.attachments)
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") == "/FileAttachment":
                    spec = annot.FS
                    found.append(str(spec.get("/UF") or spec.get("/F")))
    return found


def distinct_images(path) -> int:
    # WeasyPrint shares one resource dictionary between pages: count images, not listings.
    with pikepdf.open(path) as pdf:
        return len(
            {
                bytes(image.read_raw_bytes())
                for page in pdf.pages
                for image in page.get_images().values()
            }
        )


def uris(path) -> set[str]:
    with pikepdf.open(path) as pdf:
        return {
            str(annot.A.URI)
            for page in pdf.pages
            for annot in page.obj.get("/Annots", [])
            if "/A" in annot and "/URI" in annot.A
        }


@pytest.fixture
def hostile_content(tiny_pack, tmp_path):
    """Content whose Markdown reaches for files and hosts, and a theme (trusted HTML, confined
    files) whose template attaches files inside and outside the folders it may read."""
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    (outside / "secret.png").write_bytes(PIXEL)
    (tiny_pack / "notes.txt").write_text("allowed attachment inside content", encoding="utf-8")
    (tiny_pack / "inside.png").write_bytes(PIXEL)
    # A hard link inside the folder to a file outside it: the same bytes under a second name.
    os.link(outside / "secret.txt", tiny_pack / "linked.txt")
    hostile = (
        "![passwd](file:///etc/passwd) ![escape](../private/secret.png) ![ok](inside.png)\n\n"
        "![track](https://example.invalid/track.png)\n\n"
        f'<a rel="attachment" href="file://{outside}/secret.txt">raw a</a>\n'
        '<link rel="stylesheet" href="http://127.0.0.1:9/evil.css">\n'
    )
    path = tiny_pack / "questions" / "tiny.yaml"
    edit(path, "    tip: |\n", "    tip: |\n      " + hostile.replace("\n", "\n      ") + "\n")
    theme = tmp_path / "theme" / "templates" / "sections"
    theme.mkdir(parents=True)
    (theme / "how_to.html").write_text(
        '{% extends "builtin:sections/how_to.html" %}{% block how_to_text %}{{ super() }}'
        f'<a rel="attachment" href="file://{outside}/secret.txt">a</a>'
        '<a rel="attachment" href="../private/secret.txt">b</a>'
        '<a rel="attachment" href="notes.txt">c</a>'
        '<a rel="attachment" href="linked.txt">d</a>'
        '<link rel="stylesheet" href="http://127.0.0.1:9/evil.css">{% endblock %}',
        encoding="utf-8",
    )
    return tiny_pack


def test_hostile_references_are_refused_and_reported(hostile_content, tmp_path):
    out = tmp_path / "hostile.pdf"
    result = run_cli(
        "build", "--content", hostile_content, "--theme", tmp_path / "theme", "--out", out
    )
    assert result.exit_code == 0, result.stderr
    data = out.read_bytes()
    assert SECRET.encode() not in data
    assert b"root:x:0:0" not in data
    files = embedded_files(out)
    # The attachment inside the content folder is embedded: proof that the check can see one.
    assert list(files) == ["notes.txt"]
    assert distinct_images(out) == 1  # inside.png only
    refused = [line for line in result.stderr.splitlines() if line.startswith("warning: refused")]
    text = "\n".join(refused)
    assert "/etc/passwd (outside the content" in text  # a path, not a file:// URL
    assert "private/secret.png" in text and "private/secret.txt" in text
    assert "http://127.0.0.1:9/evil.css" in text
    # An image on the web is never fetched, not even tried: it prints as a link to itself.
    assert "track.png" not in text
    assert "https://example.invalid/track.png" in uris(out)
    assert "outside the content, theme, templates and styles folders" in text
    assert "linked.txt (a file with more than one hard link)" in text
    # The raw HTML in the content never reached the fetcher: it is named where it was written.
    assert "raw HTML <a>" not in result.stderr  # links are Markdown's own; the rel is dropped
    assert "<link> is raw HTML that will not print" in result.stderr


def test_interrupted_write_leaves_no_partial_file(tmp_path, monkeypatch):
    from guidegen.output import write_atomically

    out = tmp_path / "book.pdf"
    out.write_bytes(b"old")

    def fail_after_writing(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", fail_after_writing)
    with pytest.raises(OutputError, match="Input/output error"):
        write_atomically(out, b"%PDF-half")
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["book.pdf"]
