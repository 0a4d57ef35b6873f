"""Small rules on text that every source shape shares: slugs, question numbering, what reads
as a question, behavioural titles, explicit answer markers, and cleaning a block of Markdown
without re-rendering it.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata

from guidegen.content.models import KINDS

ID_LIMIT = 60  # characters in an id made from a title, cut at a word boundary

# Letters that Unicode decomposition does not reduce to ASCII.
_TRANSLITERATE = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "Æ": "ae",
        "ø": "o",
        "Ø": "o",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "ł": "l",
        "Ł": "l",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
    }
)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")

# "12.", "12)", "Q12.", "Q:", "Q 3 -", "Question 3:" before a question's words. The workbook
# numbers its questions itself, so the source's own numbers are dropped from titles.
_NUMBERING = re.compile(
    r"^\s*(?:\*\*|__)?"
    r"(?:Q(?:uestion)?\s*#?\s*\d{0,4}\s*(?:[:.)]|[\-–—](?=\s))|#?\d{1,4}(?:[.)](?!\d)|\s*[:\-–—](?=\s)))"
    r"(?:\*\*|__)?\s*",
    re.I,
)

# The words a question or an interview prompt starts with ("Explain ..." has no '?').
QUESTION_WORDS = frozenset(
    """what why how when where which who whom whose is are am was were can could do does did
    should would will shall have has had may might must explain describe define compare
    contrast tell give name list walk write design discuss outline differentiate distinguish
    summarise summarize talk share suppose imagine""".split()
)

# Titles that ask for a story (kind: behavioural). A small list on purpose: "How do you handle
# conflict?" reads as behavioural to a person but also as general advice, so it stays general.
BEHAVIOURAL_STARTS = (
    "tell me about a time",
    "tell us about a time",
    "tell me about a situation",
    "can you tell me about a time",
    "describe a time",
    "describe a situation",
    "give me an example of a time",
    "give an example of a time",
    "talk me through a time",
    "walk me through a time",
    "have you ever",
)
KIND_ALIASES = {
    "behavioral": "behavioural",
    "behaviour": "behavioural",
    "behavior": "behavioural",
    "tech": "technical",
}

# An explicit answer label on a line of its own or at the start of one: "**Answer:** ...",
# "Answer:", "A: ...", "#### Answer". What comes before it is the question's prompt.
_ANSWER_MARK = re.compile(
    r"^\s{0,3}(?:#{1,6}\s+)?(?:\*\*|__)?(?:Answer|Solution|A)(?:\s*:\s*(?:\*\*|__)|(?:\*\*|__)\s*:|\s*:)"
    r"\s*(?P<rest>.*)$"
    r"|^\s{0,3}(?:#{1,6}\s+)?(?:\*\*|__)?(?:Answer|Solution)(?:\*\*|__)?\s*$",
)
# A fence line: three or more backticks or tildes. A backtick fence's info string holds no
# backtick (CommonMark), so "```wc -l```" on a line of its own is a code span, not a fence.
FENCE = re.compile(r"^\s*(`{3,}(?=[^`]*$)|~{3,})(.*)$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


def slugify(text: str, limit: int = ID_LIMIT) -> str:
    """Kebab-case ASCII: accents transliterated or dropped, cut at a word boundary."""
    text = plain(text).translate(_TRANSLITERATE)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"(?<=[A-Za-z])['’](?=[A-Za-z])", "", text)  # what's -> whats
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = ""
    for word in words:
        longer = f"{slug}-{word}" if slug else word
        if len(longer) > limit:
            break
        slug = longer
    return slug or (words[0][:limit] if words else "")


def plain(text: str) -> str:
    """Inline Markdown and HTML reduced to its words (for slugs and tests of wording)."""
    text = _LINK.sub(r"\1", text)
    text = _HTML_TAG.sub(" ", text)
    text = re.sub(r"[`*_~]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def strip_numbering(title: str) -> str:
    stripped = _NUMBERING.sub("", title, count=1)
    return stripped if stripped.strip() else title


def clean_title(title: str) -> str:
    """A title on one line, without the source's numbering or a bold wrapper round it all."""
    title = re.sub(r"\s+", " ", title).strip()
    title = strip_numbering(title)
    match = re.fullmatch(r"(\*\*|__)(.+)\1", title)
    if match and "**" not in match.group(2):
        title = match.group(2).strip()
    return title


def is_numbered(title: str) -> bool:
    return _NUMBERING.match(title) is not None and strip_numbering(title) != title


# The question mark of every script a bank is written in: ASCII and the full-width form of
# Chinese and Japanese, the Arabic one (also Persian and Urdu), and the reversed one.
QUESTION_MARKS = ("?", "？", "؟", "⸮")
QUESTION_MARK_CLASS = "[" + re.escape("".join(QUESTION_MARKS)) + "]"
# What may close a question after its mark: brackets and quotes, Western and CJK.
_CLOSERS = " )\"'”’»）」』】〉》"


def ends_with_question_mark(text: str) -> bool:
    return text.rstrip(_CLOSERS + "*_").endswith(QUESTION_MARKS)


def has_question_mark(text: str) -> bool:
    return any(mark in text for mark in QUESTION_MARKS)


def looks_like_question(text: str) -> bool:
    """Ends with a question mark (of any script), carries a question number, or starts with an
    English question or prompt word."""
    if is_numbered(text):
        return True
    words = plain(strip_numbering(text))
    if not words:
        return False
    if ends_with_question_mark(words):
        return True
    first = re.match(r"[A-Za-z]+", words)
    return first is not None and first.group(0).lower() in QUESTION_WORDS


def is_behavioural(title: str) -> bool:
    words = plain(strip_numbering(title)).lower().replace("’", "'")
    return words.startswith(BEHAVIOURAL_STARTS)


def kind_of(title: str, prompt: str | None, default: str) -> str:
    """behavioural for a story question; technical when a prompt shows code; else ``default``."""
    if is_behavioural(title):
        return "behavioural"
    if prompt and any(FENCE.match(line) for line in prompt.splitlines()):
        return "technical"
    return default


def known_kind(value: str) -> str | None:
    """A kind as a CSV cell spells it, or None if it is not one."""
    folded = value.strip().lower()
    folded = KIND_ALIASES.get(folded, folded)
    return folded if folded in KINDS else None


def clean_block(lines: list[str], dedent: bool = False) -> str | None:
    """Lines of Markdown as one text: blank edges removed, and outside fenced code trailing
    spaces dropped and blank lines run together (inside code every character is kept);
    None if nothing is left. ``dedent`` removes the indentation every line shares (text
    indented to line up with the HTML round it)."""
    kept: list[str] = []
    fence: str | None = None
    for line in lines:
        match = FENCE.match(line)
        if fence is None:
            if not line.strip() and kept and not kept[-1]:
                continue  # one blank line separates blocks; more (left by MDX lines) say nothing
            kept.append(line.rstrip())
            if match:
                fence = match.group(1)
        else:
            kept.append(line)
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                if not line.strip().strip(fence[0]):
                    fence = None
    while kept and not kept[0].strip():
        kept.pop(0)
    while kept and not kept[-1].strip():
        kept.pop()
    if not kept:
        return None
    text = "\n".join(kept)
    text = textwrap.dedent(text) if dedent else text
    return "\n".join(_lists_as_github_shows_them(text.split("\n")))


_LIST_START = re.compile(r"^( {0,3})(?:[-*+]|(\d{1,9})[.)])[ \t]+\S")


def _lists_as_github_shows_them(lines: list[str]) -> list[str]:
    """A list GitHub shows as a list, written so that Python-Markdown does too.

    GitHub starts a list straight under a paragraph line; Python-Markdown wants a blank line
    first, and reads a list indented by one to three spaces as code. So outside fenced code a
    blank line goes before a list that follows a paragraph line (a numbered one only from 1, as
    GitHub does), and a list's own indentation (one to three spaces, the same on its lines) is
    taken off."""
    out: list[str] = []
    fence: str | None = None
    indent: int | None = None  # the current list's own indentation, while in one
    for line in lines:
        match = FENCE.match(line)
        if fence is not None:
            out.append(line)
            if match and match.group(1)[0] == fence[0] and not line.strip().strip(fence[0]):
                fence = None
            continue
        item = _LIST_START.match(line)
        if item and item.group(2) and item.group(2) != "1" and out and out[-1].strip():
            item = None if indent is None else item  # "2026. was..." goes on a paragraph
        if indent is not None and line.strip() and not line.startswith(" ") and not item:
            if not out[-1].strip():
                indent = None  # a paragraph after the list, below a blank line, ends it
        if item and indent is None:
            indent = len(item.group(1))
            if out and out[-1].strip():
                out.append("")  # the paragraph line above it
        if indent and line.startswith(" " * indent):
            line = line[indent:]
        out.append(line)
        if match:
            fence = match.group(1)
    return out


def split_answer(body: str | None) -> tuple[str | None, str | None]:
    """(prompt, answer) of a question's body: only an explicit answer label ("**Answer:**")
    on a line outside code splits it; otherwise it is all answer."""
    if body is None:
        return None, None
    lines = body.split("\n")
    fence: str | None = None
    for index, line in enumerate(lines):
        match = FENCE.match(line)
        if match:
            if fence is None:
                fence = match.group(1)
            elif match.group(1)[0] == fence[0] and not line.strip().strip(fence[0]):
                fence = None
            continue
        if fence is None:
            mark = _ANSWER_MARK.match(line)
            if mark:
                rest = mark.group("rest") or ""
                prompt = clean_block(lines[:index])
                answer = clean_block(([rest] if rest.strip() else []) + lines[index + 1 :])
                return prompt, answer
    return None, body


def remove_control_characters(text: str) -> tuple[str, int, int]:
    """YAML refuses C0 control characters (a pasted form feed): the text without them, how
    many there were, and the line of the first."""
    first = _CONTROL.search(text)
    if first is None:
        return text, 0, 0
    cleaned, count = _CONTROL.subn("", text)
    return cleaned, count, text.count("\n", 0, first.start()) + 1


ASK_PHRASES = (
    "questions to ask",
    "question to ask",
    "ask the interviewer",
    "ask your interviewer",
    "ask an interviewer",
    "ask interviewers",
    "ask the employer",
    "ask your employer",
    "ask the company",
    "ask the hiring manager",
    "ask the team",
    "questions for the interviewer",
    "questions for your interviewer",
    "questions for interviewers",
    "questions for the employer",
    "questions for the company",
    "reverse interview",
    # The same in the languages banks come in, so that detection does not need English.
    "fragen an den interviewer",
    "fragen an die interviewerin",
    "fragen an den arbeitgeber",
    "fragen an das unternehmen",
    "fragen an ihr gegenüber",
    "rückfragen",
    "preguntas para el entrevistador",
    "preguntas al entrevistador",
    "preguntas para la empresa",
    "preguntas que hacer",
    "preguntas para hacer",
    "entrevista inversa",
    "questions à poser",
    "questions pour le recruteur",
    "questions au recruteur",
    "perguntas para fazer",
    "perguntas para o entrevistador",
    "perguntas ao entrevistador",
    "domande da fare",
    "domande da porre",
    "vragen om te stellen",
    "vragen aan de interviewer",
    "вопросы работодателю",
    "вопросы интервьюеру",
    "逆質問",
    "面接官への質問",
    "面接官に聞く",
    "面接官に質問",
    "反问",
    "反問",
    "向面试官提问",
    "问面试官",
    "問面試官",
    "역질문",
    "면접관에게",
    "أسئلة للمحاور",
    "أسئلة لطرحها",
    "أسئلة تطرحها",
    "أسئلة للمقابل",
    "اسأل المحاور",
    "أسئلة لصاحب العمل",
)


def names_ask_list(text: str | None) -> bool:
    """Does a heading, title or file name say it lists questions to ask the interviewer?"""
    if not text:
        return False
    folded = re.sub(r"[\s_\-]+", " ", plain(text).lower().replace("’", "'"))
    return any(phrase in folded for phrase in ASK_PHRASES)


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``1 question``, ``2 questions``."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
