"""The command line: outputs, exit codes, and a clear one-line error for each kind of bad input."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from guidegen import __version__
from guidegen.errors import OutputError
from guidegen.output import refuse_unwritable, write_atomically
from tests.conftest import DATA, guidegen_env, run_cli

TINY = DATA / "tiny"


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    lines = [
        n
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if needle in line
    ]
    return lines[occurrence - 1]


def guidegen(*args, cwd: Path | None = None, **kwargs) -> subprocess.CompletedProcess:
    """guidegen in a fresh process, as a user runs it; arguments may be bytes."""
    return subprocess.run(
        [sys.executable, "-m", "guidegen", *args],
        capture_output=True,
        cwd=cwd,
        env=guidegen_env(),
        check=False,
        **kwargs,
    )


def test_version_and_help():
    assert run_cli("--version").output.strip() == f"guidegen, version {__version__}"
    result = run_cli("--help")
    assert result.exit_code == 0
    for command in ("build", "roles", "validate", "batch", "cards", "schema"):
        assert command in result.output


def test_python_dash_m_help():
    result = guidegen("--help", text=True)
    assert result.returncode == 0 and "build" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["roles"],
        ["validate"],
        ["build", "--help"],
        ["schema"],
        ["batch", "--help"],
        ["init", "--help"],
        ["preview", "--help"],
        ["import", "--help"],
        ["cards", "--help"],
    ],
)
def test_reading_commands_do_not_import_weasyprint(args):
    probe = (
        "import sys\nfrom guidegen.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "print('WEASYPRINT' if 'weasyprint' in sys.modules else 'CLEAN', file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert result.stderr.strip().endswith("CLEAN"), result.stderr


def test_every_command_is_found_under_its_own_name():
    import click

    from guidegen.cli.main import COMMANDS, main

    context = click.Context(main)
    for name in COMMANDS:
        command = main.get_command(context, name)
        assert isinstance(command, click.Command) and command.name == name
    assert main.get_command(context, "no-such-command") is None


def test_a_command_imports_only_its_own_module():
    probe = (
        "import sys\nfrom guidegen.cli import main\n"
        "try:\n    main(['roles'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('guidegen.cli.')), file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    loaded = result.stderr.strip().splitlines()[-1]
    assert loaded == str(["guidegen.cli.common", "guidegen.cli.main", "guidegen.cli.roles"])


def test_roles_lists_each_role_with_counts():
    from guidegen.content.load import load_bank
    from guidegen.paths import CONTENT_DIR
    from guidegen.select import role_questions

    bank = load_bank(CONTENT_DIR)
    questions = role_questions(bank, bank.roles["devops-engineer"])
    kinds = [
        sum(q.kind == kind for q in questions) for kind in ("general", "behavioural", "technical")
    ]
    result = run_cli("roles")
    assert result.exit_code == 0
    line = next(row for row in result.output.splitlines() if row.startswith("devops-engineer"))
    assert line.split()[1:5] == [str(len(questions)), *map(str, kinds)]


def test_validate_ok():
    result = run_cli("validate")
    assert result.exit_code == 0 and "all valid" in result.output


def test_build_default_writes_output_and_reports_pages(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("build", "--html", "--content", TINY)
    assert result.exit_code == 0, result.stderr
    pdf = tmp_path / "output" / "tiny-role.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert (tmp_path / "output" / "tiny-role.html").read_text().startswith("<!DOCTYPE html>")
    import pikepdf

    with pikepdf.open(pdf) as document:
        pages = len(document.pages)
    assert f"output/tiny-role.pdf ({pages} pages)" in result.output


# ---- content errors: exit 1, one line naming file, line and field ----


def _expect_content_error(content: Path, *needles: str) -> str:
    """build fails with a one-line message; validate lists the same place in its table."""
    out = content.parent / "never.pdf"
    result = run_cli("build", "--content", content, "--out", out)
    assert result.exit_code == 1, result.output + result.stderr
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


def test_malformed_yaml(tiny_pack):
    path = tiny_pack / "questions" / "tiny.yaml"
    line = line_of(path, "kind: technical")
    edit(path, "    kind: technical", "    kind: [technical")
    message = _expect_content_error(tiny_pack, "questions/tiny.yaml:", "malformed YAML")
    reported = int(message.split("tiny.yaml:")[1].split(":")[0])
    assert line <= reported <= line + 2  # the parser notices just after the open bracket


def test_malformed_yaml_line_number(tiny_pack):
    path = tiny_pack / "questions" / "tiny.yaml"
    line = line_of(path, "kind: behavioural")
    edit(path, "    kind: behavioural", "   kind: behavioural")
    message = _expect_content_error(tiny_pack, "malformed YAML")
    assert f"tiny.yaml:{line}:" in message


def test_unknown_key(tiny_pack):
    path = tiny_pack / "questions" / "tiny.yaml"
    edit(path, "    tip: |", "    tips: |")
    line = line_of(path, "tips: |")
    result = run_cli("build", "--content", tiny_pack)
    assert result.exit_code == 1
    expected = f"questions/tiny.yaml:{line}:5: questions[0].tips: unknown field 'tips'"
    assert expected in result.stderr


def test_wrong_type(tiny_pack):
    path = tiny_pack / "questions" / "tiny.yaml"
    edit(path, "    tags: [linux]", "    tags: 5")
    line = line_of(path, "tags: 5")
    _expect_content_error(
        tiny_pack, f"tiny.yaml:{line}:5", "questions[2].tags", "must be a list", "(got 5)"
    )


def test_missing_required_field(tiny_pack):
    path = tiny_pack / "questions" / "tiny.yaml"
    edit(path, "    title: What does a build server do?\n", "")
    _expect_content_error(
        tiny_pack, "tiny.yaml:4:5", "questions[0].title", "required field 'title' is missing"
    )


def test_duplicate_id(tiny_pack):
    path = tiny_pack / "questions" / "tiny.yaml"
    edit(path, "id: tiny-technical", "id: tiny-general")
    line = line_of(path, "id: tiny-general", 2)
    _expect_content_error(
        tiny_pack, f"tiny.yaml:{line}", "duplicate id 'tiny-general'", "tiny.yaml:4"
    )


def test_unknown_kind(tiny_pack):
    path = tiny_pack / "questions" / "tiny.yaml"
    edit(path, "kind: technical", "kind: trivia")
    line = line_of(path, "kind: trivia")
    _expect_content_error(
        tiny_pack,
        f"tiny.yaml:{line}:5",
        "questions[2].kind",
        "must be one of 'general', 'behavioural' or 'technical'",
        "'trivia'",
    )


def test_empty_content_folder(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("build", "--content", empty, "--out", tmp_path / "x.pdf")
    assert result.exit_code == 1
    assert "content folder has no questions" in result.stderr
    assert str(empty) in result.stderr


def test_role_naming_unknown_question(tiny_pack):
    path = tiny_pack / "roles" / "tiny.yaml"
    edit(path, "  - tiny-technical", "  - tiny-technicl")
    line = line_of(path, "- tiny-technicl")
    _expect_content_error(
        tiny_pack, f"tiny.yaml:{line}", "unknown question id", "did you mean 'tiny-technical'"
    )


def test_a_control_character_is_reported_at_its_line_and_column(tiny_pack):
    path = tiny_pack / "questions" / "tiny.yaml"
    edit(path, "shows whether you can", "shows whether\x07 you can")
    line = line_of(path, "\x07")
    column = path.read_text().splitlines()[line - 1].index("\x07") + 1
    _expect_content_error(tiny_pack, f"questions/tiny.yaml:{line}:{column}:", "U+0007")


@pytest.mark.parametrize(
    "value, tag",
    [
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!set {a: null}", "!!set"),
        ("!!python/object:os.system {}", "!!python/object"),
        ("!local text", "!local"),
    ],
)
def test_yaml_tags_outside_the_core_types_are_refused(tiny_pack, value, tag):
    path = tiny_pack / "questions" / "tiny.yaml"
    edit(path, "    why: |\n      A common first-week task on call.\n", f"    why: {value}\n")
    line = line_of(path, f"why: {value}")
    _expect_content_error(tiny_pack, f"tiny.yaml:{line}:", tag, "not allowed")


def test_yaml_aliases_are_refused(tiny_pack):
    bomb = tiny_pack / "questions" / "bomb.yaml"
    bomb.write_text("a: &a [x, x]\nb: &b [*a, *a]\nquestions: [*b, *b]\n", encoding="utf-8")
    _expect_content_error(tiny_pack, "questions/bomb.yaml:2:", "aliases")


def test_a_symlink_out_of_the_content_folder_is_refused(tiny_pack, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\nquestions: []\n", encoding="utf-8")
    (tiny_pack / "questions" / "evil.yaml").symlink_to(secret)
    message = _expect_content_error(
        tiny_pack, "questions/evil.yaml", "symbolic link to a file outside the content folder"
    )
    result = run_cli("validate", "--content", tiny_pack)
    assert "root:x" not in result.output + result.stderr + message


def test_a_hard_link_to_an_outside_file_is_refused(tiny_pack, tmp_path):
    outside = tmp_path / "outside.yaml"
    shutil.copy(tiny_pack / "ask" / "ask.yaml", outside)
    (tiny_pack / "ask" / "ask.yaml").unlink()
    os.link(outside, tiny_pack / "ask" / "ask.yaml")
    _expect_content_error(tiny_pack, "ask/ask.yaml", "2 hard links")


def test_a_file_over_the_size_limit_is_refused_at_once(tiny_pack):
    big = tiny_pack / "questions" / "big.yaml"
    big.write_text("questions:\n" + "  # padding\n" * 600_000, encoding="utf-8")
    _expect_content_error(tiny_pack, "questions/big.yaml", "at most 5 MB")


def test_a_broken_questions_file_is_not_echoed_by_every_role(tiny_pack):
    (tiny_pack / "questions" / "tiny.yaml").write_text("questions: hello\n")
    result = run_cli("validate", "--content", tiny_pack)
    assert result.exit_code == 1
    assert "unknown question id" not in result.output
    assert "1 problem found." in result.stderr


def _without_root_powers() -> list[str]:
    """A command prefix that runs as this user without the power to ignore file modes."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv, so file modes cannot be tested")
    return [
        "setpriv",
        "--bounding-set=-dac_override,-dac_read_search",
        "--inh-caps=-dac_override,-dac_read_search",
    ]


@pytest.mark.parametrize("command", ["validate", "build"])
def test_an_unreadable_folder_is_a_one_line_content_error(tiny_pack, tmp_path, command):
    questions = tiny_pack / "questions"
    questions.chmod(0)
    try:
        done = subprocess.run(
            [
                *_without_root_powers(),
                sys.executable,
                "-m",
                "guidegen",
                command,
                "--content",
                str(tiny_pack),
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=guidegen_env(),
            check=False,
        )
    finally:
        questions.chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    shown = done.stdout + done.stderr
    assert "tiny/questions" in shown and "cannot be read: Permission denied" in shown


def test_validate_reports_every_planted_problem_as_a_table(tiny_pack):
    questions = tiny_pack / "questions" / "tiny.yaml"
    edit(questions, "    kind: general", "    kind: generl")
    edit(questions, "    tags: [linux]", "    tags: [linux]\n    tags: [again]")
    edit(questions, "A warm-up that shows", "A warm-up at {compnay} that shows")
    role = tiny_pack / "roles" / "tiny.yaml"
    edit(role, "  - tiny-technical", "  - tag: no-such-tag")
    expected = [
        (questions, "kind: generl", "questions[0].kind", "'generl'", "must be one of"),
        (questions, "tags: [again]", "questions[2].tags", "-", "key 'tags' appears twice"),
        (questions, "{compnay}", "questions[0].why", "'{compnay}'", "unknown placeholder"),
        (role, "tag: no-such-tag", "questions", "'no-such-tag'", "no question has the tag"),
    ]
    result = run_cli("validate", "--content", tiny_pack)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].split() == ["LOCATION", "FIELD", "VALUE", "PROBLEM"]
    assert "4 problems found." in result.stderr
    for path, needle, field, value, message in expected:
        location = f"{path.parent.name}/{path.name}:{line_of(path, needle)}:"
        row = next((line for line in lines if location in line and message in line), None)
        assert row, f"no row for {location} {message} in:\n{result.output}"
        assert field in row and value in row


# ---- usage errors: exit 2, listing the valid choices ----


def test_unknown_role_lists_choices(tmp_path):
    result = run_cli("build", "--role", "astronaut", "--out", tmp_path / "x.pdf")
    assert result.exit_code == 2
    assert "unknown role 'astronaut'" in result.stderr
    assert "devops-engineer" in result.stderr and "site-reliability-engineer" in result.stderr


def test_an_empty_role_is_a_usage_error(tmp_path):
    for command in (
        ["build", "--out", tmp_path / "x.pdf"],
        ["batch", DATA / "tiny" / "roles" / "tiny.yaml"],
    ):
        result = run_cli(*command, "--role", "")
        assert result.exit_code == 2 and "--role is empty" in result.stderr, result.stderr


def test_unknown_paper_lists_choices(tmp_path):
    result = run_cli("build", "--paper", "a3", "--out", tmp_path / "x.pdf")
    assert result.exit_code == 2
    assert "a4" in result.stderr and "letter" in result.stderr


def test_american_spelling_of_a_kind_is_understood_and_typos_get_a_hint(tmp_path):
    result = run_cli(
        "build", "--content", TINY, "--kinds", "behavioral", "--out", tmp_path / "x.pdf"
    )
    assert result.exit_code == 0, result.stderr
    result = run_cli(
        "build", "--content", TINY, "--kinds", "behavoural", "--out", tmp_path / "x.pdf"
    )
    assert result.exit_code == 2 and "did you mean behavioural?" in result.stderr


def test_unwritable_output_folder(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.access(locked, os.W_OK):  # root ignores permission bits: answer as a user would get
        real_access = os.access
        monkeypatch.setattr(
            os,
            "access",
            lambda path, mode: False if Path(path) == locked else real_access(path, mode),
        )
    result = run_cli("build", "--out", locked / "x.pdf")
    assert result.exit_code == 2 and "not a writable folder" in result.stderr
    assert not (locked / "x.pdf").exists()


@pytest.mark.parametrize(
    "given, message",
    [
        ("newdir/", "names a folder"),
        ("x.txt", "must end in .pdf"),
        (".", "names a folder"),
    ],
)
def test_output_names_that_cannot_be_a_pdf_are_usage_errors(tmp_path, given, message):
    result = run_cli("build", "--out", f"{tmp_path}/{given}" if given != "." else ".")
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert not (tmp_path / "newdir").exists() and not (tmp_path / "x.txt").exists()


def test_output_path_that_is_a_folder(tmp_path):
    folder = tmp_path / "book.pdf"
    folder.mkdir()
    result = run_cli("build", "--out", folder)
    assert result.exit_code == 2 and "it is a folder" in result.stderr
    with pytest.raises(OutputError, match="it is a folder"):
        refuse_unwritable(folder)


def test_output_under_a_file_is_a_usage_error(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    result = run_cli("build", "--out", blocker / "sub" / "x.pdf")
    assert result.exit_code == 2 and "is a file, not a folder" in result.stderr


def test_an_output_the_system_refuses_is_exit_2(tmp_path):
    result = guidegen("build", "--content", str(TINY), "--out", "/proc/guidegen-x.pdf", text=True)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: cannot write") and "Traceback" not in result.stderr


def test_a_long_output_name_is_a_usage_error_and_a_legal_one_is_written(tmp_path):
    too_long = tmp_path / ("x" * 252 + ".pdf")  # 256 bytes
    result = run_cli("build", "--content", TINY, "--out", too_long)
    assert result.exit_code == 2 and "256 bytes" in result.stderr and "at most 255" in result.stderr
    longest = tmp_path / ("é" * 125 + "x.pdf")  # 255 bytes, with room for no temporary suffix
    assert len(longest.name.encode()) == 255
    result = run_cli("build", "--content", TINY, "--out", longest)
    assert result.exit_code == 0, result.stderr
    assert longest.read_bytes().startswith(b"%PDF-")


def test_bytes_that_are_not_utf8_in_an_option_are_a_usage_error(tmp_path):
    for option in (b"--name", b"--company"):
        result = guidegen(
            b"build",
            b"--content",
            bytes(TINY),
            option,
            b"Ad\xe9 L\xff",
            b"--out",
            bytes(tmp_path / "x.pdf"),
        )
        stderr = result.stderr.decode("utf-8", "replace")
        assert result.returncode == 2, stderr
        assert option.decode() in stderr and "not UTF-8" in stderr
        assert "Traceback" not in stderr


def test_bad_date_is_a_usage_error(tmp_path):
    result = run_cli("build", "--date", "next tuesday", "--out", tmp_path / "x.pdf")
    assert result.exit_code == 2


def test_errors_never_print_a_traceback(tmp_path):
    bad = tmp_path / "content"
    (bad / "questions").mkdir(parents=True)
    (bad / "questions" / "q.yaml").write_text("questions: [\n", encoding="utf-8")
    for args, code in ((["validate", "--content", str(bad)], 1), (["build", "--role", "zzz"], 2)):
        result = guidegen(*args, cwd=tmp_path, text=True)
        assert result.returncode == code
        assert "Traceback" not in result.stderr and result.stderr.strip()


def test_schema_command_matches_the_committed_copy():
    committed = Path(__file__).resolve().parents[1] / "schema" / "content.schema.json"
    result = run_cli("schema")
    assert result.exit_code == 0
    assert result.output == committed.read_text(encoding="utf-8"), (
        "schema/content.schema.json is stale: "
        "run `guidegen schema --out schema/content.schema.json`"
    )


# ---- writing outputs: atomic, never through a link, every failure one line ----


def test_a_full_disk_is_one_line_exit_2_and_keeps_the_earlier_file(tmp_path, monkeypatch):
    out = tmp_path / "book.pdf"
    out.write_bytes(b"%PDF-earlier")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    result = run_cli("build", "--content", TINY, "--out", out)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: cannot write {out}: No space left on device"
    assert out.read_bytes() == b"%PDF-earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.pdf"]


def test_an_interrupted_write_keeps_the_earlier_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    out = tmp_path / "book.pdf"
    out.write_bytes(b"%PDF-earlier")
    written = []

    def interrupted_sync(fd):
        written.append(os.fstat(fd).st_size)  # the new file is complete on disk by now...
        raise KeyboardInterrupt  # ...when Ctrl-C arrives, before it replaces the old one

    monkeypatch.setattr(os, "fsync", interrupted_sync)
    result = run_cli("build", "--content", TINY, "--out", out)
    assert written and written[0] > 1000
    assert result.exit_code == 130
    assert out.read_bytes() == b"%PDF-earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["book.pdf"], "temporary file left behind"


def test_special_files_and_symbolic_links_are_refused(tmp_path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    result = run_cli("build", "--out", fifo)
    assert result.exit_code == 2 and "not a regular file" in result.stderr
    target = tmp_path / "real.json"
    target.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    result = run_cli("schema", "--out", link)
    assert result.exit_code == 2 and "symbolic link" in result.stderr
    assert link.is_symlink() and target.read_text() == "{}"


def test_an_existing_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "schema.json"
    target.write_text("{}")
    target.chmod(0o600)
    assert run_cli("schema", "--out", target).exit_code == 0
    assert target.read_text().startswith("{\n") and target.stat().st_mode & 0o777 == 0o600


def test_a_link_planted_after_the_check_is_replaced_not_followed(tmp_path, monkeypatch):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "book.pdf"
    from guidegen import output

    real = output.refuse_unwritable

    def check_then_plant(path):
        real(path)
        out.symlink_to(victim)  # an attacker wins the race between the check and the write

    monkeypatch.setattr(output, "refuse_unwritable", check_then_plant)
    write_atomically(out, b"%PDF-new")
    assert victim.read_text() == "precious"
    assert not out.is_symlink() and out.read_bytes() == b"%PDF-new"


def test_html_beside_a_pdf_never_overwrites_it(tmp_path):
    result = run_cli("build", "--html", "--out", tmp_path / "book.html")
    assert result.exit_code == 2 and "must end in .pdf" in result.stderr


def test_dates_off_the_calendar_are_usage_errors(tmp_path):
    for args in (["--start", "9999-12-26"], ["--date", "0001-01-05"]):
        result = run_cli("build", "--content", TINY, *args, "--out", tmp_path / "x.pdf")
        assert result.exit_code == 2 and "past the calendar" in result.stderr, args


# ---- progress on a terminal ----


def _on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    import pty

    command = [sys.executable, "-m", "guidegen", *args]
    pid, fd = pty.fork()
    if pid == 0:  # the child: guidegen with the terminal as stdin, stdout and stderr
        os.chdir(cwd)
        os.execve(sys.executable, command, {**guidegen_env(), "COLUMNS": "100"})
    output = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")


@pytest.mark.slow
def test_on_a_terminal_build_says_what_it_is_doing_and_batch_shows_a_bar(tmp_path):
    code, shown = _on_a_terminal(["build", "--content", str(TINY), "--out", "t.pdf"], tmp_path)
    assert code == 0 and "Laying out 3 questions" in shown and "t.pdf (" in shown
    (tmp_path / "room.csv").write_text("name\nAnn\n\nBob\n", encoding="utf-8")
    code, shown = _on_a_terminal(
        ["batch", "room.csv", "--content", str(TINY), "--out-dir", "out", "--jobs", "1"], tmp_path
    )
    assert code == 0, shown
    assert "Building copies" in shown and "2 written, 0 skipped, 0 failed" in shown
    assert "row 2:" not in shown  # the bar replaces the per-row lines


def test_the_makefile_starts_over_when_the_interpreter_changes(tmp_path):
    repo = Path(__file__).resolve().parents[1]
    if shutil.which("make") is None:
        pytest.skip("no make")
    shutil.copy(repo / "Makefile", tmp_path / "Makefile")
    shutil.copy(repo / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / ".installed-3.10.0").touch()  # a venv left by an older Python
    plan = subprocess.run(
        ["make", "-n", "build", f"PYTHON={sys.executable}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert plan.returncode == 0, plan.stderr
    assert "-m venv --clear .venv" in plan.stdout
    version = "{}.{}.{}".format(*sys.version_info[:3])
    assert f".installed-{version}" in plan.stdout


def test_role_problems_are_each_reported_once_and_all_at_once(tiny_pack):
    role = tiny_pack / "roles" / "tiny.yaml"
    edit(
        role,
        "  - tiny-technical\n",
        "  - Bad_Id\n  - {tag: Bad}\n  - tiny-technicl\n  - missing-two\n",
    )
    result = run_cli("validate", "--content", tiny_pack)
    assert result.exit_code == 1
    rows = result.stdout.splitlines()[1:]
    # One row each: no echo from the {tag: ...} branch of the union, and the ids after a bad
    # one are still checked.
    assert [row.split()[1] for row in rows] == [
        "questions[1]",
        "questions[2].tag",
        "questions[3]",
        "questions[4]",
    ]
    assert "did you mean 'tiny-technical'?" in rows[2]
    assert result.stderr.strip().endswith("4 problems found.")
    one = run_cli("validate", "--content", tiny_pack, "--strict")
    assert one.exit_code == 1


def test_counts_read_as_english(tiny_pack):
    result = run_cli("validate", "--content", tiny_pack)
    assert "3 questions, 1 role, 1 question to ask — all valid." in result.stdout


def test_a_bad_audience_or_language_of_a_question_to_ask_is_named(tiny_pack):
    path = tiny_pack / "ask" / "ask.yaml"
    edit(path, "    items:\n", "    language: Japanese\n    items:\n")
    edit(
        path,
        "        note: Tells you whether anyone expects you.\n",
        "        note: Tells you whether anyone expects you.\n        audience: [boss]\n",
    )
    result = run_cli("validate", "--content", tiny_pack)
    assert result.exit_code == 1
    lines = (result.stdout + result.stderr).splitlines()
    assert any(
        "ask.yaml:" in line
        and "'Japanese'" in line
        and "must be a language code such as en" in line
        for line in lines
    )
    assert any(
        "'boss'" in line and "must be one of 'recruiter', 'manager' or 'engineer'" in line
        for line in lines
    )
    assert "Traceback" not in result.stdout + result.stderr
