"""The command line: outputs, exit codes, and a clear one-line error for each kind of bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from guidegen import __version__
from tests.conftest import run_cli


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if needle in line]
    return lines[occurrence - 1]


def test_version_and_help():
    assert run_cli("--version").output.strip() == f"guidegen, version {__version__}"
    result = run_cli("--help")
    assert result.exit_code == 0
    for command in ("build", "roles", "validate"):
        assert command in result.output


def test_python_dash_m_help():
    result = subprocess.run([sys.executable, "-m", "guidegen", "--help"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "build" in result.stdout


@pytest.mark.parametrize("args", [["--help"], ["roles"], ["validate"], ["build", "--help"],
                                  ["schema"], ["batch", "--help"]])
def test_reading_commands_do_not_import_weasyprint(args):
    probe = ("import sys\nfrom guidegen.cli import main\n"
             f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
             "print('WEASYPRINT' if 'weasyprint' in sys.modules else 'CLEAN', file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=False)
    assert result.stderr.strip().endswith("CLEAN"), result.stderr


def test_roles_lists_each_role_with_counts():
    result = run_cli("roles")
    assert result.exit_code == 0
    line = next(row for row in result.output.splitlines() if row.startswith("devops-engineer"))
    assert line.split()[1:5] == ["26", "15", "7", "4"]  # the guide's 25 + why-this-company


def test_validate_ok():
    result = run_cli("validate")
    assert result.exit_code == 0 and "all valid" in result.output


def test_build_default_writes_output_and_reports_pages(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("build", "--html")
    assert result.exit_code == 0, result.stderr
    pdf = tmp_path / "output" / "devops-engineer.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert (tmp_path / "output" / "devops-engineer.html").read_text().startswith("<!DOCTYPE html>")
    from pypdf import PdfReader

    pages = len(PdfReader(pdf).pages)
    assert f"output/devops-engineer.pdf ({pages} pages)" in result.output


# ---- content errors: exit 1, one line naming file, line and field ----

def _expect_content_error(content: Path, *needles: str):
    """build fails with a one-line message; validate lists the same place in its table."""
    out = content.parent / "never.pdf"
    result = run_cli("build", "--content", content, "--out", out)
    assert result.exit_code == 1, result.output
    assert not out.exists()
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith("error: ")
    for needle in needles:
        assert needle in first, f"{needle!r} not in {first!r}"
    location = first.removeprefix("error: ").split(": ")[0]
    validated = run_cli("validate", "--content", content)
    assert validated.exit_code == 1 and location in validated.output
    return first


def test_malformed_yaml(content_copy):
    path = content_copy / "questions" / "technical.yaml"
    line = line_of(path, "kind: technical")
    edit(path, "    kind: technical", "    kind: [technical")
    message = _expect_content_error(content_copy, "questions/technical.yaml:", "malformed YAML")
    reported = int(message.split("technical.yaml:")[1].split(":")[0])
    assert line <= reported <= line + 2  # the parser notices just after the open bracket


def test_malformed_yaml_line_number(content_copy):
    path = content_copy / "questions" / "technical.yaml"
    line = line_of(path, "answer_type: framework")
    edit(path, "    answer_type: framework", "   answer_type: framework")
    message = _expect_content_error(content_copy, "malformed YAML")
    assert f"technical.yaml:{line}:" in message


def test_unknown_key(content_copy):
    path = content_copy / "questions" / "general.yaml"
    edit(path, "    tip: |", "    tips: |")
    line = line_of(path, "tips: |")
    result = run_cli("build", "--content", content_copy)
    assert result.exit_code == 1
    expected = f"questions/general.yaml:{line}:5: questions[0].tips: unknown field 'tips'"
    assert expected in result.stderr
    assert "required field 'tip' is missing" in result.stderr


def test_wrong_type(content_copy):
    path = content_copy / "questions" / "technical.yaml"
    edit(path, "    tags: [ci-cd, design]", "    tags: 5")
    line = line_of(path, "tags: 5")
    _expect_content_error(content_copy, f"technical.yaml:{line}:5", "questions[0].tags",
                          "must be a list", "(got 5)")


def test_missing_required_field(content_copy):
    path = content_copy / "questions" / "behavioural.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    why: |")
    end = text.index("    answer_type:", start)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    _expect_content_error(content_copy, "behavioural.yaml:3:5", "questions[0].why",
                          "required field 'why' is missing")


def test_duplicate_id(content_copy):
    path = content_copy / "questions" / "technical.yaml"
    edit(path, "id: scaling-high-traffic", "id: what-is-devops")
    line = line_of(path, "id: what-is-devops")
    _expect_content_error(content_copy, f"technical.yaml:{line}", "duplicate id 'what-is-devops'",
                          "general.yaml:")


def test_unknown_kind(content_copy):
    path = content_copy / "questions" / "technical.yaml"
    edit(path, "kind: technical", "kind: trivia")
    line = line_of(path, "kind: trivia")
    _expect_content_error(content_copy, f"technical.yaml:{line}:5", "questions[0].kind",
                          "must be one of 'general', 'behavioural' or 'technical'", "'trivia'")


def test_empty_content_folder(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("build", "--content", empty, "--out", tmp_path / "x.pdf")
    assert result.exit_code == 1
    assert "content folder has no questions" in result.stderr
    assert str(empty) in result.stderr


def test_role_naming_unknown_question(content_copy):
    path = content_copy / "roles" / "devops-engineer.yaml"
    edit(path, "  - why-devops", "  - why-devop")
    line = line_of(path, "- why-devop")
    _expect_content_error(content_copy, f"devops-engineer.yaml:{line}", "unknown question id",
                          "did you mean 'why-devops'")


# ---- usage errors: exit 2, listing the valid choices ----

def test_unknown_role_lists_choices(tmp_path):
    result = run_cli("build", "--role", "astronaut", "--out", tmp_path / "x.pdf")
    assert result.exit_code == 2
    assert "unknown role 'astronaut'" in result.stderr
    assert "devops-engineer" in result.stderr and "site-reliability-engineer" in result.stderr


def test_unknown_paper_lists_choices(tmp_path):
    result = run_cli("build", "--paper", "a3", "--out", tmp_path / "x.pdf")
    assert result.exit_code == 2
    assert "a4" in result.stderr and "letter" in result.stderr


def test_unwritable_output_folder(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.access(locked, os.W_OK):  # root ignores permission bits: answer as a user would get
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path) == locked
                            else real_access(path, mode))
    result = run_cli("build", "--out", locked / "x.pdf")
    assert result.exit_code == 2 and "not a writable folder" in result.stderr
    assert not (locked / "x.pdf").exists()


def test_output_path_that_is_a_folder(tmp_path):
    result = run_cli("build", "--out", tmp_path)
    assert result.exit_code == 2 and "is a directory" in result.stderr


def test_output_under_a_file_is_a_usage_error(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    result = run_cli("build", "--out", blocker / "sub" / "x.pdf")
    assert result.exit_code == 2 and "not a writable folder" in result.stderr


def test_bad_date_is_a_usage_error(tmp_path):
    result = run_cli("build", "--date", "next tuesday", "--out", tmp_path / "x.pdf")
    assert result.exit_code == 2


def test_errors_never_print_a_traceback(tmp_path):
    bad = tmp_path / "content"
    (bad / "questions").mkdir(parents=True)
    (bad / "questions" / "q.yaml").write_text("questions: [\n", encoding="utf-8")
    for args, code in ((["validate", "--content", bad], 1), (["build", "--role", "zzz"], 2)):
        result = subprocess.run([sys.executable, "-m", "guidegen", *map(str, args)],
                                capture_output=True, text=True, cwd=tmp_path, check=False)
        assert result.returncode == code
        assert "Traceback" not in result.stderr and result.stderr.strip()


def test_validate_reports_every_planted_problem_as_a_table(content_copy):
    general = content_copy / "questions" / "general.yaml"
    edit(general, "    kind: general", "    kind: generl")
    edit(general, "    tags: [containers, fundamentals]",
         "    tags: [containers, fundamentals]\n    tags: [again]")
    edit(general, "Interviewers often open with this",
         "Interviewers at {compnay} often open with this")
    sre = content_copy / "roles" / "site-reliability-engineer.yaml"
    edit(sre, "  - sre-toil", "  - tag: no-such-tag")
    expected = [
        (general, "kind: generl", "questions[0].kind", "'generl'", "must be one of"),
        (general, "tags: [again]", "questions[2].tags", "-", "key 'tags' appears twice"),
        (general, "    why: |", "questions[0].why", "'{compnay}'", "unknown placeholder"),
        (sre, "tag: no-such-tag", "questions", "'no-such-tag'", "no question has the tag"),
    ]
    result = run_cli("validate", "--content", content_copy)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].split() == ["LOCATION", "FIELD", "VALUE", "PROBLEM"]
    assert "4 problems found." in result.stderr
    for path, needle, field, value, message in expected:
        location = f"{path.parent.name}/{path.name}:{line_of(path, needle)}:"
        row = next((line for line in lines if location in line and message in line), None)
        assert row, f"no row for {location} {message} in:\n{result.output}"
        assert field in row and value in row


def test_schema_command_matches_the_committed_copy():
    committed = (Path(__file__).resolve().parents[1] / "schema" / "content.schema.json")
    result = run_cli("schema")
    assert result.exit_code == 0
    assert result.output == committed.read_text(encoding="utf-8"), (
        "schema/content.schema.json is stale: "
        "run `guidegen schema --out schema/content.schema.json`")


def test_a_failed_write_is_one_line_and_keeps_the_earlier_file(tmp_path, monkeypatch):
    out = tmp_path / "book.pdf"
    out.write_bytes(b"%PDF-earlier")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    result = run_cli("build", "--out", out)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: cannot write {out}: No space left on device"
    assert out.read_bytes() == b"%PDF-earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.pdf"]


def test_special_files_are_refused_and_links_followed(tmp_path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    result = run_cli("build", "--out", fifo)
    assert result.exit_code == 2 and "not a regular file" in result.stderr
    target = tmp_path / "real.json"
    target.write_text("{}")
    target.chmod(0o600)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert run_cli("schema", "--out", link).exit_code == 0
    assert link.is_symlink() and target.read_text().startswith("{\n")
    assert target.stat().st_mode & 0o777 == 0o600  # a private file stays private


def test_html_beside_a_pdf_never_overwrites_it(tmp_path):
    result = run_cli("build", "--html", "--out", tmp_path / "book.html")
    assert result.exit_code == 2 and "--html" in result.stderr


def test_yaml_aliases_are_refused(content_copy):
    bomb = content_copy / "questions" / "bomb.yaml"
    bomb.write_text("a: &a [x, x]\nb: &b [*a, *a]\nquestions: [*b, *b]\n", encoding="utf-8")
    _expect_content_error(content_copy, "questions/bomb.yaml:2:", "aliases")


def test_dates_off_the_calendar_are_usage_errors(tmp_path):
    for args in (["--start", "9999-12-26"], ["--date", "0001-01-05"]):
        result = run_cli("build", *args, "--out", tmp_path / "x.pdf")
        assert result.exit_code == 2 and "past the calendar" in result.stderr, args


def test_a_broken_questions_file_is_not_echoed_by_every_role(content_copy):
    (content_copy / "questions" / "general.yaml").write_text("questions: hello\n")
    result = run_cli("validate", "--content", content_copy)
    assert result.exit_code == 1
    assert "unknown question id" not in result.output
    assert "1 problem found." in result.stderr
