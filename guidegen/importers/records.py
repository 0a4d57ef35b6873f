"""What an importer makes of one source file: neutral records, before any id or file exists.

Each shape's parser (``ask_markdown``, ``questions_markdown``, ``details``, ``csv_bank``) turns
text into a ``SourceRecords``; ``pack`` gives the records ids and writes them as a content pack.
Every record keeps the line it came from, so the report can point at the source.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guidegen.importers.images import ImagePlan


@dataclass
class ImportedQuestion:
    line: int  # the source line of its title
    title: str  # inline Markdown, as the source writes it (numbering removed)
    answer: str | None = None  # Markdown, the author's text
    prompt: str | None = None  # Markdown: what the source puts before an explicit "Answer:"
    kind: str | None = None  # as the source gives it (a CSV column); None: decided on import
    tags: list[str] = field(default_factory=list)
    follow_ups: list[str] = field(default_factory=list)  # questions nested under it


@dataclass
class ImportedAskItem:
    line: int
    question: str
    note: str | None = None


@dataclass
class ImportedAskGroup:
    line: int
    title: str
    items: list[ImportedAskItem] = field(default_factory=list)


@dataclass
class Skipped:
    """Something that looked like content but was not imported, and why."""

    line: int | None
    reason: str


@dataclass
class SourceRecords:
    shape: str  # one of detect.FORMATS
    title: str | None = None  # the page's own title: its first '#' heading, or front matter
    questions: list[ImportedQuestion] = field(default_factory=list)
    ask_groups: list[ImportedAskGroup] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # Lines passed over as not content at all (front matter, MDX, prose between questions),
    # counted by what they are, as (singular, plural) names: one report line each.
    ignored: Counter[tuple[str, str]] = field(default_factory=Counter)
    first_ignored: dict[tuple[str, str], int] = field(default_factory=dict)
    nothing_because: str = ""  # why a source yielded nothing, in the shape's own words
    images: ImagePlan | None = None  # the images it shows: copied into the pack, or why not

    def ignore(self, what: tuple[str, str], line: int, count: int = 1) -> None:
        self.ignored[what] += count
        self.first_ignored.setdefault(what, line)

    def skip(self, line: int | None, reason: str) -> None:
        self.skipped.append(Skipped(line, reason))

    @property
    def ask_items(self) -> int:
        return sum(len(group.items) for group in self.ask_groups)


# The names of what is ignored, shared by the parsers so the report reads the same.
FRONT_MATTER = ("front-matter line", "front-matter lines")
MDX = ("MDX line", "MDX lines")
OUTSIDE = ("line of text outside any question", "lines of text outside any question")
CONTENTS = ("contents entry", "contents entries")
CONTROL = ("control character", "control characters")
