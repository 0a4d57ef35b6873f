"""Stage 2: choose what goes into one workbook.

A role's questions, narrowed by tags and kinds, optionally a reproducible random pick balanced
across kinds; the checklist with the role's own questions to ask; the reader's details; and
the study plan's days. Given a job advert (``--posting``), the questions that practise its
requirements lean to the front: a ``--count`` pick takes them first, and each part prints them
before the others (``guidegen.posting`` does the matching).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from guidegen import clock
from guidegen.content.bank import Bank
from guidegen.content.models import KINDS, AskGroup, AskItem, Question, Role, TagRef
from guidegen.errors import UsageError

if TYPE_CHECKING:  # `roles` and `validate` need neither the spec nor the advert matcher
    from collections.abc import Sequence
    from collections.abc import Set as AbstractSet

    from guidegen.posting import PostingMatch
    from guidegen.spec import Person, WorkbookSpec

DEFAULT_ROLE = "devops-engineer"
PLAN_DAYS_WITHOUT_DATE = 7
DEFAULT_PLAN_DAYS = 28  # without --start, a plan for a far-off interview covers the last 4 weeks
MAX_PLAN_DAYS = 90


@dataclass(frozen=True)
class PlanDay:
    date: dt.date | None  # None: the reader writes the date in
    number: int
    questions: tuple[Question, ...]
    review: bool = False  # the last day before the interview is for rehearsal


@dataclass
class Selection:
    """What one workbook contains, in print order (kind by kind, so numbers run in order)."""

    role: Role
    questions: list[Question]
    ask_groups: list[AskGroup]
    total: int = 0  # the role's questions before narrowing
    kinds: tuple[str, ...] = ()  # --kinds as understood (aliases resolved)
    plan: list[PlanDay] = field(default_factory=list)
    competencies: list[str] = field(default_factory=list)
    posting: PostingMatch | None = None  # the advert's lines matched to the printed questions
    warnings: list[str] = field(default_factory=list)

    def by_kind(self) -> list[tuple[str, list[Question]]]:
        return [
            (kind, [q for q in self.questions if q.kind == kind])
            for kind in KINDS
            if any(q.kind == kind for q in self.questions)
        ]


def resolve_role(bank: Bank, wanted: str | None) -> Role:
    """A role by id, unique prefix or initials; UsageError lists the valid choices."""
    if wanted is None:
        # The pack's own choice, else its only role, else the built-in default.
        default = bank.workbook.default_role if bank.workbook else None
        if default is None and len(bank.roles) == 1:
            default = next(iter(bank.roles))
        if default is None and DEFAULT_ROLE not in bank.roles:
            raise UsageError(
                f"this content has {len(bank.roles)} roles; choose one with --role "
                f"({', '.join(sorted(bank.roles))}) or set default_role in "
                "workbook.yaml"
            )
        wanted = default or DEFAULT_ROLE
    wanted = wanted.strip().lower()
    if wanted in bank.roles:
        return bank.roles[wanted]
    matches = [role_id for role_id in bank.roles if role_id.startswith(wanted)]
    if len(matches) == 1:
        return bank.roles[matches[0]]
    # Initials such as "sre" for site-reliability-engineer are what people type.
    initials = [
        role_id
        for role_id in bank.roles
        if "".join(part[0] for part in role_id.split("-")) == wanted
    ]
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
    return [
        group.model_copy(update={"items": [*group.items, *extras.get(group.id, [])]})
        for group in bank.ask_groups
    ]


def _check_names(given: tuple[str, ...], known: set[str], option: str) -> None:
    unknown = [name for name in given if name not in known]
    if unknown:
        raise UsageError(
            f"{option}: unknown {', '.join(unknown)}; this role has: {', '.join(sorted(known))}"
        )


# Spellings people type for a kind: American English, and the singular of "behaviours".
KIND_ALIASES = {"behavioral": "behavioural", "behaviour": "behavioural", "behavior": "behavioural"}


def kind_names(given: tuple[str, ...]) -> tuple[str, ...]:
    """--kinds values with their aliases resolved; UsageError with a suggestion otherwise."""
    kinds = tuple(KIND_ALIASES.get(kind, kind) for kind in given)
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        import difflib

        close = difflib.get_close_matches(unknown[0], list(KINDS) + list(KIND_ALIASES), n=1)
        hint = f" (did you mean {KIND_ALIASES.get(close[0], close[0])}?)" if close else ""
        raise UsageError(
            f"--kinds: unknown {', '.join(unknown)}{hint}; the kinds are: {', '.join(KINDS)}"
        )
    return kinds


def narrow(
    questions: list[Question], spec: WorkbookSpec, preferred: Sequence[Question] = ()
) -> list[Question]:
    """Apply --kinds, --tags, --exclude-tags, then --count/--seed; keeps the role's order.

    A --count pick takes the ``preferred`` questions first, in their order, and the rest of
    its count at random as usual."""
    kinds = kind_names(spec.kinds)
    role_tags = {tag for q in questions for tag in q.tags}
    _check_names(spec.tags, role_tags, "--tags")
    _check_names(spec.exclude_tags, role_tags, "--exclude-tags")
    kept = [
        q
        for q in questions
        if (not kinds or q.kind in kinds)
        and (not spec.tags or set(q.tags) & set(spec.tags))
        and not set(q.tags) & set(spec.exclude_tags)
    ]
    if not kept:
        raise UsageError("no question matches these --kinds/--tags/--exclude-tags for this role")
    if spec.count is None:
        return kept
    if spec.count > len(kept):
        raise UsageError(
            f"--count {spec.count} asks for more questions than match "
            f"({len(kept)}); use --count {len(kept)} or fewer"
        )
    kept_ids = {q.id for q in kept}
    first = [q.id for q in preferred if q.id in kept_ids][: spec.count]
    rest = [q for q in kept if q.id not in first]
    picked = set(first) | {q.id for q in pick_balanced(rest, spec.count - len(first), spec.seed)}
    return [q for q in kept if q.id in picked]


def pick_balanced(questions: list[Question], count: int, seed: int) -> list[Question]:
    """A reproducible random pick of ``count`` questions, spread as evenly as the kinds allow.

    Each kind gets an equal share (the remainder going to the kinds with most questions);
    a kind with too few gives its unused share to the others.
    """
    if count == 0:
        return []
    pools = {kind: [q for q in questions if q.kind == kind] for kind in KINDS}
    pools = {kind: pool for kind, pool in pools.items() if pool}
    quota = dict.fromkeys(pools, 0)
    left = count
    while left:
        open_kinds = sorted(
            (k for k in pools if quota[k] < len(pools[k])),
            key=lambda k: (quota[k], -len(pools[k]), KINDS.index(k)),
        )
        quota[open_kinds[0]] += 1
        left -= 1
    rng = random.Random(seed)
    picked = {q.id for kind, pool in pools.items() for q in rng.sample(pool, quota[kind])}
    return [q for q in questions if q.id in picked]


def study_plan(questions: list[Question], personal: Person) -> list[PlanDay]:
    try:
        return _study_plan(questions, personal)
    except OverflowError:
        raise UsageError(
            "the study plan's dates run past the calendar (year 1 to 9999); "
            "check --date and --start"
        ) from None


def _study_plan(questions: list[Question], personal: Person) -> list[PlanDay]:
    """Spread the questions over the days before the interview, one rehearsal day last.

    With --date: the days from --start to the day before the interview. Without --start the
    plan begins today, or four weeks before the interview if that is later.
    Without --date: seven days, dated from --start if given, otherwise left for the reader to date.
    """
    start = personal.start
    if personal.date:
        if start is None:
            start = max(clock.today(), personal.date - dt.timedelta(days=DEFAULT_PLAN_DAYS))
        days = (personal.date - start).days
        if days < 1:
            raise UsageError(
                f"the interview date {personal.date} must be after the plan's "
                f"start {start}; give --start YYYY-MM-DD"
            )
        if days > MAX_PLAN_DAYS:
            raise UsageError(
                f"the study plan would run {days} days; give a --start within "
                f"{MAX_PLAN_DAYS} days of the interview"
            )
    else:
        days = PLAN_DAYS_WITHOUT_DATE
    study_days = days - 1 if days >= 3 else days
    plan = []
    for index in range(days):
        chunk: tuple[Question, ...] = ()
        if index < study_days:
            # Even chunks, earlier days taking the remainder, so day N never trails day N+1.
            first = index * len(questions) // study_days
            last = (index + 1) * len(questions) // study_days
            chunk = tuple(questions[first:last])
        date = start + dt.timedelta(days=index) if start else None
        plan.append(PlanDay(date, index + 1, chunk, review=index >= study_days))
    return plan


def competencies(questions: list[Question]) -> list[str]:
    """Story-bank columns: the competencies the behavioural questions test, in order, once."""
    seen: dict[str, None] = {}
    for question in questions:
        if question.competency_name:
            seen.setdefault(question.competency_name, None)
    return list(seen)


def in_print_order(
    questions: list[Question], first: AbstractSet[str] = frozenset()
) -> list[Question]:
    """Kind by kind, as the parts print, keeping the role's order within each kind; the
    questions in ``first`` (those an advert asks for) lead their part."""
    return sorted(questions, key=lambda q: (KINDS.index(q.kind), q.id not in first))


def select(bank: Bank, spec: WorkbookSpec) -> Selection:
    role = resolve_role(bank, spec.role)
    everything = role_questions(bank, role)
    posting, warnings = None, []
    if spec.posting is None:
        questions = in_print_order(narrow(everything, spec))
    else:
        from guidegen.posting import MAX_LINES, all_requirement_lines, match_posting

        # Matched against every question the filters keep, so that a --count pick can take
        # the matched ones first; then matched again against those printed, for the worksheet.
        kept = in_print_order(narrow(everything, spec.with_changes(count=None)))
        wanted = match_posting(spec.posting, kept, bank.vocabulary)
        chosen = in_print_order(narrow(everything, spec, wanted.matched))
        posting = match_posting(spec.posting, chosen, bank.vocabulary)
        questions = in_print_order(chosen, posting.matched_ids)
        extra = len(all_requirement_lines(spec.posting.text)) - MAX_LINES
        if extra > 0:
            warnings.append(
                f"{spec.posting.name}: the job advert has {extra + MAX_LINES} requirement "
                f"lines; the worksheet lists the first {MAX_LINES}"
            )
    return Selection(
        role=role,
        questions=questions,
        ask_groups=ask_groups_for(bank, role),
        total=len(everything),
        kinds=kind_names(spec.kinds),
        plan=study_plan(questions, spec.person),
        # The story bank serves the role's behavioural questions even when this workbook
        # prints only some of them.
        competencies=competencies(questions) or competencies(everything),
        posting=posting,
        warnings=warnings,
    )
