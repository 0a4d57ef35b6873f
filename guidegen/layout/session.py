"""Stage 4: lay out HTML with WeasyPrint and turn the laid-out document into PDF bytes.

The confined URL fetcher every render goes through, the layout session, the tagging fixes
(running heads as artifacts, text straight in its structure element) and the missing-glyph
log. Writing the file is ``output.py``'s (atomically, never through a link). WeasyPrint
(about 0.4 s to import) is imported only inside functions, here and in the other layout
modules (``parts``, ``pages``, ``join``, ``forms``), so commands that merely read content
never load it (tests/test_cli.py checks).
"""

from __future__ import annotations

import gc
import logging
import mimetypes
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from guidegen.errors import RenderError
from guidegen.paths import CONTENT_DIR, STYLES_DIR, TEMPLATES_DIR

# 2000-01-01T00:00:00Z: the only "time" a guidegen PDF carries (font subset headers).
FIXED_EPOCH = "946684800"
# Tagged PDF (PDF/UA-1) cost 3-8% more build time in three runs of benchmarks/run.py, so it
# is always on (the bar was 10%).
PDF_VARIANT = "pdf/ua-1"

# WeasyPrint and pydyf ship no types: their objects are Any, named here for what they are.
WeasyDocument = Any  # weasyprint.document.Document, laid out and not yet written
WeasyBox = Any  # a box of weasyprint.formatting_structure.boxes (a page box, a margin box...)
WeasyFetcher = Any  # a weasyprint.urls.URLFetcher
PydyfPDF = Any  # the pydyf.PDF WeasyPrint writes


@dataclass
class FetchLog:
    """What a render could not use, so the user can be told about each: the references the
    fetcher refused, and the characters no installed font has (each prints as an empty box)."""

    refused: list[str] = field(default_factory=list)
    missing_glyphs: list[str] = field(default_factory=list)

    def refuse(self, url: str, reason: str) -> None:
        entry = f"{_short(url)} ({reason})"
        if entry not in self.refused:
            self.refused.append(entry)


def missing_glyphs_warning(characters: list[str]) -> str:
    """What to tell the user about characters that printed as empty boxes."""
    shown = ", ".join(f"{c} (U+{ord(c):04X})" for c in characters[:8])
    more = f" and {len(characters) - 8} more" if len(characters) > 8 else ""
    return (
        f"no installed font has {shown}{more}: each prints as an empty box; install a font "
        "that does (for Chinese, Japanese and Korean: fonts-noto-cjk) and run it again"
    )


class _MissingGlyphs(logging.Handler):
    """Collects the characters WeasyPrint draws as .notdef: it logs a warning for each."""

    def __init__(self, log: FetchLog):
        super().__init__(logging.WARNING)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).startswith(".notdef glyph") and record.args:
            # WeasyPrint logs this warning with positional arguments, never a mapping.
            character = str(cast("tuple[object, ...]", record.args)[0])
            if character not in self.log.missing_glyphs:
                self.log.missing_glyphs.append(character)


def _short(url: str) -> str:
    """A long URL (a data: URL, a deep path) cut in the middle: its scheme and its file name
    are what the reader needs to find it."""
    return url if len(url) <= 100 else url[:40] + "..." + url[-57:]


def shown_file_url(url: str, roots: tuple[Path, ...]) -> str:
    """A file URL as the reader would name it: a path inside the content (or theme) folder,
    as the content writes it ("img/arch.png", with the folder's name first), not an absolute
    file:// URL; outside them the path itself."""
    path = Path(unquote(urlsplit(url).path))
    for root in roots:
        if path.is_relative_to(root):
            return str(Path(root.name) / path.relative_to(root))
    return str(path)


BUILT_IN = tuple(p.resolve() for p in (CONTENT_DIR, TEMPLATES_DIR, STYLES_DIR))


def allowed_roots(content_dir: Path, theme_roots: tuple[Path, ...] = ()) -> tuple[Path, ...]:
    """The folders a render may read: the content, the theme and the built-in look."""
    return tuple(p.resolve() for p in (content_dir, *theme_roots, TEMPLATES_DIR, STYLES_DIR))


def make_fetcher(roots: tuple[Path, ...], log: FetchLog) -> WeasyFetcher:
    """A WeasyPrint URL fetcher that reads only files under ``roots`` and data: URLs.

    WeasyPrint's default fetcher follows any file:// path and any http(s) URL, so content
    could embed /etc/passwd as an attachment; every render must go through this one.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ConfinedFetcher(URLFetcher):  # type: ignore[misc]  # URLFetcher is untyped (Any)
        def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Any:
            scheme = urlsplit(url).scheme.lower()

            def refuse(reason: str) -> None:
                log.refuse(shown_file_url(url, roots) if scheme == "file" else url, reason)

            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                refuse(f"{scheme or 'relative'} URLs are not fetched")
                raise ValueError(f"refused non-local URL {url}")
            path = Path(unquote(urlsplit(url).path))
            try:
                resolved = path.resolve(strict=True)
            except (OSError, RuntimeError):
                refuse("no such file")
                raise ValueError(f"missing file {url}") from None
            if not any(resolved.is_relative_to(root) for root in roots):
                refuse("outside the content, theme, templates and styles folders")
                raise ValueError(f"refused file outside the allowed folders: {url}")
            if not resolved.is_file():
                refuse("not a file")
                raise ValueError(f"not a file: {url}")
            if resolved.stat().st_nlink > 1 and not any(
                resolved.is_relative_to(root) for root in BUILT_IN
            ):
                # A second hard link can be any file on the disk; the built-in folders are
                # exempt because installers such as uv hard-link package files.
                refuse("a file with more than one hard link")
                raise ValueError(f"refused hard-linked file {url}")
            mime = mimetypes.guess_type(resolved.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                resolved.as_uri(), resolved.read_bytes(), {"Content-Type": mime}
            )

    return ConfinedFetcher(allowed_protocols={"file", "data"})


def import_weasyprint() -> Any:  # the weasyprint module, untyped
    """``import weasyprint``, without the 20-odd ``ctypes.util.find_library`` calls it makes.

    WeasyPrint opens Pango, HarfBuzz and fontconfig under several names; for each name without
    a path cffi asks ``find_library``, which starts ldconfig, gcc or ld (0.1-0.4 s in all, about
    a third of the import here). With it answering "not found", cffi falls through to the names
    that are sonames ("libpango-1.0.so.0") and opens those directly. Where that fails (a
    platform that needs find_library), the import is simply done again the normal way.
    """
    import sys

    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    import contextlib
    import ctypes.util
    import io

    real = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # WeasyPrint prints when it fails
            import weasyprint
        return weasyprint
    except (OSError, ImportError):
        for name in [name for name in sys.modules if name.split(".")[0] == "weasyprint"]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = real
    import weasyprint

    return weasyprint


def _cache_page_references() -> None:
    """pydyf recomputes ``PDF.page_references`` (a tuple of every page) each time it is read,
    and WeasyPrint reads it for every structure element and link: quadratic in the page count
    (0.4 s of a 110-page build). The same tuple, kept until a page is added."""
    import pydyf

    if getattr(pydyf.PDF, "_guidegen_cached", False):
        return

    def page_references(pdf: PydyfPDF) -> tuple[bytes, ...]:
        kids = pdf.pages["Kids"]
        cached: tuple[int, tuple[bytes, ...]] | None = pdf.__dict__.get("_guidegen_page_references")
        if cached is None or cached[0] != len(kids):
            cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
            pdf.__dict__["_guidegen_page_references"] = cached
        return cached[1]

    pydyf.PDF.page_references = property(page_references)
    pydyf.PDF._guidegen_cached = True


def _merge_leader_boxes() -> None:
    """One text box for a leader's dots, where WeasyPrint 70 makes one per dot.

    WeasyPrint fills a leader (``leader(dotted)`` in the contents and the advert worksheet)
    with copies of a one-dot text box, one per repetition, each laid out, drawn in a text
    object of its own and walked by every later step: 60 boxes a contents line, 150,000 in a
    2,600-question book's contents. Once WeasyPrint has placed them (side by side, each one
    dot's width from the next), they are replaced by one box with the dots as its text, laid
    out by Pango as one run: the same glyphs from the same left edge, in one text object.
    """
    import weasyprint.layout.inline as inline_module
    from weasyprint.layout.leader import leader_index
    from weasyprint.text.line_break import split_first_line

    handle_leader = inline_module.handle_leader
    if getattr(handle_leader, "_guidegen_merged", False):
        return

    def merged(context: Any, line: WeasyBox, containing_block: WeasyBox) -> None:
        handle_leader(context, line, containing_block)
        index, leader_box = leader_index(line)
        if index is None or len(leader_box.children) < 2:
            return
        copies = leader_box.children  # right to left (weasyprint/layout/leader.py)
        first, last = copies[-1], copies[0]
        text = first.text * len(copies)
        layout, _, _, _, _, _ = split_first_line(text, first.style, context, None, 0)
        box = first.copy_with_text(text)
        box.pango_layout = layout
        box.width = last.position_x + last.width - first.position_x
        leader_box.children = (box,)

    merged._guidegen_merged = True  # type: ignore[attr-defined]
    inline_module.handle_leader = merged


class _LayoutSession:
    """Settings for the duration of a WeasyPrint call.

    - WeasyPrint's own warnings about refused URLs are silenced: FetchLog reports them better.
    - Layout allocates millions of small objects and few cycles; with the default thresholds the
      cyclic garbage collector rescans everything alive many times. Freezing what exists and
      turning the collector off for the call made a build 3 % faster than freezing with a raised
      threshold (which had made it 18 % faster than the defaults); the cycles left are collected
      when the call ends.
    """

    def __init__(self, log: FetchLog | None = None) -> None:
        self.log = log  # given: the characters drawn as empty boxes are collected into it

    def __enter__(self) -> None:
        # fontTools stamps each embedded font subset with the current time unless
        # SOURCE_DATE_EPOCH is set; a fixed value keeps two builds byte-identical.
        os.environ.setdefault("SOURCE_DATE_EPOCH", FIXED_EPOCH)
        self.logger = logging.getLogger("weasyprint")
        self.saved = (self.logger.level, self.logger.handlers, self.logger.propagate)
        if self.log is None:
            self.logger.setLevel(logging.CRITICAL)
        else:  # only the missing-glyph warnings, to the log; the rest stay silent
            self.logger.setLevel(logging.WARNING)
            self.logger.handlers = [_MissingGlyphs(self.log)]
            self.logger.propagate = False
        gc.freeze()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        gc.enable()
        gc.unfreeze()
        gc.collect(0)
        level, self.logger.handlers, self.logger.propagate = self.saved
        self.logger.setLevel(level)


def check_language_and_title(html: str) -> None:
    """A tagged PDF must say its language and title; WeasyPrint would only warn, or say nothing."""
    head = html[: html.find("</head>")] if "</head>" in html else html
    lang = re.search(r"<html[^>]*\blang=\"([^\"]+)\"", head)
    title = re.search(r"<title>([^<]*)</title>", head)
    if not lang or not lang.group(1).strip():
        raise RenderError(
            "the document has no language (<html lang=...>); templates/base.html must set it"
        )
    if not title or not title.group(1).strip():
        raise RenderError("the document has no title (<title>); templates/base.html must set it")


def render_document(
    html: str,
    base_dir: Path,
    roots: tuple[Path, ...],
    log: FetchLog,
    stylesheets: tuple[str, ...] = (),
) -> WeasyDocument:
    """Lay out the HTML with the stylesheets at ``stylesheets`` (file URLs, read through the
    confined fetcher, their custom properties substituted); returns a weasyprint Document."""
    weasyprint = import_weasyprint()
    _cache_page_references()
    _merge_leader_boxes()
    check_language_and_title(html)
    fetcher = make_fetcher(roots, log)
    sheets, fonts = parsed_stylesheets(stylesheets, roots, log)
    with _LayoutSession():
        document = weasyprint.HTML(
            string=html, base_url=base_dir.resolve().as_uri() + "/", url_fetcher=fetcher
        )
        return document.render(stylesheets=sheets, font_config=fonts)


# The stylesheets as WeasyPrint parsed them, with the font configuration their @font-face
# rules loaded into and what the fetcher refused meanwhile, by (URLs, texts, roots). A book
# laid out in chunks parsed the same stylesheets for every chunk (0.1-0.2 s each); parsed here
# before the workers fork (layout/parts.py), each inherits them. A build starts with none
# (forget_stylesheets), so a changed font file is read again by the next build.
_PARSED: dict[tuple[Any, ...], tuple[list[Any], Any, list[str]]] = {}


def forget_stylesheets() -> None:
    _PARSED.clear()


def parsed_stylesheets(
    stylesheets: tuple[str, ...], roots: tuple[Path, ...], log: FetchLog
) -> tuple[list[Any], Any]:
    """The stylesheets at ``stylesheets`` (file URLs, read through the confined fetcher,
    their custom properties substituted), parsed, and their font configuration."""
    weasyprint = import_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    from guidegen.book.css import resolve

    fetcher = make_fetcher(roots, log)
    texts, urls = [], []
    for url in stylesheets:
        try:
            response = fetcher.fetch(url)
        except ValueError:
            continue  # refused, and reported through the log
        texts.append(response.read().decode("utf-8"))
        urls.append(url)
    key = (tuple(urls), tuple(texts), roots)
    if key not in _PARSED:
        sheet_log = FetchLog()
        sheet_fetcher = make_fetcher(roots, sheet_log)
        fonts = FontConfiguration()  # a theme's @font-face rules need one configuration
        with _LayoutSession():
            sheets = [
                weasyprint.CSS(
                    string=text, base_url=url, url_fetcher=sheet_fetcher, font_config=fonts
                )
                for text, url in zip(resolve(texts), urls)
            ]
        _PARSED[key] = (sheets, fonts, sheet_log.refused)
    sheets, fonts, refused = _PARSED[key]
    for entry in refused:
        if entry not in log.refused:
            log.refused.append(entry)
    return sheets, fonts


def pdf_bytes(
    document: WeasyDocument, tagged: bool = True, log: FetchLog | None = None, **options: Any
) -> bytes:
    """The laid-out ``document`` as PDF; characters no font has are added to ``log``."""
    if tagged:
        _running_heads_as_artifacts(document)
    with _LayoutSession(log):
        data: bytes = document.write_pdf(pdf_variant=PDF_VARIANT if tagged else None, **options)
        return data


def _running_heads_as_artifacts(document: WeasyDocument) -> None:
    """Draw the margin boxes (running heads, folios) as artifacts.

    WeasyPrint 70 gives their text marked-content ids and structure elements that it leaves
    out of the tree (weasyprint/pdf/tags.py), so a screen reader meets content that belongs to
    no element. PDF/UA wants page furniture as artifacts: the boxes are marked here and
    WeasyPrint's stream and tag builder are taught to treat marked boxes so.
    """
    from weasyprint.formatting_structure import boxes

    _patch_tagging()
    for page in document.pages:
        for child in page._page_box.children:
            if isinstance(child, boxes.MarginBox):
                for box in child.descendants():
                    box._guidegen_artifact = True


def _patch_tagging() -> None:
    from contextlib import contextmanager

    import weasyprint.pdf.stream as stream_module
    import weasyprint.pdf.tags as tags_module
    from weasyprint.formatting_structure import boxes

    stream_class = stream_module.Stream
    if getattr(stream_class, "_guidegen_artifacts", False):
        return

    @contextmanager
    def marked_or_artifact(self: Any, box: WeasyBox, tag: str) -> Iterator[None]:
        if getattr(box, "_guidegen_artifact", False):
            with self.artifact():
                yield
            return
        if self._tags is None:  # an untagged PDF
            yield
            return
        # WeasyPrint's own marked(), with the operator written as the bytes it serialises to
        # (items are joined with newlines): the same stream without a pydyf Dictionary and
        # two more list items for each of the 300,000 runs a 2,600-question book marks.
        mcid = len(self._tags)
        self._tags[box] = {"tag": tag, "mcid": mcid}
        self.stream.append(b"/%s\n<</MCID %d>>\nBDC" % (tag.encode("ascii"), mcid))
        try:
            yield
        finally:
            self.end_marked_content()

    build_box_tree = tags_module._build_box_tree

    def box_tree(box: WeasyBox, *args: Any, **kwargs: Any) -> Iterator[Any]:
        if isinstance(box, boxes.MarginBox):
            return  # drawn as an artifact: no element, no marked-content id
        yield from build_box_tree(box, *args, **kwargs)

    stream_class.marked = marked_or_artifact
    tags_module._build_box_tree = box_tree
    stream_class._guidegen_artifacts = True

    import weasyprint.pdf as pdf_module

    add_tags = pdf_module.add_tags

    def add_tags_without_spans(pdf: PydyfPDF, *args: Any, **kwargs: Any) -> None:
        add_tags(pdf, *args, **kwargs)
        _text_in_its_element(pdf)

    pdf_module.add_tags = add_tags_without_spans


def _text_in_its_element(pdf: PydyfPDF) -> None:
    """Give each run of text to the element it belongs to, not to a Span of its own.

    WeasyPrint 70 wraps every line of text in a Span element holding one marked-content id:
    80 elements a page, 300,000 in a book of 2,600 questions, which the join then holds in
    memory. The id goes straight into its element's kids instead (and the parent tree points at
    that element), as WeasyPrint already does for links; the emptied Span objects are
    referenced by nothing and left out when the file is finished.
    """
    import pydyf

    objects = pdf.objects

    def target(reference: object) -> Any:  # pydyf writes a reference as b"12 0 R"
        if isinstance(reference, str):
            reference = reference.encode("ascii")
        if not isinstance(reference, bytes) or not reference.endswith(b" 0 R"):
            return None
        return objects[int(reference.split()[0])]

    moved: dict[bytes, bytes] = {}
    for element in objects:
        if not isinstance(element, pydyf.Dictionary) or element.get("Type") != "/StructElem":
            continue
        kids = element.get("K")
        if not isinstance(kids, pydyf.Array) or element.get("S") == "/Span":
            continue
        for index, reference in enumerate(kids):
            kid = target(reference)
            if (
                isinstance(kid, pydyf.Dictionary)
                and kid.get("S") == "/Span"
                and set(kid) <= {"Type", "S", "K", "Pg", "P"}  # no language or alt text
                and kid.get("Pg") == element.get("Pg")
                and len(kid.get("K", ())) == 1
                and isinstance(kid["K"][0], int)
            ):
                kids[index] = kid["K"][0]
                moved[reference] = element.reference
                kid.clear()
    if not moved:
        return
    nums = target(pdf.catalog["StructTreeRoot"])
    nums = target(nums["ParentTree"])["Nums"]
    for position in range(1, len(nums), 2):
        entry = nums[position]
        if isinstance(entry, pydyf.Array):
            nums[position] = pydyf.Array([moved.get(ref, ref) for ref in entry])
