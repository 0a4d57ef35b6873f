"""The content format, as pydantic models.

These models are the single definition of what a content file may hold: ``load`` validates
against them and ``guidegen schema`` writes their JSON Schema for editors.
"""

from typing import Annotated, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

KINDS = ("general", "behavioural", "technical")
STAR_KEYS = ("situation", "task", "action", "result")

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")]
Kind = Literal["general", "behavioural", "technical"]


class _Strict(BaseModel):
    # An unknown key is almost always a typo ("tip" spelled "tips"): refuse it rather than
    # silently dropping the author's text.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Question(_Strict):
    id: Slug = Field(description="Unique across the content folder; kebab-case.")
    title: Text = Field(description="The question as the interviewer asks it. May use {company}.")
    kind: Kind
    tags: list[Slug] = Field(
        default_factory=list,
        description="Topics (optional): a role can name every question with a tag, and "
        "--tags narrows by them.",
    )
    prompt: Text | None = Field(
        None,
        description="Markdown: a scenario, log excerpt or code that belongs to the question "
        "itself, printed under the title.",
    )
    why: Text | None = Field(None, description="Markdown: why interviewers ask it (optional).")
    answer_type: Literal["sample", "framework"] = Field(
        "sample", description="sample: a worked answer; framework: steps to build one."
    )
    answer: Text | None = Field(
        None, description="Markdown: the sample answer or answer framework (optional)."
    )
    key_points: list[Text] = Field(
        default_factory=list,
        max_length=6,
        description="A few short bullets (a line each): the answer in brief, for flashcards.",
    )
    tip: Text | None = Field(
        None, description="Markdown: how to make the answer your own (optional)."
    )
    lines: int | None = Field(
        None,
        ge=1,
        le=40,
        description="Ruled lines for the notes under a general or technical "
        "question, instead of the edition's default (the last writing space on a page also "
        "grows to the foot of the page).",
    )
    follow_ups: list[Text] = Field(
        default_factory=list, description="Questions an interviewer may ask next."
    )
    good_answer: Text | None = Field(None, description="Markdown: what a strong answer shows.")
    competency: Text | None = Field(
        None,
        description="Behavioural questions: the competency tested, a story-bank row "
        "(optional; without one it reads as General).",
    )

    @property
    def competency_name(self) -> str | None:
        if self.kind != "behavioural":
            return None
        return self.competency or "General"


class QuestionFile(_Strict):
    questions: list[Question] = Field(min_length=1)


Audience = Literal["recruiter", "manager", "engineer"]


class AskItem(_Strict):
    question: Text = Field(description="Markdown (inline): the question, as you would ask it.")
    note: Text | None = Field(None, description="What the answer tells you (optional).")
    audience: list[Audience] = Field(
        default_factory=list,
        description="Whom to ask it: recruiter, manager (the hiring manager), engineer (optional).",
    )

    @field_validator("audience")
    @classmethod
    def _each_once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("name each of recruiter, manager and engineer at most once")
        return value


class AskGroup(_Strict):
    id: Slug
    title: Text
    language: LanguageCode | None = Field(
        None,
        description="The language of this group's text, where it is not the content's own "
        "(a BCP 47 code such as ja or ar; optional).",
    )
    items: list[AskItem] = Field(min_length=1)


class AskFile(_Strict):
    groups: list[AskGroup] = Field(min_length=1)


class TagRef(_Strict):
    tag: Slug = Field(description="Every question with this tag, in bank order.")


class RoleAsk(_Strict):
    group: Slug = Field(description="The id of a group in ask/*.yaml.")
    items: list[AskItem] = Field(min_length=1)


class Role(_Strict):
    id: Slug
    title: Text
    level: Text = "Entry level"
    summary: Text | None = Field(None, description="One line for `guidegen roles` (optional).")
    intro: Text | None = Field(
        None, description="Markdown: what interviews for this role look like (optional)."
    )
    questions: list[Slug | TagRef] = Field(
        min_length=1, description="A question id, or {tag: name} for every question with it."
    )
    ask: list[RoleAsk] = Field(default_factory=list)


class StarStep(_Strict):
    key: Literal["situation", "task", "action", "result"]
    label: Text
    hint: Text
    lines: int = Field(3, ge=1, le=12)


Worksheet = Literal[
    "job-advert",
    "company-research",
    "pitch",
    "salary",
    "interview-day",
    "after-interview",
    "tracker",
]
WORKSHEETS = get_args(Worksheet)


class WorkbookText(_Strict):
    """workbook.yaml: the workbook's own text, and how the pack is put together.

    With ``extends: builtin`` every field may be left out: what is missing comes from the
    built-in pack, and so do its questions to ask when the pack has no ask/ folder. Without
    it, ``title``, ``how_to`` and ``star`` are required.
    """

    extends: Literal["builtin"] | None = Field(
        None,
        description="builtin: build on guidegen's own pack (its workbook text, STAR "
        "steps and questions to ask, and its questions for roles to name).",
    )
    title: Text | None = Field(None, description="The workbook's title, on the cover.")
    language: LanguageCode | None = Field(
        None,
        description="The language the content is written in (a BCP 47 code such as en, "
        "de or pt-BR): the document's language, and the default for labels (default en).",
    )
    theme: Text | None = Field(
        None, description="A theme folder, relative to the content folder (see docs/themes.md)."
    )
    builtin_ask: bool = Field(
        True,
        description="With extends: builtin, print the built-in questions to ask as well as the "
        "pack's own groups (which come first; a group with a built-in group's id replaces it). "
        "false: only the pack's own.",
    )
    default_role: Slug | None = Field(
        None,
        description="The role to build when no --role is given (default: the pack's only role).",
    )
    how_to: Text | None = Field(
        None, description="Markdown for the 'How to use this workbook' page."
    )
    worksheets: list[Worksheet] | None = Field(
        None,
        description="The worksheets the candidate editions print, by id (default: all of "
        "them); [] prints none. The job advert always prints with --posting.",
    )
    star: list[StarStep] | None = Field(
        None,
        min_length=4,
        max_length=4,
        description="The four STAR steps: situation, task, action, result, in that order.",
    )

    @model_validator(mode="after")
    def _star_in_order(self):
        if self.star is not None:
            keys = tuple(step.key for step in self.star)
            if keys != STAR_KEYS:
                raise ValueError("star steps must be situation, task, action, result in that order")
        return self

    def completed(self, base: "WorkbookText | None") -> "WorkbookText":
        """This file with what it leaves out taken from ``base`` (the built-in pack)."""
        values = {name: getattr(self, name) for name in type(self).model_fields}
        if base is not None:
            for name in ("title", "how_to", "star", "language"):
                if values[name] is None:
                    values[name] = getattr(base, name)
        values["language"] = values["language"] or "en"
        return self.model_copy(update=values)

    def prints(self, worksheet: str) -> bool:
        """Whether the candidate editions print the worksheet ``worksheet`` (an id)."""
        return self.worksheets is None or worksheet in self.worksheets

    def missing(self) -> list[str]:
        return [name for name in ("title", "how_to", "star") if getattr(self, name) is None]


class Vocabulary(_Strict):
    """vocabulary.yaml: words a job advert uses for a question tag (for --posting)."""

    synonyms: dict[Slug, list[Text]] = Field(
        description="tag: [words or short phrases an advert uses for it], matched as whole "
        "words, case-insensitively."
    )
