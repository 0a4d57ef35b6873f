"""The built-in content pack: complete, consistent, and written in our own words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from guidegen.content.load import load_bank
from guidegen.content.models import KINDS
from guidegen.paths import CONTENT_DIR
from guidegen.select import role_questions

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seeds" / "000_b02c4c9a3cc1f810.txt"
OVERLAP_WORDS = 7  # a run this long shared with the seed means a copied phrase


@pytest.fixture(scope="module")
def bank():
    return load_bank(CONTENT_DIR)


def test_devops_role_has_every_question_of_the_guide(bank, seed_titles):
    everything = role_questions(bank, bank.roles["devops-engineer"])
    titles = [q.title for q in everything]
    assert set(seed_titles) <= set(titles)
    guide = [q for q in everything if q.title in seed_titles]
    # The guide's order, kind by kind (the guide filed two "tell me about a time" stories as
    # general questions; here they are behavioural, so they get STAR space).
    by_kind = {kind: [q.title for q in guide if q.kind == kind] for kind in KINDS}
    assert sum(by_kind.values(), []) == [
        t for kind in KINDS for t in seed_titles if t in by_kind[kind]
    ]
    assert tuple(len(by_kind[kind]) for kind in KINDS) == (12, 9, 4)
    for question in guide:
        assert len(question.answer.split()) >= 80, f"{question.id}: answer too thin"
        assert question.follow_ups and question.good_answer


def test_every_role_is_a_complete_interview(bank):
    for role in bank.roles.values():
        questions = role_questions(bank, role)
        kinds = {kind: sum(q.kind == kind for q in questions) for kind in KINDS}
        assert len(questions) >= 40, role.id
        assert kinds["behavioural"] >= 8 and kinds["technical"] >= 8, (role.id, kinds)


def test_no_title_says_tell_me_about_a_time_without_being_behavioural(bank):
    for question in bank.questions.values():
        if question.title.lower().startswith(("tell me about a time", "describe a time")):
            assert question.kind == "behavioural" and question.competency, question.id


def test_every_question_has_key_points_for_its_flashcard(bank):
    for question in bank.questions.values():
        assert 3 <= len(question.key_points) <= 5, question.id
        assert all(len(point.split()) <= 14 for point in question.key_points), question.id


def test_the_guides_cut_off_answer_is_finished(bank):
    rollback = bank.questions["rollback-broken-deployment"]
    assert rollback.answer.rstrip().endswith((".", ")"))
    assert "Example" in rollback.answer


def test_questions_to_ask(bank):
    ids = [group.id for group in bank.ask_groups]
    assert ids[:6] == ["role", "team", "engineering", "growth", "culture", "next-steps"]
    assert len(ids) >= 10 and sum(len(group.items) for group in bank.ask_groups) >= 80
    assert all(item.note for group in bank.ask_groups for item in group.items)
    # Whom to ask is data, printed as a mark; every built-in item names it.
    items = [item for group in bank.ask_groups for item in group.items]
    items += [item for role in bank.roles.values() for ask in role.ask for item in ask.items]
    assert all(item.audience for item in items)
    assert {who for item in items for who in item.audience} == {"recruiter", "manager", "engineer"}
    assert {"leave-and-benefits", "visa-and-relocation", "inclusion"} <= set(ids)
    questions = [item.question.lower() for group in bank.ask_groups for item in group.items]
    assert len(set(questions)) == len(questions), "a question to ask appears twice"


def test_every_behavioural_answer_is_a_star_story(bank):
    for question in bank.questions.values():
        if question.kind == "behavioural":
            for step in ("**Situation:**", "**Task:**", "**Action:**", "**Result:**"):
                assert step in question.answer, f"{question.id} lacks {step}"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))


def _own_text(data, skip_keys=("title", "id", "tags", "kind", "answer_type", "competency")):
    if isinstance(data, dict):
        for key, value in data.items():
            if key not in skip_keys:
                yield from _own_text(value, skip_keys)
    elif isinstance(data, list):
        for value in data:
            yield from _own_text(value, skip_keys)
    elif isinstance(data, str):
        yield data


@pytest.mark.skipif(not SEED.exists(), reason="the seed guide is not beside this checkout")
def test_no_phrase_is_copied_from_the_seed_guide():
    seed = _words(SEED.read_text(encoding="utf-8"))
    seed_runs = {tuple(seed[i : i + OVERLAP_WORDS]) for i in range(len(seed) - OVERLAP_WORDS)}
    copied = []
    for path in sorted(CONTENT_DIR.rglob("*.yaml")):
        for text in _own_text(yaml.safe_load(path.read_text(encoding="utf-8"))):
            words = _words(text)
            for i in range(len(words) - OVERLAP_WORDS + 1):
                if tuple(words[i : i + OVERLAP_WORDS]) in seed_runs:
                    copied.append(f"{path.name}: {' '.join(words[i : i + OVERLAP_WORDS])}")
    assert not copied, "\n".join(copied)


# What a 2026 entry-level round asks about, and the questions that cover each topic.
ROUND_TOPICS = {
    "Linux and processes": {"linux-processes-permissions", "linux-slow-server"},
    "networking (DNS, TCP, HTTP, TLS)": {
        "net-url-to-page",
        "net-dns-dig",
        "net-tcp-vs-udp",
        "net-http-status-codes",
        "net-tls-certificates",
    },
    "Git": {"git-branching-strategies", "git-leaked-secret", "commit-to-production"},
    "containers": {"containers-vs-vms", "docker-project", "dockerfile-review"},
    "Kubernetes": {
        "platform-kubernetes-basics",
        "platform-crashloopbackoff",
        "k8s-probes-resources-node-failure",
    },
    "ingress and the Gateway API": {"k8s-ingress-gateway-api"},
    "IaC state": {"iac-terraform-state"},
    "cloud basics": {
        "cloud-regions-availability-zones",
        "cloud-iam-basics",
        "cloud-vpc-two-tier",
        "cloud-shared-responsibility",
    },
    "observability": {"observability-basics", "monitoring-tools"},
    "incidents": {"sre-incident-response", "troubleshoot-service-down"},
    "secrets": {"secrets-and-credentials", "git-leaked-secret"},
    "scripting": {"scripting-languages", "log-count-5xx", "python-api-retries-backoff"},
    "backups and restore": {"backups-disaster-recovery"},
}


@pytest.mark.parametrize(
    "role_id",
    ["cloud-engineer", "devops-engineer", "platform-engineer", "site-reliability-engineer"],
)
def test_every_role_covers_a_whole_round(bank, role_id):
    ids = {q.id for q in role_questions(bank, bank.roles[role_id])}
    assert set().union(*ROUND_TOPICS.values()) <= set(bank.questions)
    missing = [topic for topic, covering in ROUND_TOPICS.items() if not ids & covering]
    assert not missing, f"{role_id} has no question on: {', '.join(missing)}"
