"""A book laid out in chunks (guidegen/layout/parts.py) and joined is the book one document
would make: same text at the same places on every page, the same bookmarks, destinations and
links, one valid structure tree, one font per face, and the same bytes when built again."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pikepdf
import pytest

from tests.conftest import DATA, guidegen_env, long_pack
from tests.pdfread import Workbook, structure_faults


def glyphs(book: Workbook, number: int) -> list[tuple[str, float, float]]:
    return [(c.text, round(c.x0, 2), round(c.top, 2)) for c in book.chars(number)]


@pytest.mark.parametrize(
    "fixtures, pages",
    [
        # One-page questions, and spreads cut inside a chunk.
        (("practice_workbook", "whole_practice_workbook"), 118),
        # Spreads cut where a chunk starts, and a part continued after 40 questions.
        (("long_part_workbook", "whole_long_part_workbook"), 114),
    ],
    ids=["practice", "long-part"],
)
def test_the_chunked_book_is_the_one_document_book(fixtures, pages, request):
    chunked, whole = (request.getfixturevalue(name) for name in fixtures)
    assert chunked.page_count == whole.page_count == pages
    for number in range(1, chunked.page_count + 1):
        assert glyphs(chunked, number) == glyphs(whole, number), number
        assert chunked.links(number) == whole.links(number), number
    assert chunked.outline() == whole.outline()
    assert chunked.named_pages == whole.named_pages


def test_the_default_book_is_laid_out_in_chunks():
    from guidegen.book.chunks import cut_size, plan
    from guidegen.book.model import prepare
    from guidegen.content.load import load_bank
    from guidegen.spec import WorkbookSpec

    book = prepare(load_bank(WorkbookSpec().content), WorkbookSpec())
    chunks = plan(book)
    assert chunks[0].sections == ("cover", "how-to", "contents")
    # The body in chunks of about 8 questions, each but the first on a left-hand page (its
    # first question's spread), where a run of questions is cut for layout only. The first
    # opens with the study plan, on a right-hand page: its side is known before the front's
    # length, so it starts at once.
    assert cut_size(book) == 8
    assert chunks[1].sections[0] == "study-plan" and chunks[1].forced_side == "right"
    sizes = [sum(len(p.questions) for p in chunk.pieces) for chunk in chunks[1:]]
    assert len(chunks) >= 8 and all(size <= 12 for size in sizes), sizes
    assert all(chunk.forced_side == "left" for chunk in chunks[2:])
    assert any(piece.cut for chunk in chunks for piece in chunk.pieces)
    assert chunks[-1].sections[-1] == "back-cover"  # never a chunk of its own
    # Every question in exactly one chunk, in print order.
    ordered = [q.id for chunk in chunks for p in chunk.pieces for q in p.questions]
    assert ordered == [q.id for q in book.selection.questions]


def test_a_tailored_book_lays_its_job_advert_out_with_the_front():
    """The advert prints the pages of its questions: it is laid out when they are known."""
    from guidegen.book.chunks import plan
    from guidegen.book.model import prepare
    from guidegen.content.load import load_bank
    from guidegen.posting import read_posting
    from guidegen.spec import WorkbookSpec

    spec = WorkbookSpec(posting=read_posting(DATA / "posting" / "devops-advert.md"))
    front = plan(prepare(load_bank(spec.content), spec))[0]
    assert front.sections == ("cover", "how-to", "contents", "study-plan", "job-advert")


@pytest.mark.parametrize("fixture", ["default_workbook", "fillable_workbook", "long_part_workbook"])
def test_one_valid_structure_tree(fixture, request):
    book = request.getfixturevalue(fixture)
    assert structure_faults(book.path) == []


def test_the_combined_workshop_file_keeps_its_tags(workshop):
    out, _ = workshop
    assert structure_faults(out / "_combined.pdf") == []
    with pikepdf.open(out / "_combined.pdf") as pdf:
        assert pdf.Root.MarkInfo.Marked and str(pdf.Root.Lang) == "en"


def test_one_font_per_face_and_no_bigger_than_one_document(
    practice_workbook, whole_practice_workbook
):
    with pikepdf.open(practice_workbook.path) as pdf:
        faces = Counter(
            str(font.BaseFont)
            for font in {
                f.objgen: f for page in pdf.pages for f in page.Resources.Font.values()
            }.values()
        )
    assert faces and max(faces.values()) == 1, faces
    size = practice_workbook.path.stat().st_size
    assert size <= 1.1 * whole_practice_workbook.path.stat().st_size


def test_fields_of_every_chunk_are_in_the_form(fillable_workbook):
    fields = fillable_workbook.fields()
    # Notes fields of questions in the first and in the last body chunk, and the cover's.
    names = set(fields)
    assert {"cover/name", "notes/page-1"} <= names
    assert any(name.endswith("/notes") for name in names)
    with pikepdf.open(fillable_workbook.path) as pdf:
        widgets = [
            annot
            for page in pdf.pages
            for annot in page.obj.get("/Annots", [])
            if annot.get("/Subtype") == "/Widget"
        ]
        assert len(widgets) == len(pdf.Root.AcroForm.Fields)


def test_a_part_longer_than_40_questions_continues_on_a_new_spread(long_part_workbook):
    book = long_part_workbook
    outline = book.outline()
    start = next(i for i, (level, title, _) in enumerate(outline) if title == "General questions")
    general = [page for level, _, page in outline[start + 1 : start + 48] if level == 2]
    assert len(general) == 47
    fortieth, forty_first = general[39], general[40]
    # A new left-hand page: in the study edition every question is a spread.
    assert forty_first % 2 == 0 and forty_first > fortieth
    # The running head of the facing page still names the part.
    facing = forty_first + 1
    assert book.raw_text(facing).rstrip().endswith(f"General questions\u2003\u2003{facing}")
    # Folios carry on across the chunks.
    for number in range(3, book.page_count):
        text = book.raw_text(number)
        if number % 2 and "Notes" not in text[:6]:
            assert text.rstrip().endswith(str(number)), number


@pytest.mark.slow
def test_a_chunked_build_is_the_same_file_twice(long_part_workbook, tmp_path):
    """Four chunks, the last started early on its forced side: the same bytes again."""
    out = tmp_path / "again.pdf"
    pack = long_pack(long_part_workbook.path.parent)  # the pack the session book was built from
    subprocess.run(
        [sys.executable, "-m", "guidegen", "build", "--content", str(pack), "--out", str(out)],
        check=True,
        capture_output=True,
        env=guidegen_env(),
        cwd=tmp_path,
    )
    assert out.read_bytes() == long_part_workbook.path.read_bytes()


def test_which_chunk_a_free_worker_starts():
    """Small chunks: the heaviest whose side is known, a worker kept for the first while its
    side is unknown, and only the first once four processes hold chunks. Big chunks (a big
    bank): in page order, so that each is numbered as soon as it is paginated."""
    from guidegen.book.chunks import Chunk
    from guidegen.layout.parts import _next_chunk, small_chunks

    def chunks(weights: list[int], questions: int, first_side: str | None) -> list[Chunk]:
        made = [Chunk(0, ("cover",), front=True, forced_side="right")]
        for index, weight in enumerate(weights, start=1):
            ids = frozenset(f"q{index}-{n}" for n in range(questions))
            side = first_side if index == 1 else "left"
            made.append(Chunk(index, ("parts",), (), side, False, weight, ids))
        return made

    class Sides:
        def __init__(self, made: list[Chunk]) -> None:
            self.made = made

        def side(self, index: int) -> str | None:
            return self.made[index].forced_side

    small = chunks([20, 50, 30, 60, 10], questions=6, first_side=None)
    assert small_chunks(small)
    unstarted = [1, 2, 3, 4, 5]
    assert _next_chunk(small, unstarted, Sides(small), 0, 0, 2, True) == 4  # the heaviest known
    assert _next_chunk(small, unstarted, Sides(small), 1, 1, 2, True) is None  # kept for chunk 1
    small[1] = Chunk(1, ("parts",), (), "left", False, 20, small[1].question_ids)
    assert _next_chunk(small, unstarted, Sides(small), 1, 3, 2, True) == 4
    assert _next_chunk(small, unstarted, Sides(small), 1, 4, 2, True) == 1  # four hold chunks
    big = chunks([20, 50, 30, 60, 10], questions=40, first_side="left")
    assert not small_chunks(big)
    assert _next_chunk(big, [2, 3, 4, 5], Sides(big), 0, 0, 2, False) == 2  # page order


def test_a_serial_layout_imports_weasyprint_without_searching_for_libraries():
    """A batch worker lays its book out alone, and its first WeasyPrint import is the layout
    hook's: it must skip the 20-odd ctypes library searches (gcc, ldconfig) that take 0.3-1 s."""
    probe = (
        "import ctypes.util\n"
        "searched = []\n"
        "ctypes.util.find_library = lambda name: searched.append(name)\n"
        "from guidegen.layout.parts import _paginated_hook\n"
        "with _paginated_hook(lambda pages: 0):\n"
        "    import weasyprint\n"
        "print(searched)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout
