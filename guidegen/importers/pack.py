"""Records from every source, written as one content pack.

    DIR/workbook.yaml            extends: builtin, the default role, a title if the source has one
    DIR/questions/<stem>.yaml    one file per source that had questions, in source order
    DIR/ask/<stem>.yaml          one file per source that had questions to ask
    DIR/roles/<role>.yaml        one role naming every imported question, in source order
                                 (none when the sources have only questions to ask: the
                                 pack then prints the built-in roles with the imported list)
    DIR/content.schema.json      the JSON Schema the files' first lines point at

Nothing is invented: a field the source does not have is left out (the built-in pack supplies
the how-to text and the STAR steps, and its questions to ask when no source had any). Ids are
slugs of the titles, unique across the import and apart from the built-in pack's own ids (the
pack extends it), with -2, -3 ... where two would clash. Text that guidegen would read as a
placeholder is escaped so that it prints as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from guidegen.content.markup import escape_placeholders, placeholders
from guidegen.content.yamlwrite import Block, Flow, dump_content
from guidegen.errors import UsageError
from guidegen.importers.language import guess_language
from guidegen.importers.records import SourceRecords
from guidegen.importers.text import kind_of, plain, slugify

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LANGUAGE = re.compile(r"^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")  # as models.LanguageCode
DEFAULT_ROLE = "imported"
DEFAULT_ROLE_TITLE = "Imported questions"


@dataclass
class Source:
    path: Path
    records: SourceRecords


@dataclass
class Choices:
    """What the command line decides about the pack."""

    role_id: str = DEFAULT_ROLE
    role_title: str = DEFAULT_ROLE_TITLE
    title: str | None = None
    default_kind: str = "general"
    language: str | None = None  # --lang: the bank's language (None: guessed from its script)

    def check(self) -> None:
        if self.language is not None and not LANGUAGE.match(self.language):
            raise UsageError(
                f"--lang '{self.language}': give a language code such as ja, ar, de or pt-BR"
            )
        if not SLUG.match(self.role_id):
            raise UsageError(
                f"--role '{self.role_id}': a role id is lowercase letters, digits and single "
                "hyphens, like 'my-interview'"
            )
        for option, value in (("--role-title", self.role_title), ("--title", self.title)):
            if value is not None and not value.strip():
                raise UsageError(f"{option} is empty; give the words to print")
            if value is not None and any(True for _ in placeholders(value)):
                raise UsageError(
                    f"{option} '{value}': braces round a word are read as a placeholder; "
                    "leave them out of a title"
                )


@dataclass
class Pack:
    """The pack's files as data, before anything is written."""

    files: dict[str, tuple[str, dict]] = field(default_factory=dict)  # path: (comment, data)
    images: dict[str, Path] = field(default_factory=dict)  # pack-relative path: source file
    question_ids: list[str] = field(default_factory=list)
    title: str | None = None
    title_note: str | None = None  # why a source's title was not used
    language: str = "en"
    language_note: str | None = None  # how the language was decided, when not by --lang


def settle_kinds(sources: list[Source], default_kind: str) -> None:
    """Each question's kind: the source's own, else behavioural for a story question,
    technical for one whose prompt shows code, else ``default_kind``."""
    for source in sources:
        for question in source.records.questions:
            question.kind = question.kind or kind_of(question.title, question.prompt, default_kind)


def plan(sources: list[Source], choices: Choices, taken_ids: set[str]) -> Pack:
    """Ids, kinds and files for the records of ``sources`` (``taken_ids``: the built-in ids)."""
    settle_kinds(sources, choices.default_kind)
    pack = Pack()
    used_ids = set(taken_ids)
    used_groups: set[str] = set()
    used_stems: set[str] = set()
    ask_only = not any(source.records.questions for source in sources)
    language, language_note = _language(sources, choices)
    ask_language = language if ask_only else "en"
    for source in sources:
        records = source.records
        stem = _unique(slugify(source.path.stem) or "source", used_stems)
        comment = f"# Imported from {source.path.name} by guidegen import.\n"
        if records.images is not None:
            for relative, image in records.images.copies.items():
                pack.images.setdefault(relative, image)  # the same path: the same file
        questions = []
        for question in records.questions:
            question_id = _unique(slugify(question.title) or "question", used_ids)
            pack.question_ids.append(question_id)
            entry: dict = {
                "id": question_id,
                "title": escape_placeholders(question.title),
                "kind": question.kind,
            }
            if question.tags:
                entry["tags"] = Flow(question.tags)
            if question.prompt:
                entry["prompt"] = Block(escape_placeholders(question.prompt))
            if question.answer:
                entry["answer"] = Block(escape_placeholders(question.answer))
            if question.follow_ups:
                entry["follow_ups"] = [escape_placeholders(f) for f in question.follow_ups]
            questions.append(entry)
        if questions:
            pack.files[f"questions/{stem}.yaml"] = (comment, {"questions": questions})
        groups = []
        for group in records.ask_groups:
            items = []
            for item in group.items:
                entry = {"question": escape_placeholders(item.question)}
                if item.note:
                    entry["note"] = escape_placeholders(item.note)
                items.append(entry)
            entry = {
                "id": _unique(slugify(group.title) or "group", used_groups),
                "title": escape_placeholders(group.title),
            }
            if ask_only and ask_language != "en":
                # Printed among the built-in (English) questions: marked with its own language.
                entry["language"] = ask_language
            entry["items"] = items
            groups.append(entry)
        if groups:
            pack.files[f"ask/{stem}.yaml"] = (comment, {"groups": groups})

    pack.language_note = language_note
    if ask_only and ask_language != "en":
        pack.language_note = (
            f"the questions to ask are marked {ask_language}; the book around them is the "
            "built-in one, in English (--lang sets their language)"
        )
    if not ask_only:  # else the book is the built-in one, with its title and language
        pack.title, pack.title_note = _title(sources, choices)
        pack.language = language
    workbook: dict = {"extends": "builtin"}
    if pack.title:
        workbook["title"] = pack.title
    if pack.language != "en":
        workbook["language"] = pack.language  # /Lang, hyphenation, right to left, labels
    if pack.question_ids:
        workbook["default_role"] = choices.role_id
    if any(s.records.ask_groups for s in sources):
        workbook["builtin_ask"] = False  # the imported questions to ask, not the built-in ones too
    left_out = "how-to text, STAR steps"
    left_out += ", roles and questions" if ask_only else ""
    left_out += "" if any(s.records.ask_groups for s in sources) else ", questions to ask"
    pack.files["workbook.yaml"] = (
        f"# What this pack leaves out ({left_out}) comes from the built-in pack.\n",
        workbook,
    )
    if pack.question_ids:
        role = {"id": choices.role_id, "title": choices.role_title, "questions": pack.question_ids}
        pack.files[f"roles/{choices.role_id}.yaml"] = ("", role)
    # else only questions to ask: the built-in roles and questions print them
    return pack


def _title(sources: list[Source], choices: Choices) -> tuple[str | None, str | None]:
    """--title, or the page title of the one source imported (several sources have several)."""
    if choices.title:
        return choices.title.strip(), None
    titled = [s for s in sources if s.records.title]
    if len(sources) != 1 or not titled:
        return None, None
    assert titled[0].records.title is not None  # titled keeps only sources with a title
    title = plain(titled[0].records.title)
    if not title:
        return None, None
    if any(True for _ in placeholders(title)):
        return None, (
            f"the title '{title}' is not used: guidegen would read its braces as a "
            "placeholder (give --title)"
        )
    return title, None


def _language(sources: list[Source], choices: Choices) -> tuple[str, str | None]:
    """--lang, or the language the bank's script points at, or English (with a note when the
    letters are not plain English ones)."""
    if choices.language:
        return choices.language, None
    texts = [
        text
        for source in sources
        for text in [
            *(q.title for q in source.records.questions),
            *(q.answer or "" for q in source.records.questions),
            *(item.question for group in source.records.ask_groups for item in group.items),
        ]
    ]
    guessed = guess_language(texts)
    if guessed:
        return guessed, f"language: {guessed}, from the bank's script (--lang sets another)"
    letters = [char for text in texts for char in text if char.isalpha()]
    if letters and sum(not char.isascii() for char in letters) >= 0.01 * len(letters):
        return "en", (
            "language: en; the bank's letters are not all English ones, so give --lang "
            "(for example --lang de) if it is written in another language"
        )
    return "en", None


def _unique(base: str, used: set[str]) -> str:
    candidate, number = base, 2
    while candidate in used:
        candidate, number = f"{base}-{number}", number + 1
    used.add(candidate)
    return candidate


def write(pack: Pack, out: Path) -> list[Path]:
    """Write the planned files into ``out`` (made by ``prepare_pack_dir``) and the schema."""
    from guidegen.content.packfiles import write_pack_file, write_schema
    from guidegen.output import write_atomically

    written = []
    for relative, (comment, data) in pack.files.items():
        written.append(write_pack_file(out, relative, comment + dump_content(data)))
    for relative, image in pack.images.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, image.read_bytes())
        written.append(target)
    written.append(write_schema(out))
    return written
