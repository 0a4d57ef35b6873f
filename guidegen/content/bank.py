"""The loaded content folder: what ``load.load_bank`` returns and the content cache rebuilds.

A module of its own, without PyYAML or the loader, so that a command served from the cache
(``guidegen.content.cache``) imports neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from guidegen.errors import Problem

if TYPE_CHECKING:  # not at run time: a cached summary needs no pydantic
    from guidegen.content.models import AskGroup, Question, Role, WorkbookText


@dataclass
class Bank:
    """Everything in one content folder, validated."""

    content_dir: Path
    workbook: WorkbookText
    questions: dict[str, Question]
    ask_groups: list[AskGroup]
    roles: dict[str, Role]
    workbook_file: Path | None = None  # as shown to the author, for problems found later
    vocabulary: dict[str, list[str]] = field(default_factory=dict)  # tag: advert words
    warnings: list[Problem] = field(default_factory=list)  # what will not print, and where
    builtin_questions: int = 0  # of ``questions``, how many come from the built-in pack
    builtin_ask: bool = False  # the questions to ask are the built-in pack's

    def questions_with_tag(self, tag: str) -> list[Question]:
        return [q for q in self.questions.values() if tag in q.tags]
