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


class GuidegenError(Exception):
    """A failure the user can act on; the CLI prints it as one line and exits with exit_code."""

    exit_code = 1


class ContentError(GuidegenError):
    """The content cannot be used as it is (exit 1)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(problem.one_line() for problem in problems))


class UsageError(GuidegenError):
    """The command was asked for something that does not exist (exit 2)."""

    exit_code = 2


class OutputError(UsageError):
    """An output cannot be written there: a full disk, a read-only folder, a symbolic link,
    a name too long (exit 2, like any other problem with the command's arguments)."""


class RenderError(GuidegenError):
    """Rendering the PDF failed for a reason the user can fix (exit 1)."""


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived; ``code`` is the exit code it asks for (130 or 143).

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` swallows it and
    every ``finally`` (removing a temporary file, stopping workers) still runs.
    """

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code
