"""guidegen import: four source shapes become a pack that validates and builds as it is.

One pack is imported from all four sources in tests/data/import and built once per session;
the tests read that PDF and the pack's files. The parsers are tested on strings.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from guidegen.book.markdown import plain_text
from guidegen.content.load import load_bank
from guidegen.content.models import Question
from guidegen.content.yamlwrite import Block, Flow, dump_content
from guidegen.errors import UsageError
from guidegen.importers import ask_markdown, csv_bank, details, detect, questions_markdown
from guidegen.importers.pack import Choices, Source, plan
from guidegen.importers.records import ImportedQuestion, SourceRecords
from guidegen.importers.text import is_behavioural, slugify
from tests.conftest import DATA, build, run_cli
from tests.layout_checks import column

SOURCES = DATA / "import"
ASK = SOURCES / "ask-the-interviewer.md"
PAGE = SOURCES / "kubernetes-basics.mdx"
DETAILS = SOURCES / "linux-details.md"
BANK = SOURCES / "bank.csv"
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# What a reader finds in the PDF, part by part, in source order (bank.csv, the page, the
# <details> bank, as the sources are given on the command line).
GENERAL = [
    "What is a health check for?",
    "What does {placeholder} mean in a template?",
    "What is an SLO?",
    "What is a pod?",
    "How do you list the names of every pod in a namespace?",
    "What does a Deployment add on top of a ReplicaSet?",
    "Why might a pod stay in Pending?",
    "What is the difference between a liveness and a readiness probe?",
    "How would you template a name like {name} in a Helm chart?",
    "What is a namespace for?",
    "Explain what a Service of type ClusterIP does.",
    "What does ps aux show?",
    "How do you find which process listens on port 8080?",
    "What is the difference between kill -15 and kill -9?",
    "What is a zombie process?",
    "How do you show the 20 largest files under /var?",
    "What do the three digits in chmod 640 mean?",
    "How would you print the second field of each line with awk?",
    "What is DevOps?",
    "How do you pull one field from JSON on the command line?",
]
BEHAVIOURAL = [
    "Tell me about a time you disagreed with a reviewer.",
    "Why do you want to work here?",
    "Give me an example of a time you had to learn fast.",
    "Tell me about a time you debugged something you had never used before.",
    "Describe a time you had to learn a tool in a weekend.",
    "Describe a time you automated a boring task with a script.",
]
TECHNICAL = [
    "What is a container image?",
    "How do you read a multi-line log entry?",
    "How would you pick fields with kubectl?",
    "What is DNS caching?",
    "Read this output and say what is wrong",
]
ASKED = [
    "What would a good first month in this job look like?",
    "Who would review my work in the first weeks?",
    "How is on-call shared, and is it paid?",
    "Which part of the job do people find hardest at first?",
    "How does the team decide what to work on next?",
    "What happened the last time a release went wrong?",
    "How do people here write down decisions: {wiki} pages, tickets or chat?",
    "How did the last junior on the team grow into the role?",
    "Is there time and budget for courses or conference talks?",
    "What would you like the next person in this job to bring that the team lacks?",
]


@pytest.fixture(scope="session")
def imported(tmp_path_factory) -> tuple[Path, str]:
    pack = tmp_path_factory.mktemp("import") / "pack"
    result = run_cli("import", BANK, PAGE, ASK, DETAILS, "--out", pack)
    assert result.exit_code == 0, result.output + result.stderr
    return pack, result.output


@pytest.fixture(scope="session")
def imported_book(imported):
    pack, _ = imported
    book = build(pack.parent / "imported.pdf", "--content", pack)
    yield book
    book.close()


def page_of(book, title: str) -> int:
    """The page a question's bookmark points at."""
    (page,) = [page for level, text, page in book.outline() if level == 2 and text == title]
    return page


# ---- the pack, as built ----


def test_the_pack_validates_at_once(imported):
    pack, _ = imported
    result = run_cli("validate", "--content", pack)
    assert result.exit_code == 0, result.output
    assert "all valid" in result.output


def test_every_imported_question_is_in_the_pdf_in_source_order(imported_book):
    outline = imported_book.outline()
    parts = {}
    current = None
    for level, title, _ in outline:
        if level == 1:
            current = title
            parts[current] = []
        elif current is not None:
            parts[current].append(title)
    assert parts["General questions"] == GENERAL
    assert parts["Behavioural questions"] == BEHAVIOURAL
    assert parts["Technical questions"] == TECHNICAL
    questions = ("General questions", "Behavioural questions", "Technical questions")
    assert sum(len(parts[p]) for p in questions) == 31


def test_the_questions_to_ask_are_the_imported_ones_with_a_box_each(imported_book):
    pages = imported_book.pages_containing("Questions to ask your interviewer")
    ask_pages = [p for p in pages if "The job itself" in imported_book.page_texts[p - 1]]
    assert ask_pages, pages
    text = " ".join(imported_book.page_texts[p - 1] for p in ask_pages)
    for question in ASKED:
        assert question in text, question
    assert "Shows whether anyone has planned your start." in text
    assert "Tells you whether there is a mentor or only a ticket queue." in text
    assert "Before you start" not in text  # a group of plain bullets is not an ask group
    assert sum(imported_book.checkboxes(p) for p in ask_pages) == len(ASKED)


def test_code_and_braces_print_as_the_source_has_them(imported_book):
    page = page_of(imported_book, "How do you list the names of every pod in a namespace?")
    text = " ".join(imported_book.page_texts[page - 1 : page + 1])
    assert "# the jsonpath picks one field from each item" in text
    assert "jsonpath='{.items[*].metadata.name}'" in text
    assert "without backticks it reads {.items[*].metadata.name} in the text" in text
    everything = " ".join(imported_book.page_texts)
    assert "How would you template a name like {name} in a Helm chart?" in everything
    assert "{wiki} pages" in everything
    assert "\\{" not in everything  # the escape never prints


def test_a_prompt_prints_under_its_title_before_the_answer(imported_book):
    page = page_of(imported_book, "Read this output and say what is wrong")
    text = imported_book.page_texts[page - 1]
    assert text.index("Read this output") < text.index("CrashLoopBackOff")
    following = " ".join(imported_book.page_texts[page - 1 : page + 1])
    assert following.index("CrashLoopBackOff") < following.index("The container starts")


def test_a_line_break_in_a_details_answer_prints_as_one(imported_book):
    page = page_of(imported_book, "What is the difference between kill -15 and kill -9?")
    raw = imported_book.raw_text(page)
    first, second = "lets it clean up.", "The second stops it at once"
    assert re.search(re.escape(first) + r"\s*\r?\n\s*" + re.escape(second), raw)
    assert "<br>" not in raw


# ---- the pack's files ----


def test_files_one_per_source_and_a_role_listing_every_question(imported):
    pack, _ = imported
    names = sorted(str(p.relative_to(pack)) for p in pack.rglob("*") if p.is_file())
    assert names == [
        "ask/ask-the-interviewer.yaml",
        "content.schema.json",
        "questions/bank.yaml",
        "questions/kubernetes-basics.yaml",
        "questions/linux-details.yaml",
        "roles/imported.yaml",
        "workbook.yaml",
    ]
    workbook = yaml.safe_load((pack / "workbook.yaml").read_text(encoding="utf-8"))
    # No title (4 sources); the imported questions to ask replace the built-in ones.
    assert workbook == {"extends": "builtin", "default_role": "imported", "builtin_ask": False}
    role = yaml.safe_load((pack / "roles/imported.yaml").read_text(encoding="utf-8"))
    bank = load_bank(pack)
    imported_ids = [
        q["id"]
        for name in ("bank", "kubernetes-basics", "linux-details")
        for q in yaml.safe_load((pack / f"questions/{name}.yaml").read_text(encoding="utf-8"))[
            "questions"
        ]
    ]
    assert role["questions"] == imported_ids
    assert len(set(imported_ids)) == 31 and all(ID.match(i) for i in imported_ids)
    assert all(bank.questions[i].title for i in imported_ids)
    first = (pack / "questions/bank.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../content.schema.json"


def test_no_field_is_invented(imported):
    pack, _ = imported
    bank = load_bank(pack)
    role = bank.roles["imported"]
    for question_id in role.questions:
        question = bank.questions[question_id]
        assert question.why is None and question.tip is None and question.good_answer is None
        assert question.competency is None and not question.follow_ups and not question.key_points
    zombie = bank.questions["what-is-a-zombie-process"]
    assert zombie.answer is None  # its <details> body is empty
    ask_text = (pack / "ask/ask-the-interviewer.yaml").read_text(encoding="utf-8")
    assert ask_text.count("note:") == 4  # only the items whose source has a note


def test_ids_avoid_the_built_in_ones_and_are_stable(imported, tmp_path):
    pack, _ = imported
    bank = load_bank(pack)
    assert bank.questions["what-is-devops"].title.startswith("What is DevOps, and")  # built-in
    assert bank.questions["what-is-devops-2"].title == "What is DevOps?"  # imported
    again = tmp_path / "again"
    assert run_cli("import", BANK, PAGE, ASK, DETAILS, "--out", again).exit_code == 0
    for path in pack.rglob("*.yaml"):
        assert (again / path.relative_to(pack)).read_bytes() == path.read_bytes(), path


def test_tags_come_from_the_headings_above(imported):
    pack, _ = imported
    bank = load_bank(pack)
    assert bank.questions["what-is-a-pod"].tags == ["workloads"]
    assert bank.questions["explain-what-a-service-of-type-clusterip-does"].tags == ["quick-fire"]
    assert bank.questions["what-is-devops-2"].tags == ["files", "text"]
    assert bank.questions["how-do-you-read-a-multi-line-log-entry"].tags == ["logs", "linux"]
    assert bank.questions["what-is-a-container-image"].tags == ["containers", "images"]


def test_loading_the_pack_gives_back_the_source_text(imported):
    pack, _ = imported
    bank = load_bank(pack)
    page = PAGE.read_text(encoding="utf-8")
    code = page[page.index("```bash") : page.index("```\n", page.index("```bash") + 3) + 3]
    answer = bank.questions["how-do-you-list-the-names-of-every-pod-in-a-namespace"].answer
    assert answer.startswith(code)  # byte for byte, the comment line included
    with BANK.open(encoding="utf-8", newline="") as stream:
        rows = {row["Question"]: row for row in csv.DictReader(stream)}
    cell = rows["How do you read a multi-line log entry?"]["Answer"]
    assert bank.questions["how-do-you-read-a-multi-line-log-entry"].answer == cell
    kill = bank.questions["what-is-the-difference-between-kill-15-and-kill-9"].answer
    assert kill == (
        "The first asks the process to stop and lets it clean up.<br>\n"
        "The second stops it at once, with no chance to save anything."
    )
    prompt = bank.questions["read-this-output-and-say-what-is-wrong"]
    assert prompt.kind == "technical"
    assert prompt.prompt.startswith("```text\nNAME        READY   STATUS")
    assert prompt.answer.startswith("The container starts and exits again")


def test_the_report_counts_each_source_and_names_what_was_skipped(imported):
    _, output = imported
    lines = output.splitlines()
    assert f"{BANK}: 10 questions (3 behavioural, 4 technical), 3 skipped — read as a CSV bank" in (
        lines
    )
    assert (
        f"{PAGE}: 11 questions (2 behavioural, 1 technical), 3 skipped — read as a questions page"
        in lines
    )
    assert f"{ASK}: 10 questions to ask in 3 groups, 2 skipped — read as an ask list" in lines
    assert f"{DETAILS}: 10 questions (1 behavioural), 1 skipped — read as a <details> bank" in lines
    expected = [
        f"  {BANK}:1: column 'difficulty' skipped (import reads question, answer, kind, tags, "
        "prompt)",
        f"  {BANK}:12: row with no question text",
        f"  {BANK}:14: kind 'hard' is not one of general, behavioural, technical; row skipped",
        f"  {PAGE}:87: list item 'Useful links' skipped: it does not read as a question (end it "
        "with '?', number it, or start it with a word such as What, How or Describe)",
        f"  {PAGE}:88: list item with no question text",
        f"  {PAGE}: 5 front-matter lines skipped (first at line 1)",
        f"  {PAGE}: 9 MDX lines skipped (first at line 6)",
        f"  {ASK}:16: list item with no question text",
        f"  {DETAILS}:77: <details> block with an empty <summary>",
    ]
    for line in expected:
        assert line in lines, line
    assert any(line.startswith(f"  {PAGE}:51: heading 'Further reading'") for line in lines)
    assert any(line.startswith(f"  {ASK}:5: group 'Before you start' skipped") for line in lines)
    assert lines[-1] == f"Build it with: guidegen build --content {imported[0]}"


# ---- the command line ----


def test_a_single_source_gives_the_title_and_options_name_the_role(tmp_path):
    out = tmp_path / "pack"
    result = run_cli(
        "import", DETAILS, "--out", out, "--role", "linux-round", "--role-title", "Linux round"
    )
    assert result.exit_code == 0, result.stderr
    workbook = yaml.safe_load((out / "workbook.yaml").read_text(encoding="utf-8"))
    assert workbook == {
        "extends": "builtin",
        "title": "Linux and shell",
        "default_role": "linux-round",
    }
    role = yaml.safe_load((out / "roles/linux-round.yaml").read_text(encoding="utf-8"))
    assert role["title"] == "Linux round" and len(role["questions"]) == 10
    assert not (out / "ask").exists()  # the built-in questions to ask are used
    bank = load_bank(out)
    assert bank.ask_groups  # from the built-in pack


def test_title_and_default_kind_options(tmp_path):
    out = tmp_path / "pack"
    result = run_cli(
        "import", DETAILS, "--out", out, "--title", "Shell drills", "--default-kind", "technical"
    )
    assert result.exit_code == 0, result.stderr
    bank = load_bank(out)
    assert bank.workbook.title == "Shell drills"
    kinds = [bank.questions[i].kind for i in bank.roles["imported"].questions]
    assert kinds.count("behavioural") == 1 and kinds.count("technical") == 9


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.md"], "cannot read missing.md: No such file or directory"),
        (["{data}"], "is a folder"),
        (["{ask}", "--format", "yaml"], "unknown format 'yaml'; choose one of: ask-md"),
        (["{ask}", "--role", "Not An Id"], "--role 'Not An Id': a role id is lowercase"),
        (["{json}"], "cannot tell what"),
        (["{latin1}"], ":2: not UTF-8 text (byte 0xe9)"),
    ],
)
def test_bad_sources_and_options_are_usage_errors_on_one_line(tmp_path, args, message):
    (tmp_path / "bank.json").write_text("[]", encoding="utf-8")
    (tmp_path / "latin.md").write_bytes(b"# Title\n- Caf\xe9?\n")
    values = {"data": SOURCES, "ask": ASK, "json": tmp_path / "bank.json"}
    values["latin1"] = tmp_path / "latin.md"
    args = [a.format(**{k: str(v) for k, v in values.items()}) for a in args]
    result = run_cli("import", *args, "--out", tmp_path / "pack")
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("usage error: ")
    assert message in result.stderr
    assert not (tmp_path / "pack").exists()


def test_a_folder_with_files_in_it_is_refused(tmp_path):
    out = tmp_path / "pack"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_cli("import", ASK, DETAILS, "--out", out)
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"usage error: {out} is not empty; give a new or empty folder, so no file is "
        "overwritten\n"
    )
    assert result.stdout == ""  # nothing reported before the refusal
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_a_source_with_nothing_in_it_is_reported(tmp_path):
    empty = tmp_path / "notes.md"
    empty.write_text("# Notes\n\nJust prose, no questions.\n", encoding="utf-8")
    result = run_cli("import", empty, DETAILS, "--out", tmp_path / "pack")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == (
        f"0 questions found in {empty}: no heading or list item reads as a question (a "
        "question ends with '?', is numbered, or starts with a word such as What, How or "
        "Explain) — read as a questions page"
    )
    alone = run_cli("import", empty, "--out", tmp_path / "other")
    assert alone.exit_code == 1
    assert alone.stderr == "error: no pack written: no source had a question or a question to ask\n"
    assert not (tmp_path / "other").exists()


def test_format_overrides_detection(tmp_path):
    listed = tmp_path / "team.md"
    listed.write_text(
        "## Team\n\n- How big is the team?\n- Who do I report to?\n", encoding="utf-8"
    )
    as_questions = run_cli("import", listed, "--out", tmp_path / "a")
    assert "2 questions — read as a questions page" in as_questions.output
    as_asks = run_cli("import", listed, "--format", "ask-md", "--out", tmp_path / "b")
    assert as_asks.exit_code == 0
    assert "2 questions to ask in 1 group — read as an ask list" in as_asks.output


def test_format_for_one_source_mixes_an_ask_list_with_a_questions_page(tmp_path):
    listed = tmp_path / "team.md"
    listed.write_text("## Team\n\n- How big is the team?\n- Who do I report to?\n", "utf-8")
    result = run_cli("import", listed, PAGE, "--format", "team.md=ask-md", "--out", tmp_path / "p")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"{listed}: 2 questions to ask in 1 group — read as an ask list" in lines
    assert any(
        line.startswith(f"{PAGE}: ") and "read as a questions page" in line for line in lines
    )
    bank = load_bank(tmp_path / "p")
    assert [item.question for g in bank.ask_groups for item in g.items] == [
        "How big is the team?",
        "Who do I report to?",
    ]
    wrong = run_cli("import", listed, "--format", "other.md=ask-md", "--out", tmp_path / "q")
    assert wrong.exit_code == 2 and "'other.md' is not one of the sources" in wrong.stderr
    unknown = run_cli("import", listed, "--format", "team.md=yaml", "--out", tmp_path / "r")
    assert unknown.exit_code == 2 and "unknown format 'yaml'" in unknown.stderr


# ---- the parsers, on strings ----


def test_ask_list_notes_only_where_the_source_has_them():
    records = ask_markdown.parse(
        "# Reverse interview\n\n"
        "- What does a normal week look like?\n\n"
        "## Team\n\n"
        "- Who decides? — Says where the power is.\n"
        "- How do you disagree?: Listen for examples.\n"
        "- Is there a mentor?\n"
        "  - A name is a good sign.\n"
        "- Do you pair\n  on hard problems?\n"
        "```\n# not a group\n- not an item?\n```\n"
        "## Links\n\n- [Blog](https://example.com)\n"
    )
    assert records.title == "Reverse interview"
    assert [g.title for g in records.ask_groups] == ["Reverse interview", "Team"]
    team = records.ask_groups[1].items
    assert [(i.question, i.note) for i in team] == [
        ("Who decides?", "Says where the power is."),
        ("How do you disagree?", "Listen for examples."),
        ("Is there a mentor?", "A name is a good sign."),
        ("Do you pair on hard problems?", None),
    ]
    assert [s.line for s in records.skipped] == [17]  # the Links group


def test_questions_page_headings_tags_code_and_front_matter():
    text = (
        "---\ntitle: Page\n---\n"
        "import X from './x';\n\n"
        "# Ops questions\n\n"
        "## Linux\n\n"
        "### Q1: How do you see disk use?\n\n"
        "```sh\n# df shows file systems\ndf -h\n```\n\n"
        "#### Why it matters\nFull disks stop services.\n\n"
        "### Networking basics\n\nSome words.\n\n"
        "## Git\n\n"
        "### 2) What is a rebase?\n\n<Tabs>\nIt replays commits.\n</Tabs>\n"
    )
    records = questions_markdown.parse(text)
    assert records.title == "Ops questions"
    first, second = records.questions
    assert (first.title, first.tags, first.line) == ("How do you see disk use?", ["linux"], 10)
    assert first.answer == (
        "```sh\n# df shows file systems\ndf -h\n```\n\n"
        "#### Why it matters\nFull disks stop services."
    )
    assert (second.title, second.tags, second.answer) == (
        "What is a rebase?",
        ["git"],
        "It replays commits.",
    )
    assert records.ignored[("front-matter line", "front-matter lines")] == 3
    assert records.ignored[("MDX line", "MDX lines")] == 3
    assert [s.line for s in records.skipped] == [20]  # "Networking basics" at the question level


def test_questions_page_lists_with_answers_between_numbers():
    text = (
        "## Basics\n\n"
        "- [What is X?](#what-is-x)\n\n"
        "1. What is a VM?\n\nA computer made of software.\n\n"
        "- it has its own kernel\n\n"
        "2. What is a container?\n\nA process with its own view.\n\n"
        "3. Tell me about a time you cut a bill.\n\n"
        "## More\n\n"
        "- Why use a queue?\n  It smooths bursts.\n"
        "- Resources\n"
        "-\n"
    )
    records = questions_markdown.parse(text)
    got = [(q.title, q.answer, q.tags) for q in records.questions]
    assert got == [
        ("What is a VM?", "A computer made of software.\n\n- it has its own kernel", ["basics"]),
        ("What is a container?", "A process with its own view.", ["basics"]),
        ("Tell me about a time you cut a bill.", None, ["basics"]),
        ("Why use a queue?", "It smooths bursts.", ["more"]),
    ]
    assert [(s.line, s.reason) for s in records.skipped] == [
        (
            21,
            "list item 'Resources' skipped: it does not read as a question (end it with '?', "
            "number it, or start it with a word such as What, How or Describe)",
        ),
        (22, "list item with no question text"),
    ]
    assert records.ignored[("contents entry", "contents entries")] == 1


def test_an_answer_label_splits_prompt_from_answer():
    records = questions_markdown.parse(
        "### What does this print?\n\n```python\nprint(2 ** 3)\n```\n\n**Answer:** 8\n"
    )
    (question,) = records.questions
    assert question.prompt == "```python\nprint(2 ** 3)\n```"
    assert question.answer == "8"


def test_an_ask_section_inside_a_questions_page():
    records = questions_markdown.parse(
        "## Cloud\n\n- What is a region?\n\n## Questions to ask them\n\n- Which cloud do you use?\n"
    )
    assert [q.title for q in records.questions] == ["What is a region?"]
    assert [(g.title, [i.question for i in g.items]) for g in records.ask_groups] == [
        ("Questions to ask them", ["Which cloud do you use?"])
    ]
    forced = questions_markdown.parse("## Questions to ask\n\n- Who?\n", ask_sections=False)
    assert [q.title for q in forced.questions] == ["Who?"]


def test_details_blocks():
    records = details.parse(
        "# Shell\n\n## Basics\n\n"
        "<details>\n<summary><b>What is <code>$?</code></b></summary><br><b>\n\n"
        "The exit status.<br>\nZero means success.\n</b></details>\n\n"
        "<details><summary>Show a fence</summary>\n\n"
        "```html\n<!-- a </details> inside code -->\n```\n</details>\n"
        "<details>\n<summary>Nothing here?</summary><br><b>\n</b></details>\n"
        "<details>\nNo summary\n</details>\n"
        "<details><summary>Wrapped?</summary>\n<p>\nRun `git add <file>`.\n</p>\n</details>\n"
    )
    assert records.title == "Shell"
    got = [(q.title, q.answer, q.tags) for q in records.questions]
    assert got == [
        ("What is `$?`", "The exit status.<br>\nZero means success.", ["basics"]),
        ("Show a fence", "```html\n<!-- a </details> inside code -->\n```", ["basics"]),
        ("Nothing here?", None, ["basics"]),
        ("Wrapped?", "Run `git add <file>`.", ["basics"]),
    ]
    assert [s.line for s in records.skipped] == [21]  # no summary


def test_a_one_line_code_span_in_triple_backticks_is_not_a_fence():
    """```wc -l``` on a line of its own is a code span (a backtick fence's info string holds
    no backtick): the questions after it stay questions, and nothing is blamed on <details>."""
    source = (
        "<details><summary>How do you count lines?</summary>\n\n```wc -l```\n</details>\n\n"
        "<details><summary>How do you count words?</summary>\n\n```wc -w```\n</details>\n\n"
        "<details><summary>Show a real fence</summary>\n\n```sh\nwc -c file\n```\n</details>\n"
    )
    records = details.parse(source)
    assert [(q.title, q.answer) for q in records.questions] == [
        ("How do you count lines?", "```wc -l```"),
        ("How do you count words?", "```wc -w```"),
        ("Show a real fence", "```sh\nwc -c file\n```"),
    ]
    assert records.skipped == []
    page = questions_markdown.parse(
        "## Shell\n\n1. How do you count lines?\n\n   ```wc -l```\n\n"
        "2. How do you count words?\n\n   Use `wc -w`.\n"
    )
    assert [q.title for q in page.questions] == [
        "How do you count lines?",
        "How do you count words?",
    ]


def test_a_list_straight_under_a_paragraph_prints_as_a_list():
    """GitHub shows a list that starts right under a paragraph line, or indented by two
    spaces, as a list; Python-Markdown needs a blank line and no indent. The import writes it
    so, and leaves code and a paragraph line that only starts with a year alone."""
    from guidegen.book.markdown import markdown_html

    page = questions_markdown.parse(
        "## Shell\n\n"
        "### What do you check first on a slow host?\n\n"
        "Three things:\n- load\n- memory\n- disk\n\n"
        "### Which signals stop a process?\n\n"
        "Two of them:\n  1. SIGTERM asks\n  2. SIGKILL forces\n\nIn that order.\n\n"
        "### What changed in Kubernetes?\n\n"
        "Since 1.24:\n2024. was the year dockershim was gone\n\n"
        "```\nnot:\n- a list\n```\n"
    )
    answers = [q.answer for q in page.questions]
    assert answers[0] == "Three things:\n\n- load\n- memory\n- disk"
    assert answers[1] == "Two of them:\n\n1. SIGTERM asks\n2. SIGKILL forces\n\nIn that order."
    assert answers[2].startswith("Since 1.24:\n2024. was")
    assert "```\nnot:\n- a list\n```" in answers[2]
    html = [markdown_html(answer) for answer in answers]
    assert html[0].count("<li>") == 3 and "<pre" not in html[0]
    assert html[1].count("<li>") == 2 and "<pre" not in html[1]
    assert "<li>" not in html[2]


def test_csv_rows_lines_and_columns():
    text = (
        "QUESTION;answer;Kind;tags;id\n"
        'What is a log?;"A record\nof events";;Logs|Ops;x1\n'
        ";orphan answer;;;\n"
        "\n"
        "Describe a time you helped a user.;;BEHAVIORAL;;\n"
        "What is YAML?;;markup;;\n"
    )
    records = csv_bank.parse(text)
    assert [(q.line, q.title, q.kind, q.tags) for q in records.questions] == [
        (2, "What is a log?", None, ["logs", "ops"]),
        (6, "Describe a time you helped a user.", "behavioural", []),
    ]
    assert records.questions[0].answer == "A record\nof events"
    assert [(s.line, s.reason.split(";")[0]) for s in records.skipped] == [
        (1, "column 'id' skipped (import reads question, answer, kind, tags, prompt)"),
        (4, "row with no question text"),
        (7, "kind 'markup' is not one of general, behavioural, technical"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title,answer\nx,y\n", "bank.csv:1: no 'question' column"),
        ('question\n"never closed\n', "bank.csv:2: a quoted cell that starts in this row"),
        ("question,Question\nx,y\n", "bank.csv:1: the header names question more than once"),
    ],
)
def test_csv_that_cannot_be_read(text, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        csv_bank.parse(text, "bank.csv")


def test_shape_detection(tmp_path):
    def shape(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return detect.parse_source(path).shape

    assert shape("q.md", "## A\n- What is B?\n") == "questions-md"
    assert shape("questions-to-ask.md", "## A\n- What is B?\n") == "ask-md"
    assert shape("x.md", "# Ask the interviewer\n- What is B?\n") == "ask-md"
    assert shape("y.md", "---\ntitle: Reverse interview\n---\n- Why?\n") == "ask-md"
    assert shape("z.md", "# Q\n<details><summary>Why?</summary></details>\n") == "details"
    assert shape("w.md", "```\n<details><summary>Why?</summary></details>\n```\n- Why?\n") == (
        "questions-md"
    )
    assert shape("b.tsv", "question\tanswer\nWhy?\tBecause.\n") == "csv"


def test_slugs_and_kinds():
    assert slugify("Qu'est-ce qu'un conteneur Docker ?") == "quest-ce-quun-conteneur-docker"
    assert slugify("Größe & Æther: façade") == "grosse-aether-facade"
    long = slugify("What " + "really " * 20 + "matters?")
    assert len(long) <= 60 and long.endswith("really") and ID.match(long)
    assert slugify("Что такое Kubernetes?") == "kubernetes"
    assert is_behavioural("3. Tell me about a time you failed.")
    assert is_behavioural("**Have you ever** missed a deadline?")
    assert not is_behavioural("How do you handle conflict?")


def test_ids_are_unique_across_sources():
    def source(name: str, *titles: str) -> Source:
        records = SourceRecords("questions-md")
        records.questions = [ImportedQuestion(n, t) for n, t in enumerate(titles, 1)]
        return Source(Path(name), records)

    planned = plan(
        [source("a.md", "What is CI?", "What is CI?"), source("a.csv", "What is CI?", "Пример")],
        Choices(),
        taken_ids={"what-is-ci-2"},
    )
    assert planned.question_ids == ["what-is-ci", "what-is-ci-3", "what-is-ci-4", "question"]
    assert set(planned.files) == {
        "questions/a.yaml",
        "questions/a-2.yaml",
        "workbook.yaml",
        "roles/imported.yaml",
    }


def test_yaml_blocks_read_back_exactly():
    texts = [
        "tabs\tinside\n\tand leading\n",
        "trailing spaces   \nkept in code",
        "  a first line indented\nthen not",
        "```\n# comment\n\n\n```",
        "ünïcödé — “quotes” ✓",
        "\tstarts with a tab\nthen not",
    ]
    data = {"questions": [{"id": "x", "tags": Flow(["a", "b"]), "answer": Block(t)} for t in texts]}
    written = dump_content(data)
    assert "tags: [a, b]" in written
    assert written.count('"') == 2  # only the text a block cannot hold is quoted
    back = yaml.load(written, Loader=yaml.SafeLoader)
    assert [q["answer"] for q in back["questions"]] == [
        t if t.endswith("\n") else t + "\n" for t in texts
    ]
    for question in back["questions"]:
        Question.model_validate({"id": "x", "title": "t", "kind": "general", **question})


# ---- banks in other languages (tests/data/import-intl, written for these tests) ----

INTL = DATA / "import-intl"


@pytest.mark.parametrize("mark", ["?", "？", "؟", "⸮"])
def test_a_question_mark_of_any_script_ends_a_question(mark):
    records = questions_markdown.parse(f"## Frage eins{mark}\n\nAntwort.\n\n## Zwei{mark}\n\nB.\n")
    assert [q.title for q in records.questions] == [f"Frage eins{mark}", f"Zwei{mark}"]
    asks = ask_markdown.parse(f"# L\n\n## G\n\n- Eins{mark} — Notiz\n- Zwei{mark}\n")
    items = [(i.question, i.note) for g in asks.ask_groups for i in g.items]
    assert items == [(f"Eins{mark}", "Notiz"), (f"Zwei{mark}", None)]


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("devops-ja.md", "questions-md"),
        ("devops-ar.md", "questions-md"),
        ("fragen-de.md", "ask-md"),
        ("gyaku-ja.md", "ask-md"),
    ],
)
def test_detection_needs_no_english_words(name, shape):
    path = INTL / name
    assert detect.detect_shape(path, path.read_text(encoding="utf-8")) == shape


def _imported(tmp_path, name, *options):
    result = run_cli("import", INTL / name, "--out", tmp_path / "pack", *options)
    assert result.exit_code == 0, result.output + result.stderr
    workbook = yaml.safe_load((tmp_path / "pack" / "workbook.yaml").read_text(encoding="utf-8"))
    return result, workbook


def test_the_language_comes_from_the_script_or_lang(tmp_path):
    result, workbook = _imported(tmp_path, "devops-ja.md")
    assert workbook["language"] == "ja"
    assert "note: language: ja, from the bank's script (--lang sets another)" in result.output
    result, workbook = _imported(tmp_path / "2", "devops-ja.md", "--lang", "zh")
    assert workbook["language"] == "zh" and "note: language" not in result.output
    # German letters are Latin ones: not guessed, but the report says how to set it.
    result, workbook = _imported(tmp_path / "3", "fragen-de.md")
    assert "language" not in workbook and "give --lang" in result.output
    bad = run_cli("import", INTL / "fragen-de.md", "--out", tmp_path / "4", "--lang", "German")
    assert bad.exit_code == 2 and "--lang 'German'" in bad.stderr


def test_a_japanese_bank_builds_tagged_ja_with_every_question(tmp_path):
    _imported(tmp_path, "devops-ja.md")
    book = build(tmp_path / "ja.pdf", "--content", tmp_path / "pack")
    assert str(book.pdf.Root.Lang) == "ja"
    assert [title for level, title, _ in book.outline() if level == 2] == [
        "コンテナと仮想マシンの違いは何ですか？",
        "CI とは何ですか？",
        "障害が起きたら、最初に何を確認しますか？",
    ]


def test_an_arabic_bank_builds_tagged_ar_and_right_to_left(tmp_path):
    _imported(tmp_path, "devops-ar.md")
    book = build(tmp_path / "ar.pdf", "--content", tmp_path / "pack")
    assert str(book.pdf.Root.Lang) == "ar"
    questions = [(title, page) for level, title, page in book.outline() if level == 2]
    assert [title for title, _ in questions] == [
        "ما الفرق بين الحاوية والآلة الافتراضية؟",
        "لماذا نستخدم البنية التحتية كرمز؟",
        "كيف تتعامل مع سر تم نشره في المستودع؟",
    ]
    # Right to left: each title starts at the column's right edge and stops short of its left.
    # A right-to-left book is bound on the right, so its margins mirror those of a left-to-right
    # one: an odd page has the inner margin on its right, as an even page of an English book.
    for title, page in questions:
        left, _, right, _ = column(book, page + 1, "a4")
        arabic = [c for c in book.chars(page) if "\u0600" <= c.text <= "\u06ff" and c.size > 11]
        assert arabic, title
        assert abs(max(c.x1 for c in arabic) - right) < 2.0, title  # a glyph's side bearing
        assert min(c.x0 for c in arabic) > left + 20, title


def test_a_bank_of_only_questions_to_ask_keeps_the_built_in_questions(tmp_path):
    result, workbook = _imported(tmp_path, "fragen-de.md", "--lang", "de")
    assert workbook == {"extends": "builtin", "builtin_ask": False}
    assert not (tmp_path / "pack" / "roles").exists()
    assert "3 questions to ask, printed in place of the built-in ones" in result.output
    bank = load_bank(tmp_path / "pack")
    assert [g.language for g in bank.ask_groups] == ["de", "de"]
    assert "note: the questions to ask are marked de; the book around them" in result.output
    book = build(tmp_path / "asks.pdf", "--content", tmp_path / "pack", "--count", "3")
    parts = {title: page for level, title, page in book.outline() if level == 1}
    start = parts["Questions to ask your interviewer"]
    asks = " ".join(book.page_texts[start - 1 : start + 1])
    for question in ("Wie ist das Team aufgebaut?", "Wer prüft Änderungen an der Infrastruktur?"):
        assert question in asks
    assert "Why is this position open right now?" not in " ".join(book.page_texts)
    # The questions are the built-in ones (three picked, to keep the test quick).
    printed = [title for level, title, _ in book.outline() if level == 2]
    builtin = {plain_text(q.title, None, "this company") for q in bank.questions.values()}
    assert len(set(printed) & builtin) == 3  # (the story bank's competencies are level 2 too)


# ---- what real banks hold: follow-ups, images, setext headings ----


def test_a_nested_question_is_a_follow_up_not_the_answer():
    records = questions_markdown.parse(
        "# Bank\n\n"
        "- Describe a time you led a team.\n"
        "  - What would you do differently?\n"
        "  - Who helped you?\n"
        "- Leadership\n"
        "- Why this job?\n"
        "  - Because it fits what I want to learn?\n"
        "  - And it is close to home.\n"
    )
    got = [(q.title, q.answer, q.follow_ups) for q in records.questions]
    assert got == [
        (
            "Describe a time you led a team.",
            None,
            ["What would you do differently?", "Who helped you?"],
        ),
        # Not every line is a question: the list is the answer.
        (
            "Why this job?",
            "- Because it fits what I want to learn?\n- And it is close to home.",
            [],
        ),
    ]
    assert [(s.line, s.reason.split(":")[0]) for s in records.skipped] == [
        (6, "list item 'Leadership' skipped")
    ]


def test_setext_headings_and_an_answer_under_a_numbered_question():
    text = (
        "Interview questions\n===================\n\n"
        "Linux\n-----\n\n"
        "1. What is a process?\nA running program with its own PID.\n\n"
        "2. What is a signal?\nA message to a process.\n\n"
        "Some prose.\n\n---\n\n"
        "Networking\n----------\n\n"
        "- What is DNS?\n  The phone book of the internet.\n"
    )
    records = questions_markdown.parse(text)
    assert records.title == "Interview questions"
    got = [(q.title, q.answer, q.tags) for q in records.questions]
    assert got == [
        ("What is a process?", "A running program with its own PID.", ["linux"]),
        ("What is a signal?", "A message to a process.", ["linux"]),
        ("What is DNS?", "The phone book of the internet.", ["networking"]),
    ]


def test_import_copies_the_images_it_can_and_names_the_rest(tmp_path):
    (tmp_path / "src" / "img").mkdir(parents=True)
    (tmp_path / "src" / "img" / "arch.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "src" / "img" / "link.png").symlink_to(tmp_path / "outside.png")
    source = tmp_path / "src" / "bank.md"
    source.write_text(
        "# Bank\n\n## What does it look like?\n\n![diagram](img/arch.png)\n\n"
        "## What is a load balancer?\n\n![](https://example.com/lb.png)\n\n"
        "## Which files?\n\n![a](../outside.png) ![b](img/missing.png) "
        '<img src="img/link.png">\n\n```\n![not an image](code.png)\n```\n',
        encoding="utf-8",
    )
    result = run_cli("import", source, "--out", tmp_path / "pack")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{source}: 3 questions, 1 image copied — read as a questions page"
    assert lines[1:5] == [
        f"  {source}:9: image 'https://example.com/lb.png' not copied: a web address: printed "
        "as a link, not fetched",
        f"  {source}:13: image '../outside.png' not copied: outside the source's folder",
        f"  {source}:13: image 'img/missing.png' not copied: no such file",
        f"  {source}:13: image 'img/link.png' not copied: a symbolic link",
    ]
    copied = tmp_path / "pack" / "img" / "arch.png"
    assert copied.read_bytes() == b"\x89PNG\r\n\x1a\n" and not copied.is_symlink()
    assert not (tmp_path / "pack" / "img" / "link.png").exists()


def test_import_names_each_piece_of_raw_html_that_will_not_print(tmp_path):
    source = tmp_path / "bank.md"
    source.write_text("## What is red?\n\nText <font color=red>red</font>.\n", "utf-8")
    result = run_cli("import", source, "--out", tmp_path / "pack")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("1 warning: raw HTML that will not print:")
    # Where it sits in the pack's file (line 8, column 12), to be rewritten as Markdown.
    assert lines[at + 1].startswith("  ")
    assert "questions/bank.yaml:8:12: <font> is raw HTML that will not print" in lines[at + 1]
