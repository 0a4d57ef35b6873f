"""The PDF stage: the confined URL fetcher and atomic writes."""

from __future__ import annotations

import base64

import pytest
from pypdf import PdfReader

from guidegen import build as build_module
from guidegen.errors import RenderError
from tests.conftest import run_cli
from tests.test_cli import edit

SECRET = "guidegen-secret-4f9c2a"
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def embedded_files(path) -> list[str]:
    """Names of files embedded anywhere: the document's list and file-attachment annotations."""
    reader = PdfReader(path)
    found = []
    names = reader.trailer["/Root"].get("/Names", {})
    if "/EmbeddedFiles" in names:
        tree = names["/EmbeddedFiles"].get_object()["/Names"]
        found += [str(tree[i]) for i in range(0, len(tree), 2)]
    for page in reader.pages:
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/FileAttachment":
                spec = annot["/FS"].get_object()
                found.append(str(spec.get("/UF") or spec.get("/F")))
    return found


def distinct_images(path) -> int:
    # WeasyPrint shares one resource dictionary between pages: count images, not listings.
    return len({image.data for page in PdfReader(path).pages for image in page.images})


@pytest.fixture
def hostile_content(content_copy, tmp_path):
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    (outside / "secret.png").write_bytes(PIXEL)
    (content_copy / "notes.txt").write_text("allowed attachment inside content", encoding="utf-8")
    (content_copy / "inside.png").write_bytes(PIXEL)
    hostile = (
        f"![passwd](file:///etc/passwd) ![escape](../private/secret.png) ![ok](inside.png)\n\n"
        f'<a rel="attachment" href="file://{outside}/secret.txt">a</a>\n'
        f'<a rel="attachment" href="../private/secret.txt">b</a>\n'
        f'<a rel="attachment" href="notes.txt">c</a>\n'
        f'<link rel="stylesheet" href="http://127.0.0.1:9/evil.css">\n'
        f'<img src="https://example.invalid/track.png">\n'
    )
    path = content_copy / "questions" / "general.yaml"
    edit(path, "    tip: |\n", "    tip: |\n      " + hostile.replace("\n", "\n      ") + "\n")
    return content_copy


def test_hostile_references_are_refused_and_reported(hostile_content, tmp_path):
    out = tmp_path / "hostile.pdf"
    result = run_cli("build", "--content", hostile_content, "--out", out)
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
    assert "file:///etc/passwd" in text
    assert "private/secret.png" in text and "private/secret.txt" in text
    assert "http://127.0.0.1:9/evil.css" in text and "https://example.invalid/track.png" in text
    assert "outside the content, templates and styles folders" in text


def test_failed_build_leaves_the_earlier_pdf_intact(tmp_path, monkeypatch):
    out = tmp_path / "book.pdf"
    out.write_bytes(b"%PDF-earlier")

    def explode(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "pdf_bytes", explode)
    result = run_cli("build", "--out", out)  # Click turns the interrupt into "Aborted!"
    assert result.exit_code == 1
    assert out.read_bytes() == b"%PDF-earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["book.pdf"], "temporary file left behind"


def test_interrupted_write_leaves_no_partial_file(tmp_path):
    from guidegen.pdf import write_atomically

    out = tmp_path / "book.pdf"
    out.write_bytes(b"old")

    def half_then_fail(stream):
        stream.write(b"%PDF-half")
        raise OSError("disk full")

    with pytest.raises(RenderError, match="disk full"):
        write_atomically(out, half_then_fail)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["book.pdf"]
