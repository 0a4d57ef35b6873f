"""Stage 2: choose what goes into one workbook (a role's questions, checklist, personal details)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from guidegen.errors import UsageError
from guidegen.load import Bank
from guidegen.models import KINDS, AskGroup, AskItem, Question, Role, TagRef

DEFAULT_ROLE = "devops-engineer"


@dataclass(frozen=True)
class Personal:
    name: str | None = None
    company: str | None = None
    date: dt.date | None = None


@dataclass
class Selection:
    """What one workbook contains, in print order."""

    role: Role
    questions: list[Question]
    ask_groups: list[AskGroup]
    personal: Personal = field(default_factory=Personal)

    def by_kind(self) -> list[tuple[str, list[Question]]]:
        return [(kind, [q for q in self.questions if q.kind == kind])
                for kind in KINDS if any(q.kind == kind for q in self.questions)]


def resolve_role(bank: Bank, wanted: str | None) -> Role:
    """A role by id or unique prefix; UsageError lists the valid choices."""
    wanted = (wanted or DEFAULT_ROLE).strip().lower()
    if wanted in bank.roles:
        return bank.roles[wanted]
    matches = [role_id for role_id in bank.roles if role_id.startswith(wanted)]
    if len(matches) == 1:
        return bank.roles[matches[0]]
    # Initials such as "sre" for site-reliability-engineer are what people type.
    initials = [role_id for role_id in bank.roles
                if "".join(part[0] for part in role_id.split("-")) == wanted]
    if len(initials) == 1:
        return bank.roles[initials[0]]
    choices = ", ".join(sorted(bank.roles))
    if len(matches) > 1:
        raise UsageError(f"role '{wanted}' is ambiguous: it matches {', '.join(matches)}")
    raise UsageError(f"unknown role '{wanted}'; choose one of: {choices}")


def role_questions(bank: Bank, role: Role) -> list[Question]:
    """The role's questions in the order its file names them, each once."""
    chosen: dict[str, Question] = {}
    for ref in role.questions:
        if isinstance(ref, TagRef):
            found = bank.questions_with_tag(ref.tag)
        else:
            found = [bank.questions[ref]]
        for question in found:
            chosen.setdefault(question.id, question)
    return list(chosen.values())


def ask_groups_for(bank: Bank, role: Role) -> list[AskGroup]:
    """The shared checklist with the role's own questions added to their groups."""
    extras: dict[str, list[AskItem]] = {}
    for extra in role.ask:
        extras.setdefault(extra.group, []).extend(extra.items)
    return [group.model_copy(update={"items": [*group.items, *extras.get(group.id, [])]})
            for group in bank.ask_groups]


def select(bank: Bank, role_name: str | None = None, personal: Personal | None = None) -> Selection:
    role = resolve_role(bank, role_name)
    return Selection(role=role, questions=role_questions(bank, role),
                     ask_groups=ask_groups_for(bank, role), personal=personal or Personal())
