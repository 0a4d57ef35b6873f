"""Markdown fields to safe HTML: real Markdown with well-kept libraries, never trusted HTML.

- Python-Markdown with fenced code (highlighted by Pygments where a language is given, lines
  kept), tables, sane lists (nested lists indented by two spaces work as well as by four),
  typographic quotes and dashes (never inside code), and bare web addresses as links.
- A heading inside an answer becomes a run-in heading (a bold paragraph): it is part of the
  answer, not a section of the book, so it never becomes a bookmark or breaks the heading
  order.
- The HTML is then cleaned by nh3 (the Rust ammonia sanitiser) against an allow-list: no
  style, script, form fields, links to stylesheets, frames or event attributes survive,
  whatever the content says. Images stay, and the confined URL fetcher decides what they may
  load.
"""

from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache
from typing import TYPE_CHECKING

import markdown as markdown_lib
import markdown.extensions
import nh3
from markdown.inlinepatterns import InlineProcessor
from markupsafe import Markup

from guidegen.content.markup import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, escape_unknown_tags, fill

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_URL = r"(?<![\w/\"'(=<])(https?://[^\s<>\"'()\[\]]*[^\s<>\"'()\[\].,;:!?])"
_HEADING = re.compile(r"<h([1-6])[^>]*>(.*?)</h\1>", re.S)
_LIST_LINE = re.compile(r"^( +)([-*+]|\d+[.)]) ", re.M)


class _BareURL(InlineProcessor):
    """A web address typed as text becomes a link (and, styled as such, is never hyphenated)."""

    # InlineProcessor's own handleMatch breaks Pattern's (its stub ignores [override] too).
    def handleMatch(  # type: ignore[override]  # noqa: N802 - Markdown's API
        self, match: re.Match[str], data: str
    ) -> tuple[Element, int, int]:
        import xml.etree.ElementTree as etree

        link = etree.Element("a")
        link.set("href", match.group(1))
        link.set("class", "url")
        link.text = match.group(1)
        return link, match.start(0), match.end(0)


class _Dash(InlineProcessor):
    """A spaced double hyphen is an en dash and a triple one an em dash; a ``--flag`` stays
    as typed (smarty's own rule would turn ``kubectl logs --previous`` into an en dash)."""

    # InlineProcessor's own handleMatch breaks Pattern's (its stub ignores [override] too).
    def handleMatch(  # type: ignore[override]  # noqa: N802 - Markdown's API
        self, match: re.Match[str], data: str
    ) -> tuple[str, int, int]:
        return ("\u2014" if match.group(1) == "---" else "\u2013"), match.start(0), match.end(0)


class _Extension(markdown_lib.extensions.Extension):
    def extendMarkdown(self, md: markdown_lib.Markdown) -> None:  # noqa: N802 - Markdown's API
        md.inlinePatterns.register(_BareURL(_URL, md), "guidegen_bare_url", 120)
        md.inlinePatterns.register(_Dash(r"(?<=\s)(---?)(?=\s)", md), "guidegen_dash", 5)


@lru_cache(maxsize=1)
def _converter() -> markdown_lib.Markdown:
    return markdown_lib.Markdown(
        extensions=["sane_lists", "smarty", "fenced_code", "tables", "codehilite", _Extension()],
        extension_configs={
            "codehilite": {"guess_lang": False, "css_class": "code", "use_pygments": True},
            "smarty": {"smart_dashes": False},
        },
        output_format="html",
    )


def _two_space_lists(text: str) -> str:
    """Nested lists indented by two spaces (common in real banks) read as nested: Python-
    Markdown wants four."""
    indents = {len(m.group(1)) for m in _LIST_LINE.finditer(text)}
    if not indents or min(indents) % 4 == 0:
        return text
    return _LIST_LINE.sub(lambda m: " " * (len(m.group(1)) * 2) + m.group(2) + " ", text)


def markdown_html(text: str) -> str:
    """Markdown as cleaned HTML (placeholders already filled), links and remote images made
    readable on paper."""
    converter = _converter()
    converter.reset()
    html = converter.convert(_two_space_lists(escape_unknown_tags(text)))
    html = _HEADING.sub(r'<p class="run-in"><strong>\2</strong></p>', html)
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        link_rel=None,
        url_schemes={"http", "https", "mailto", "file", "data"},
        clean_content_tags={"script", "style"},
        strip_comments=True,
    )
    return _links_for_paper(_remote_images_as_links(html))


# nh3 writes every tag the same way, with double-quoted attributes, so these can be exact.
_LINK = re.compile(r'<a href="((?:https?|mailto):[^"]*)"([^>]*)>(.*?)</a>', re.S)
_IMAGE = re.compile(r"<img ([^>]*)>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
_LINK_TARGET = re.compile(r'<span class="link-target">[^<]*</span>')


def short_url(url: str) -> str:
    """A web address as a print style sheet shows it: no scheme, no "www.", no trailing
    slash, no query or fragment; a mail address as itself."""
    if url.startswith("mailto:"):
        return url[len("mailto:") :].split("?")[0]
    short = re.sub(r"^https?://(www\.)?", "", url)
    short = re.split(r"[?#]", short)[0]
    return short.rstrip("/")


def _links_for_paper(html: str) -> str:
    """On paper a link is only its words ("see here"): the target, shortened, follows them in
    brackets inside the link, so it prints and still clicks. A link whose words are already
    its address (a bare URL) gets nothing."""

    def target(match: re.Match[str]) -> str:
        href, rest, words = match.groups()
        shown = short_url(html_lib.unescape(href))
        plain = html_lib.unescape(re.sub(r"<[^>]+>", "", words)).strip()
        if not shown or shown in plain or plain in (href, html_lib.unescape(href)):
            return match.group(0)
        return (
            f'<a href="{href}"{rest}>{words}<span class="link-target"> '
            f"({html_lib.escape(shown)})</span></a>"
        )

    return _LINK.sub(target, html)


def _remote_images_as_links(html: str) -> str:
    """An image on the web is never fetched (the fetcher reads local files only), so rather
    than an empty space it prints as a link: its alt text, or its address."""

    def replace(match: re.Match[str]) -> str:
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        src = attributes.get("src", "")
        if not re.match(r"https?://", src):
            return match.group(0)
        alt = attributes.get("alt", "").strip()
        words = f"[{alt}]" if alt else html_lib.escape(short_url(html_lib.unescape(src)))
        return f'<a href="{src}" class="image-link">{words}</a>'

    return _IMAGE.sub(replace, html)


def escape_for_markdown(value: str) -> str:
    """A name typed on the command line, as Markdown text: "<b>Evil</b> *Co*" prints as
    typed instead of becoming markup."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|>~])", r"\\\1", html_lib.escape(value))


def render_markdown(text: str, company: str | None, fallback: str) -> Markup:
    filled = fill(text, escape_for_markdown(company) if company else None, fallback)
    return Markup(markdown_html(filled))


def render_inline(
    text: str, company: str | None = None, fallback: str = "", links: bool = True
) -> Markup:
    """One line of Markdown (a title, a label with **bold** in it) as inline HTML, with
    typographic quotes and dashes, and no paragraph around it. A line break in a title
    becomes a space. ``links=False`` keeps a link's text only: for a title printed inside a
    link of its own (the contents), where a link in a link would end the outer one."""
    filled = fill(text, escape_for_markdown(company) if company else None, fallback)
    html = markdown_html(re.sub(r"<br\s*/?>", " ", filled)).strip()
    html = re.sub(r"^<p>(.*)</p>$", r"\1", html, flags=re.S)
    if not links:
        html = re.sub(r"</?a\b[^>]*>", "", _LINK_TARGET.sub("", html))
    return Markup(html)


def plain_text(text: str, company: str | None = None, fallback: str = "") -> str:
    """A title as plain text (bookmarks, link descriptions, metadata)."""
    html = str(render_inline(text, company, fallback, links=False))
    return html_lib.unescape(re.sub(r"<[^>]+>", "", html))
