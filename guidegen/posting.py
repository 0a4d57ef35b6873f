"""A job advert (``--posting FILE``): its requirement lines, and the questions that practise each.

Everything here is plain text rules, so a match can always be explained: no network, no model.

**Requirement lines.** The advert is read as Markdown or plain text and its markup stripped.
Headings divide it into sections: a heading about what the employer offers ("Benefits", "What
we offer", "About us", "How to apply", ...) starts a section that is skipped; any other heading
(or none) starts one that counts. The requirement lines are the bullet and numbered items of
the counted sections (an indented line continues the item above it). An advert with no such
items gives instead the sentences under headings that name requirements ("Requirements", "What
you'll do", "Nice to have", "Responsibilities", "About you", ...). Identical lines are kept
once, and at most ``MAX_LINES`` are kept.

**Matching.** A line matches a question through the question's tags, each tag standing for its
own name and the advert words that ``vocabulary.yaml`` lists for it ("k8s" for kubernetes,
"Terraform" for iac), and through the words of the question's title. Words and phrases
match whole and case-insensitively ("git" never matches "digital", "CI/CD" and "C#" are words),
with an optional plural "s". Stop words ("team", "experience", "and", ...) never count. Per line
the questions are ranked by how many of their tags the line names, then by how many title words
they share with it, then by print order; the best ``MAX_PER_LINE`` are kept.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from guidegen.content.markup import fill
from guidegen.content.models import Question
from guidegen.errors import UsageError
from guidegen.inputs import decode_utf8, read_limited
from guidegen.spec import Posting

MAX_BYTES = 200 * 1024  # an advert is a page or two of text; anything larger is a document export
MAX_LINES = 24  # requirement lines printed: two or three pages of the worksheet at most
MAX_PER_LINE = 3  # questions listed under one requirement
MAX_LINE_CHARS = 300  # a longer item is cut at a word, so one row never outgrows a page

# ---- reading the file ----


def read_posting(path: Path, shown: str | None = None) -> Posting:
    """The advert at ``path`` as a ``Posting``; a UsageError saying what is wrong otherwise
    (``shown`` names it in the message: the option, or a batch CSV's cell)."""
    shown = _printable(shown or f"--posting {path}")
    if path.is_dir():
        raise UsageError(f"{shown} is a folder; give the job advert's text file")
    if not path.exists():
        raise UsageError(f"{shown}: no such file; give the job advert as a text or Markdown file")
    if not path.is_file():
        raise UsageError(f"{shown} is not a regular file; give the job advert as a text file")
    raw = read_limited(
        path,
        shown,
        MAX_BYTES,
        lambda size: (
            f"{shown} is {size / 1024:.0f} KB; a job advert may be at most "
            f"{MAX_BYTES // 1024} KB of text (paste the advert itself, not a document)"
        ),
    )
    if b"\x00" in raw or raw.startswith((b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise UsageError(
            f"{shown} is not a text file (it holds binary data, such as a PDF or Word "
            "document); save the advert as plain text or Markdown"
        )
    text = decode_utf8(raw, shown, "save the advert as UTF-8")
    if not text.strip():
        raise UsageError(f"{shown} is empty; paste the job advert's text into it")
    posting = Posting(name=_printable(path.name), text=text)
    if not requirement_lines(posting.text):
        raise UsageError(
            f"{shown}: no requirement lines found; list the requirements as bullet points, "
            'or put them under a heading such as "Requirements"'
        )
    return posting


def _printable(text: str) -> str:
    """A file name whose bytes are not UTF-8 (they arrive as lone surrogates), made printable."""
    return text.encode("utf-8", "replace").decode("utf-8")


# ---- requirement lines ----

# Headings of sections about the employer rather than the job: their items are not requirements.
SKIPPED_HEADINGS = (
    "benefit",
    "we offer",
    "what we give",
    "perk",
    "about us",
    "who we are",
    "about the company",
    "our company",
    "why join",
    "why us",
    "why work",
    "what's in it",
    "what is in it",
    "salary",
    "compensation",
    "package",
    "how to apply",
    "application process",
    "interview process",
    "hiring process",
    "next steps",
    "equal opportunit",
    "diversity",
    "contact",
    "location",
)
# Headings whose sentences are requirements, for an advert written without lists.
REQUIREMENT_HEADINGS = (
    "require",
    "qualification",
    "skill",
    "you'll do",
    "you will do",
    "what you do",
    "you'll be doing",
    "responsibilit",
    "duties",
    "tasks",
    "your role",
    "the role",
    "about you",
    "who you are",
    "you have",
    "you bring",
    "you'll bring",
    "you will bring",
    "looking for",
    "must have",
    "nice to have",
    "bonus",
    "desirable",
    "essential",
    "preferred",
    "experience",
    "profile",
    "expect",
    "stack",
)

_ITEM = re.compile(r"^(\s*)(?:[-*+•·▪◦‣–—]|\d{1,2}[.)]|\(\d{1,2}\)|[a-z][.)])\s+(\S.*)$")
_ATX = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "incl.", "approx.", "vs.", "esp.", "min.")


@dataclass
class _Block:
    kind: str  # heading | item | text
    text: str
    section: str  # counted | skipped
    heading: str  # the heading above it (lower case), "" before any


def _inline(text: str) -> str:
    """Markdown inline markup removed: links and images keep their words, emphasis and code
    lose their marks, tags and entities go."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("**", "").replace("__", "").replace("`", "")
    # Single * or _ only around words, so "C#_" or "snake_case" keep their characters.
    text = re.sub(r"(?<![\w*])\*(\S(?:.*?\S)?)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<!\w)_(\S(?:.*?\S)?)_(?!\w)", r"\1", text)
    text = html.unescape(text)
    return re.sub(r"\s+", " ", text).strip()


def _looks_like_heading(line: str) -> bool:
    """A plain-text heading: a short line ending in a colon, or all in capitals."""
    words = line.split()
    if not words or len(words) > 8:
        return False
    if line.endswith(":"):
        return True
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 4 and all(ch.isupper() for ch in letters)


def _classify(heading: str) -> str:
    lowered = heading.lower().replace("’", "'")
    return "skipped" if any(key in lowered for key in SKIPPED_HEADINGS) else "counted"


def _blocks(text: str) -> list[_Block]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[_Block] = []
    section, heading = "counted", ""
    in_fence = False
    paragraph: list[str] = []

    def close_paragraph() -> None:
        if paragraph:
            blocks.append(_Block("text", _inline(" ".join(paragraph)), section, heading))
            paragraph.clear()

    def start_heading(title: str) -> None:
        nonlocal section, heading
        close_paragraph()
        heading = _inline(title).rstrip(":").strip().lower()
        section = _classify(heading)
        blocks.append(_Block("heading", heading, section, heading))

    for index, raw in enumerate(lines):
        line = raw.rstrip()
        if _FENCE.match(line):
            in_fence = not in_fence
            close_paragraph()
            continue
        if in_fence:
            continue
        stripped = re.sub(r"^\s{0,3}>\s?", "", line)  # a block quote's marker
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not stripped.strip():
            close_paragraph()
            continue
        if _RULE.match(stripped) and not paragraph:
            continue
        atx = _ATX.match(stripped)
        if atx:
            start_heading(atx.group(1))
            continue
        if _SETEXT.match(stripped) and paragraph:
            title = " ".join(paragraph)
            paragraph.clear()
            start_heading(title)
            continue
        if _SETEXT.match(following) and not paragraph and not _ITEM.match(stripped):
            paragraph.append(stripped.strip())  # the heading line; its underline follows
            continue
        if set(stripped.strip()) <= set("|-: ") and "|" in stripped:
            continue  # a Markdown table's separator row
        stripped = stripped.replace("|", " ")
        item = _ITEM.match(stripped)
        if item:
            close_paragraph()
            blocks.append(_Block("item", _inline(item.group(2)), section, heading))
            continue
        plain = _inline(stripped)
        bold_line = re.fullmatch(r"\s*(\*\*|__)(.+?)\1:?\s*", stripped)
        if not paragraph and (bold_line or _looks_like_heading(plain)):
            start_heading(plain)
            continue
        if raw[:1].isspace() and blocks and blocks[-1].kind == "item" and not paragraph:
            blocks[-1].text = f"{blocks[-1].text} {plain}".strip()  # the item continues
            continue
        paragraph.append(stripped.strip())
    close_paragraph()
    return blocks


def _sentences(text: str) -> list[str]:
    protected = text
    for number, abbreviation in enumerate(_ABBREVIATIONS):
        protected = protected.replace(abbreviation, f"\x00{number}\x00")
    parts = re.split(r"(?<=[.!?;])\s+(?=[\"“(]?[A-Z0-9])", protected)
    restored = []
    for part in parts:
        for number, abbreviation in enumerate(_ABBREVIATIONS):
            part = part.replace(f"\x00{number}\x00", abbreviation)
        restored.append(part.strip())
    return [part for part in restored if part]


def _shortened(line: str) -> str:
    if len(line) <= MAX_LINE_CHARS:
        return line
    cut = line[:MAX_LINE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.- ") + "…"


def requirement_lines(text: str) -> list[str]:
    """The advert's requirement lines, in its order, at most ``MAX_LINES`` of them (see the
    module's docstring for the rule)."""
    return all_requirement_lines(text)[:MAX_LINES]


def all_requirement_lines(text: str) -> list[str]:
    blocks = _blocks(text)
    found = [b.text for b in blocks if b.kind == "item" and b.section == "counted"]
    if not found:
        found = [
            sentence
            for b in blocks
            if b.kind == "text"
            and b.section == "counted"
            and any(key in b.heading.replace("’", "'") for key in REQUIREMENT_HEADINGS)
            for sentence in _sentences(b.text)
        ]
    lines: dict[str, str] = {}
    for line in found:
        line = _shortened(line.strip())
        if re.search(r"[^\W\d_]", line):  # at least one letter
            lines.setdefault(line.casefold(), line)
    return list(lines.values())


# ---- matching ----

# Words too common in adverts or question titles to say what a line is about.
STOP_WORDS = frozenset(
    """
    a about above after all also an and any are as at be been being both but by can could do
    does doing for from get had has have having how i if in into is it its like may me might
    more most must my new no not of on one or other our out over own per same should so some
    such than that the their them then there these they this those through to too under up
    us very via was way we were what when where which while who why will with within would
    you your yours
    ability able across areas basic basics bonus closely company comfortable day daily
    degree demonstrable desire eager engineer engineering engineers environment environments
    excellent experience experienced experiences expertise familiar familiarity field good
    great hands hands-on help helping ideally junior keen knowledge level looking mid nice
    opportunity plus practical preferably preferred proven related relevant required
    requirements role senior skill skills solid strong team teams technologies technology
    tools understanding using use well work working year years
    describe difference different explain important know tell time walk want
    first second two three four five six month months week weeks today
    service services system systems production project projects problem problems issue
    issues small large make makes keep keeps
    closing introduction fundamentals career platform
    """.split()
)

_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*(?:[./'-][a-z0-9+#]+)*")


def _stem(word: str) -> str:
    """A crude singular, enough for title words: "pipelines" and "pipeline" meet."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _words(text: str) -> set[str]:
    """The words of ``text`` that can say what it is about: no stop words, no bare numbers,
    contractions and possessives cut ("you'll", "what's")."""
    found = set()
    for token in _TOKEN.findall(text.lower().replace("’", "'")):
        token = token.split("'")[0]
        word = _stem(token)
        if len(token) > 1 and not token.isdigit() and not {token, word} & STOP_WORDS:
            found.add(word)
    return found


@lru_cache(maxsize=4096)
def _phrase(phrase: str) -> re.Pattern[str]:
    """A whole-word, case-insensitive pattern for a word or phrase; a hyphen or space inside
    it may be either (or none: "on-call", "on call", "oncall"), and a plural "s" may follow
    (the last word of a plural phrase may be singular, but a single word keeps its own
    spelling: "https" must not read "http")."""
    words = [word for word in re.split(r"[\s-]+", phrase.strip().lower()) if word]
    if len(words) > 1 and _stem(words[-1]) != words[-1]:
        words[-1] = _stem(words[-1])  # "pull requests" also reads "pull request"
    body = r"[\s-]?".join(re.escape(word) for word in words)
    plural = "(?:e?s)?" if phrase[-1:].isalpha() else ""
    return re.compile(rf"(?<![\w#+]){body}{plural}(?![\w#+])", re.IGNORECASE)


def _tag_phrases(tag: str, vocabulary: dict[str, list[str]]) -> list[str]:
    own = tag.replace("-", " ")
    phrases = [] if own in STOP_WORDS else [tag]
    singular = _stem(tag)
    if singular != tag and singular not in STOP_WORDS:
        phrases.append(singular)
    return phrases + list(vocabulary.get(tag, ()))


@dataclass(frozen=True)
class Hit:
    """One question that practises a requirement line, and why it was chosen."""

    question: Question
    tags: tuple[str, ...]  # its tags that the line names (by name or by a vocabulary word)
    words: tuple[str, ...]  # words its title shares with the line

    @property
    def score(self) -> tuple[int, int]:
        return len(self.tags), len(self.words)


@dataclass(frozen=True)
class RequirementLine:
    text: str
    hits: tuple[Hit, ...]  # best first; empty when no question in the workbook covers it


@dataclass(frozen=True)
class PostingMatch:
    """The advert's requirement lines matched against a list of questions."""

    name: str  # the advert's file name, as the workbook mentions it
    lines: tuple[RequirementLine, ...]

    @property
    def matched(self) -> list[Question]:
        """Every question listed under some line, best ranks first: each line's first
        question, then each line's second, and so on (each question once)."""
        seen: dict[str, Question] = {}
        for rank in range(MAX_PER_LINE):
            for line in self.lines:
                if rank < len(line.hits):
                    seen.setdefault(line.hits[rank].question.id, line.hits[rank].question)
        return list(seen.values())

    @property
    def matched_ids(self) -> set[str]:
        return {hit.question.id for line in self.lines for hit in line.hits}

    @property
    def uncovered(self) -> list[str]:
        return [line.text for line in self.lines if not line.hits]


def named_tags(line: str, tags: Iterable[str], vocabulary: dict[str, list[str]]) -> set[str]:
    """The tags ``line`` names, by a tag's own name or a vocabulary word. Where phrases
    overlap, the longest wins ("GitHub Actions" is CI/CD, not the "GitHub" of git)."""
    found = []
    for tag in sorted(set(tags)):
        for phrase in _tag_phrases(tag, vocabulary):
            for match in _phrase(phrase).finditer(line):
                found.append((-len(phrase), match.start(), match.end(), tag))
    claimed: list[tuple[int, int]] = []
    named = set()
    for _, start, end, tag in sorted(found):
        if all(end <= other_start or start >= other_end for other_start, other_end in claimed):
            claimed.append((start, end))
            named.add(tag)
    return named


def match_line(
    line: str,
    questions: Sequence[Question],
    vocabulary: dict[str, list[str]],
    limit: int = MAX_PER_LINE,
) -> tuple[Hit, ...]:
    """The questions that practise ``line``, best first (ties in the order given)."""
    named = named_tags(line, {tag for q in questions for tag in q.tags}, vocabulary)
    line_words = _words(line)
    hits = []
    for position, question in enumerate(questions):
        tags = tuple(tag for tag in question.tags if tag in named)
        shared = tuple(sorted(line_words & _words(fill(question.title, None, ""))))
        if tags or shared:
            hits.append((position, Hit(question, tags, shared)))
    hits.sort(key=lambda item: (-item[1].score[0], -item[1].score[1], item[0]))
    return tuple(hit for _, hit in hits[:limit])


def match_posting(
    posting: Posting, questions: Iterable[Question], vocabulary: dict[str, list[str]]
) -> PostingMatch:
    """Each requirement line of ``posting`` with the questions (from ``questions``, in print
    order) that practise it."""
    candidates = list(questions)
    lines = tuple(
        RequirementLine(text, match_line(text, candidates, vocabulary))
        for text in requirement_lines(posting.text)
    )
    return PostingMatch(posting.name, lines)
