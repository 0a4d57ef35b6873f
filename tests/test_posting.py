"""Tailoring to a job advert (--posting), without PDFs: the requirement lines read from an
advert, the whole-word matching with the content's vocabulary, the ranking, the selection's lean
toward matched questions, and every way a posting file can be refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from guidegen.batch.attendees import read_attendees
from guidegen.batch.run import row_spec
from guidegen.content.load import load_bank
from guidegen.content.models import Question
from guidegen.errors import UsageError
from guidegen.paths import CONTENT_DIR
from guidegen.posting import (
    MAX_LINES,
    match_line,
    match_posting,
    named_tags,
    read_posting,
    requirement_lines,
)
from guidegen.select import select
from guidegen.spec import Posting, WorkbookSpec
from tests.conftest import DATA, run_cli

ADVERT = DATA / "posting" / "devops-advert.md"


@pytest.fixture(scope="module")
def bank():
    return load_bank(CONTENT_DIR)


def question(id: str, title: str, tags: list[str], kind: str = "technical") -> Question:
    return Question(id=id, title=title, kind=kind, tags=tags, why="Why.", answer="Answer.")


# ---- requirement lines ----


def test_the_test_advert_gives_its_eleven_requirements_in_order():
    lines = requirement_lines(ADVERT.read_text(encoding="utf-8"))
    assert len(lines) == 11
    assert lines[0] == (
        "Keep our build and release pipelines healthy: CI/CD in GitHub Actions, from pull "
        "request to production"  # an indented line continues its item
    )
    assert lines[1] == "Help run our k8s clusters (EKS) and the Helm charts our services ship in"
    assert lines[6] == "A working knowledge of Linux and shell scripting (Bash or Python)"
    assert "Fluent in COBOL, to help us retire our last mainframe batch jobs" in lines
    # "What we offer" and "How to apply" are about the employer, not the job.
    assert not any("holiday" in line or "CV" in line for line in lines)


def test_markdown_is_stripped_and_repeated_items_are_kept_once():
    text = (
        "Requirements:\n"
        "* **Strong** [Terraform](https://example.com/tf) skills\n"
        "+ `kubectl` and _Helm_\n"
        "* Strong Terraform skills\n"
        "- &amp; C# &lt;3\n"
    )
    assert requirement_lines(text) == ["Strong Terraform skills", "kubectl and Helm", "& C# <3"]


def test_without_lists_the_sentences_under_requirement_headings_count():
    text = (
        "# Platform Engineer\n\nWe are a small shop in Leeds.\n\n"
        "## Requirements\n\nYou know Linux well, e.g. systemd and journald. You have run "
        "PostgreSQL in production.\n\n"
        "## Benefits\n\nWe pay well. Lunch is free.\n"
    )
    assert requirement_lines(text) == [
        "You know Linux well, e.g. systemd and journald.",
        "You have run PostgreSQL in production.",
    ]


def test_plain_text_headings_in_capitals_or_with_a_colon():
    text = "WHAT WE OFFER\n- A bike\n\nYour skills:\n- Bash\n- DNS\n"
    assert requirement_lines(text) == ["Bash", "DNS"]


def test_at_most_the_first_lines_are_kept():
    text = "\n".join(f"- Skill number {n}" for n in range(1, MAX_LINES + 6))
    assert len(requirement_lines(text)) == MAX_LINES


# ---- whole words, synonyms, stop words ----


VOCABULARY = {
    "git": ["github", "pull requests"],
    "ci-cd": ["ci/cd", "github actions"],
    "kubernetes": ["k8s", "eks"],
    "iac": ["terraform", "infrastructure as code"],
    "dotnet": ["c#", ".net"],
    "tls": ["https"],
}


@pytest.mark.parametrize(
    "line, tags, named",
    [
        ("Digital transformation of our legit processes", ["git"], set()),
        ("Daily work with Git", ["git"], {"git"}),
        ("You will review Pull Request after pull request", ["git"], {"git"}),
        ("CI/CD pipelines", ["ci-cd", "git"], {"ci-cd"}),
        ("a CICD mindset, or ci-cd", ["ci-cd"], {"ci-cd"}),
        # The longest phrase wins: GitHub Actions is CI/CD, not the GitHub of git.
        ("Workflows in GitHub Actions", ["ci-cd", "git"], {"ci-cd"}),
        ("Code in C# and .NET", ["dotnet"], {"dotnet"}),
        ("C is fine, so is C++", ["dotnet"], set()),
        ("Run K8S (EKS) clusters", ["kubernetes"], {"kubernetes"}),
        ("Write IaC", ["iac"], {"iac"}),
        ("Terraform modules", ["iac"], {"iac"}),
        ("Serve everything over HTTPS", ["tls", "http"], {"tls"}),
        ("Containers and a container registry", ["containers"], {"containers"}),
        ("On call one week in six", ["on-call"], {"on-call"}),
    ],
)
def test_tags_are_named_by_whole_words_and_phrases(line, tags, named):
    assert named_tags(line, tags, VOCABULARY) == named


def test_stop_words_never_match():
    questions = [
        question("team-q", "How does your team share experience?", ["experience"], "general"),
        question("work-q", "What tools do you work with?", ["career"], "general"),
    ]
    line = "Experience working in a team, with strong skills and knowledge of our tools"
    assert match_line(line, questions, {}) == ()


def test_ranking_is_by_tags_then_title_words_then_order():
    questions = [
        question("words", "How do Kubernetes pods and Terraform modules meet?", ["linux"]),
        question("one-tag", "What is a pod?", ["kubernetes"]),
        question("two-tags", "Describe your cloud.", ["kubernetes", "iac"]),
        question("also-one-tag", "Name a namespace.", ["kubernetes"]),
        question("unrelated", "What is DNS?", ["dns"]),
    ]
    line = "Operate k8s and Terraform"
    hits = match_line(line, questions, VOCABULARY)
    assert [hit.question.id for hit in hits] == ["two-tags", "one-tag", "also-one-tag"]
    assert hits[0].tags == ("kubernetes", "iac") and hits[0].words == ()
    # The same input gives the same answer; the order given breaks ties.
    assert match_line(line, questions, VOCABULARY) == hits
    flipped = match_line(line, [questions[3], *questions[:3]], VOCABULARY)
    assert [hit.question.id for hit in flipped] == ["two-tags", "also-one-tag", "one-tag"]
    # Without the limit, title words alone still count, after every tag hit.
    everything = match_line(line, questions, VOCABULARY, limit=10)
    assert [hit.question.id for hit in everything][-1] == "words"
    assert everything[-1].tags == () and everything[-1].words == ("terraform",)


def test_the_built_in_content_matches_the_test_advert(bank):
    posting = read_posting(ADVERT)
    selection = select(bank, WorkbookSpec(posting=posting))
    lines = {line.text: line for line in selection.posting.lines}
    kubernetes = lines["Help run our k8s clusters (EKS) and the Helm charts our services ship in"]
    assert {hit.question.id for hit in kubernetes.hits} == {
        "platform-kubernetes-basics",
        "k8s-ingress-gateway-api",
        "k8s-probes-resources-node-failure",
    }
    iac = lines["Write and review IaC: most of our cloud is described in Terraform"]
    assert [hit.question.id for hit in iac.hits][:2] == [
        "iac-terraform-state",
        "infrastructure-as-code",
    ]
    assert all(len(line.hits) <= 3 for line in lines.values())
    assert selection.posting.uncovered == [
        "Fluent in COBOL, to help us retire our last mainframe batch jobs"
    ]


# ---- the selection leans toward the advert ----


def test_matched_questions_lead_each_part(bank):
    posting = read_posting(ADVERT)
    selection = select(bank, WorkbookSpec(posting=posting))
    matched = selection.posting.matched_ids
    assert len(matched) > 15
    plain = select(bank, WorkbookSpec())
    assert {q.id for q in selection.questions} == {q.id for q in plain.questions}
    for kind, questions in selection.by_kind():
        flags = [q.id in matched for q in questions]
        assert flags == sorted(flags, reverse=True), kind  # matched first, then the rest
        role_order = [q.id for q in plain.questions if q.kind == kind]
        mine = [q.id for q in questions if q.id in matched]
        assert mine == [q for q in role_order if q in matched], kind  # in the role's order


def test_a_count_takes_matched_questions_first(bank):
    posting = read_posting(ADVERT)
    wanted = match_posting(posting, select(bank, WorkbookSpec()).questions, bank.vocabulary)
    first_ranked = {line.hits[0].question.id for line in wanted.lines if line.hits}
    few = select(bank, WorkbookSpec(posting=posting, count=len(first_ranked)))
    assert {q.id for q in few.questions} == first_ranked
    many = select(bank, WorkbookSpec(posting=posting, count=30, seed=3))
    assert wanted.matched_ids <= {q.id for q in many.questions}
    assert len(many.questions) == 30


def test_the_advert_travels_in_the_spec_and_batch_rows_share_it(tmp_path):
    (tmp_path / "adverts").mkdir()
    (tmp_path / "adverts" / "ops.md").write_text("- Linux\n- DNS\n", encoding="utf-8")
    (tmp_path / "room.csv").write_text(
        "name,posting\nAnn,adverts/ops.md\nBen,\nCy,../outside.md\nDi,adverts/none.md\n",
        encoding="utf-8",
    )
    rows = read_attendees(tmp_path / "room.csv").rows
    bank = load_bank(DATA / "tiny")
    base = WorkbookSpec(content=DATA / "tiny", posting=Posting("base.md", "- Git\n"))
    ann = row_spec(rows[0], bank, base, tmp_path)
    assert ann.posting == Posting("ops.md", "- Linux\n- DNS\n")
    assert row_spec(rows[1], bank, base, tmp_path).posting.name == "base.md"
    with pytest.raises(UsageError, match="posting '../outside.md' is outside the CSV's folder"):
        row_spec(rows[2], bank, base, tmp_path)
    with pytest.raises(UsageError, match="posting 'adverts/none.md': no such file"):
        row_spec(rows[3], bank, base, tmp_path)
    # Copies with the same advert have the same body.
    assert ann.body_key == row_spec(rows[0], bank, base, tmp_path).with_person(name="X").body_key


# ---- refused files: one line, exit 2 ----


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty; paste the job advert's text into it"),
        (b"  \n\n", "is empty"),
        (b"%PDF-1.7\n...", "is not a text file (it holds binary data"),
        (b"- Linux\x00\x01", "is not a text file"),
        (b"- Linux\n- Caf\xe9\n", ":2: not UTF-8 text (byte 0xe9); save the advert as UTF-8"),
        (b"x" * (200 * 1024 + 1), "is 200 KB; a job advert may be at most 200 KB of text"),
        (b"We are a friendly team in a nice office.\n", "no requirement lines found"),
    ],
)
def test_a_bad_posting_file_is_a_one_line_usage_error(tmp_path, content, message):
    advert = tmp_path / "advert.txt"
    advert.write_bytes(content)
    result = run_cli(
        "build", "--content", DATA / "tiny", "--posting", advert, "--out", tmp_path / "x.pdf"
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert result.stderr.startswith(f"usage error: --posting {advert}")
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("make", ["folder", "missing"])
def test_a_posting_that_is_no_file_is_refused(tmp_path, make):
    path = tmp_path / "advert.md"
    if make == "folder":
        path.mkdir()
    with pytest.raises(UsageError, match="is a folder|no such file"):
        read_posting(Path(path))
