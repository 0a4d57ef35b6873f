"""Errors a user can act on. The CLI turns them into one-line messages and exit codes."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, located as precisely as we can."""

    file: Path
    line: int | None
    column: int | None
    field: str
    message: str
    value: str = ""

    @property
    def location(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def one_line(self) -> str:
        field = f" {self.field}:" if self.field else ""
        value = f" (got {self.value})" if self.value else ""
        return f"{self.location}:{field} {self.message}{value}"


class ContentError(Exception):
    """The content cannot be used as it is (exit 1)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(problem.one_line() for problem in problems))


class UsageError(Exception):
    """The command was asked for something that does not exist (exit 2)."""


class RenderError(Exception):
    """Rendering or writing the PDF failed for a reason the user can fix (exit 1)."""
