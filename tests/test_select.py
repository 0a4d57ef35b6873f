"""Selection: roles by prefix, narrowing, balanced reproducible picks, study plan, story bank."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from guidegen.content.load import load_bank
from guidegen.errors import UsageError
from guidegen.paths import CONTENT_DIR
from guidegen.select import in_print_order, pick_balanced, role_questions, select, study_plan
from guidegen.spec import Person, WorkbookSpec


def pick(bank, role=None, **criteria):
    return select(bank, WorkbookSpec(role=role, **criteria))


@pytest.fixture(scope="module")
def bank():
    return load_bank(CONTENT_DIR)


@pytest.mark.parametrize(
    "typed, role",
    [
        ("sre", "site-reliability-engineer"),
        ("site", "site-reliability-engineer"),
        ("cloud", "cloud-engineer"),
        ("p", "platform-engineer"),
        (None, "devops-engineer"),
    ],
)
def test_role_by_id_prefix_or_initials(bank, typed, role):
    assert pick(bank, typed).role.id == role


def test_ambiguous_prefix_is_a_usage_error(content_copy):
    role = content_copy / "roles" / "cloud-engineer.yaml"
    (content_copy / "roles" / "cloud-architect.yaml").write_text(
        role.read_text().replace("id: cloud-engineer", "id: cloud-architect")
    )
    with pytest.raises(UsageError, match="ambiguous: it matches cloud-architect, cloud-engineer"):
        pick(load_bank(content_copy), "cloud")


def test_every_role_has_twenty_questions_and_eight_of_its_own(bank):
    assert len(bank.roles) >= 4
    usage = Counter(q.id for role in bank.roles.values() for q in role_questions(bank, role))
    for role in bank.roles.values():
        questions = role_questions(bank, role)
        own = [q for q in questions if usage[q.id] == 1]
        assert len(questions) >= 20, role.id
        if role.id != "devops-engineer":  # the default role is the shared bank itself
            assert len(own) >= 8, role.id
            assert any(q.kind == "behavioural" for q in own), role.id


def test_filters(bank):
    chosen = pick(bank, "sre", kinds=("technical",)).questions
    assert chosen and {q.kind for q in chosen} == {"technical"}
    everything = role_questions(bank, bank.roles["devops-engineer"])
    tagged = {q.id for q in everything if "containers" in q.tags}
    assert {"containers-vs-vms", "docker-project"} <= tagged
    chosen = pick(bank, "devops", tags=("containers",)).questions
    assert {q.id for q in chosen} == tagged
    chosen = pick(bank, "devops", exclude_tags=("containers",)).questions
    assert not tagged & {q.id for q in chosen}
    assert len(chosen) == len(everything) - len(tagged)


@pytest.mark.parametrize(
    "criteria, message",
    [
        (dict(tags=("kubernetes-wizardry",)), "--tags: unknown kubernetes-wizardry"),
        (dict(kinds=("trivia",)), "--kinds: unknown trivia"),
        (dict(count=99), "--count 99 asks for more questions than match"),
        (dict(tags=("containers",), exclude_tags=("containers",)), "no question matches"),
    ],
)
def test_impossible_selections_are_usage_errors(bank, criteria, message):
    with pytest.raises(UsageError, match=message):
        pick(bank, "devops", **criteria)


def test_same_seed_same_pick_other_seed_other_pick(bank):
    first = [q.id for q in pick(bank, count=9, seed=5).questions]
    again = [q.id for q in pick(bank, count=9, seed=5).questions]
    other = [q.id for q in pick(bank, count=9, seed=6).questions]
    assert first == again and first != other and len(first) == 9


@pytest.mark.parametrize("count", [3, 6, 9, 12, 20])
def test_pick_is_balanced_across_kinds(bank, count):
    questions = role_questions(bank, bank.roles["devops-engineer"])
    for seed in range(5):
        got = Counter(q.kind for q in pick_balanced(questions, count, seed))
        available = Counter(q.kind for q in questions)
        assert sum(got.values()) == count
        # A kind that still has questions left is never more than one behind any other kind.
        for kind in available:
            if got[kind] < available[kind]:
                assert all(got[kind] >= other - 1 for other in got.values()), (count, got)


def test_pick_keeps_the_roles_order_within_each_kind(bank):
    everything = in_print_order(role_questions(bank, bank.roles["devops-engineer"]))
    chosen = [q.id for q in pick(bank, count=10, seed=1).questions]
    assert chosen == [q.id for q in everything if q.id in chosen]


def test_study_plan_runs_from_start_to_the_day_before_the_interview(bank):
    questions = role_questions(bank, bank.roles["devops-engineer"])
    plan = study_plan(questions, Person(date=dt.date(2027, 3, 10), start=dt.date(2027, 3, 1)))
    assert [day.date for day in plan] == [dt.date(2027, 3, d) for d in range(1, 10)]
    assert plan[-1].review and not plan[-1].questions
    planned = [q for day in plan for q in day.questions]
    assert planned == questions  # every question once, in order
    sizes = [len(day.questions) for day in plan[:-1]]
    assert max(sizes) - min(sizes) <= 1


def test_study_plan_starts_today_by_default(bank, frozen_today):
    plan = study_plan([], Person(date=dt.date(2027, 3, 5)))
    assert plan[0].date == frozen_today == dt.date(2027, 3, 1) and len(plan) == 4


def test_study_plan_without_a_date_has_seven_undated_days(bank):
    plan = study_plan(role_questions(bank, bank.roles["devops-engineer"]), Person())
    assert len(plan) == 7 and all(day.date is None for day in plan)
    start = dt.date(2027, 1, 4)
    assert study_plan([], Person(start=start))[6].date == dt.date(2027, 1, 10)


def test_study_plan_for_a_far_interview_covers_the_last_four_weeks(bank, frozen_today):
    interview = frozen_today + dt.timedelta(days=100)
    plan = study_plan([], Person(date=interview))
    assert len(plan) == 28 and plan[0].date == interview - dt.timedelta(days=28)
    assert plan[-1].date == interview - dt.timedelta(days=1)


def test_study_plan_rejects_an_interview_before_the_start(bank):
    with pytest.raises(UsageError, match="must be after"):
        study_plan([], Person(date=dt.date(2027, 1, 1), start=dt.date(2027, 1, 1)))


def test_story_bank_columns_come_from_the_roles_behavioural_questions(bank):
    sre = pick(bank, "sre")
    expected = [q.competency for q in sre.questions if q.kind == "behavioural"]
    assert sre.competencies == list(dict.fromkeys(expected))
    assert "Calm under incident" in sre.competencies
    technical_only = pick(bank, "sre", kinds=("technical",))
    assert technical_only.competencies == sre.competencies
