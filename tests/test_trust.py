"""A content pack and a theme are data, never code: sandboxed templates, a pack's theme kept
inside the pack, a preview only its own host can reach, workers that die with their parent,
and one-line errors where a hostile or broken pack used to raise a traceback."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from guidegen.book.html import render_html
from guidegen.book.model import make_book
from guidegen.content.load import load_bank
from guidegen.errors import ContentError, RenderError
from guidegen.paths import CONTENT_DIR, TEMPLATES_DIR
from guidegen.select import select
from guidegen.spec import WorkbookSpec
from guidegen.theme import Theme
from tests.conftest import DATA, fixed, guidegen_env, run_cli, start_preview, write_csv
from tests.pdfread import Workbook

TINY = DATA / "tiny"
PAYLOADS = [
    line.split("\t", 1)
    for line in (DATA / "attacks" / "template_payloads.txt").read_text("utf-8").splitlines()
    if line and not line.startswith("#")
]


def pages_printing(pack: Path, out: Path, text: str) -> list[int]:
    """Build ``pack`` (it must succeed) and the pages that print ``text``."""
    result = run_cli("build", "--content", pack, "--out", out)
    assert result.exit_code == 0, result.stderr
    book = Workbook(out)
    pages = book.pages_containing(text)
    book.close()
    return pages


def pack_with_theme(root: Path, templates: dict[str, str]) -> Path:
    """The tiny pack naming its own theme ``mytheme``, with these theme templates."""
    pack = root / "pack"
    shutil.copytree(TINY, pack)
    for name, body in templates.items():
        path = pack / "mytheme" / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    with (pack / "workbook.yaml").open("a", encoding="utf-8") as stream:
        stream.write("theme: mytheme\n")
    return pack


def body_override(expression: str) -> str:
    return (
        '{% extends "builtin:workbook.html" %}\n'
        "{% block body %}{{ " + expression + " }}{{ super() }}{% endblock %}\n"
    )


def one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# ---- the sandbox ----


@pytest.mark.parametrize(("name", "expression"), PAYLOADS, ids=[name for name, _ in PAYLOADS])
def test_a_hostile_theme_template_stops_the_build_with_its_line(tmp_path, name, expression):
    marker = tmp_path / "MARKER"
    (tmp_path / "SECRET").write_text("the secret", encoding="utf-8")
    expression = expression.replace("MARKER", str(marker)).replace("SECRET", "SECRET")
    pack = pack_with_theme(tmp_path, {"workbook.html": body_override(expression)})
    out = tmp_path / "out.pdf"
    result = run_cli("build", "--content", pack, "--out", out)
    assert result.exit_code == 1, result.output + result.stderr
    error = one_line_error(result)
    assert error.startswith(f"error: {pack / 'mytheme' / 'templates' / 'workbook.html'}:2: ")
    assert not marker.exists()
    assert not out.exists()


def test_the_attack_from_the_report_runs_nothing_in_build_cards_batch_or_preview(tmp_path):
    """The reported payload, through every command that renders a pack's templates."""
    marker = tmp_path / "ran"
    payload = f'cycler.__init__.__globals__.os.popen("id > {marker}").read()'
    pack = pack_with_theme(
        tmp_path,
        {"workbook.html": body_override(payload), "cards.html": body_override(payload)},
    )
    (pack / "mytheme" / "templates" / "cards.html").write_text(
        '{% extends "builtin:cards.html" %}\n'
        "{% block card_front %}{{ " + payload + " }}{% endblock %}\n",
        encoding="utf-8",
    )
    built = run_cli("build", "--content", pack, "--out", tmp_path / "w.pdf")
    cards = run_cli("cards", "--content", pack, "--out", tmp_path / "c.pdf")
    room = write_csv(tmp_path / "room.csv", [["name"], ["Ada"], ["Grace"]])
    batch = run_cli("batch", room, "--content", pack, "--out-dir", tmp_path / "copies", "-q")
    for result in (built, cards, batch):
        assert result.exit_code == 1, result.output + result.stderr
        assert "refused by the template sandbox" in result.stderr + result.output
        assert "Traceback" not in result.stderr
    # preview renders through the same function; called here without a server
    bank = load_bank(pack)
    spec = WorkbookSpec()
    with pytest.raises(RenderError, match="template sandbox"):
        render_html(make_book(bank, spec, select(bank, spec)))
    assert not marker.exists()
    assert not list((tmp_path / "copies").glob("*.pdf"))


def test_a_theme_given_with_the_option_is_sandboxed_too(tmp_path):
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates" / "workbook.html").write_text(
        body_override("lipsum.__globals__"), encoding="utf-8"
    )
    result = run_cli("build", "--content", TINY, "--theme", theme, "--out", tmp_path / "o.pdf")
    assert result.exit_code == 1
    assert "access to attribute '__globals__'" in one_line_error(result)


def test_a_template_that_recurses_for_ever_stops_with_an_error(tmp_path):
    pack = pack_with_theme(
        tmp_path,
        {
            "workbook.html": '{% extends "builtin:workbook.html" %}\n'
            "{% macro again() %}{{ again() }}{% endmacro %}\n"
            "{% block body %}{{ again() }}{% endblock %}\n"
        },
    )
    result = run_cli("build", "--content", pack, "--out", tmp_path / "o.pdf")
    assert result.exit_code == 1
    assert "RecursionError" in one_line_error(result)


def test_template_text_in_the_content_prints_as_it_is(tmp_path):
    """Content is never a template: Jinja syntax in a field reaches the PDF as literal text."""
    pack = tmp_path / "pack"
    shutil.copytree(TINY, pack)
    questions = pack / "questions" / "tiny.yaml"
    text = questions.read_text(encoding="utf-8")
    first_title = text.split("title: ", 1)[1].split("\n", 1)[0]
    questions.write_text(
        text.replace(first_title, "Rate {{ 6 * 7 }} and {% if 1 %}this{% endif %}", 1),
        encoding="utf-8",
    )
    pages = pages_printing(
        pack, tmp_path / "out.pdf", "Rate {{ 6 * 7 }} and {% if 1 %}this{% endif %}"
    )
    assert pages  # the question's page, and the contents line that names it


# Pieces of text that look like a template, for every text field of a pack.
_TEMPLATE_TEXT = [
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    " 7777 * 3 ",
    " cycler.__init__.__globals__.os.popen('touch MARKER').read() ",
    " include '/etc/passwd' ",
    " include 'SECRET' ",
    " raw ",
    " endraw ",
    " self ",
    "|safe",
    "<script>",
    " words ",
]
# Keys whose values are names the pack uses to refer to things, not text that prints.
_STRUCTURAL_KEYS = {"id", "key", "kind", "answer_type", "tags", "tag", "theme", "language"}
_STRUCTURAL_KEYS |= {"worksheets", "questions", "lines"}


def _fill_text(value, text: str, key: str | None = None):
    """Every string of a parsed YAML file that prints, replaced by ``text``."""
    if isinstance(value, dict):
        return {
            k: (v if k in _STRUCTURAL_KEYS and not _is_records(v) else _fill_text(v, text, k))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_fill_text(item, text, key) for item in value]
    if isinstance(value, str):
        return text
    return value


def _is_records(value) -> bool:
    # ``questions:`` in a question file holds the questions themselves; in a role, their ids.
    return (
        isinstance(value, list) and bool(value) and isinstance(value[0], dict) and "id" in value[0]
    )


@fixed(20)
@given(pieces=st.lists(st.sampled_from(_TEMPLATE_TEXT), min_size=1, max_size=8))
def test_property_template_text_in_every_content_field_stays_text(tmp_path_factory, pieces):
    """Jinja syntax in any field of a pack is printed or refused as content, never run: no
    command, no file read, no expression evaluated."""
    root = tmp_path_factory.mktemp("fields")
    marker, secret = root / "MARKER", root / "SECRET"
    secret.write_text("the-secret-text", encoding="utf-8")
    text = "".join(pieces).replace("MARKER", str(marker)).replace("SECRET", str(secret))
    text = "x" + text  # never blank once stripped
    pack = root / "pack"
    shutil.copytree(TINY, pack)
    for file in pack.rglob("*.yaml"):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        file.write_text(yaml.safe_dump(_fill_text(data, text)), encoding="utf-8")
    try:
        bank = load_bank(pack)
    except ContentError:
        return  # refused as content (an unknown {placeholder}, say): nothing ran
    spec = WorkbookSpec()
    html = render_html(make_book(bank, spec, select(bank, spec)))
    assert not marker.exists()
    assert "the-secret-text" not in html
    assert "root:x:0:0" not in html
    assert "23331" not in html
    if "7777 * 3" in text:
        assert "7777 * 3" in html


# Names a template can start from, and steps that have been used to climb out of a sandbox.
_NAMES = ["book", "layout", "workbook", "selection", "role", "personal", "cycler", "joiner"]
_NAMES += ["lipsum", "namespace", "range", "dict", "self", "t", "tt", "tmd", "super"]
_STEPS = [
    ".__class__",
    ".__mro__",
    "[1]",
    ".__subclasses__()",
    ".__init__",
    ".__globals__",
    '["os"]',
    ".os",
    '.popen("touch MARKER")',
    ".read()",
    ".bank",
    ".theme",
    ".folders[0]",
    ".content_dir",
    ".parent",
    '.joinpath("SECRET")',
    ".read_text()",
    ".spec",
    ".model_dump()",
    '.model_validate_json("{}")',
    ".__func__",
    ".__self__",
    ".__dict__",
    ".environment",
    ".globals",
    ".loader",
    '.get_source(None, "x")',
    '|attr("__class__")',
    "|list",
    "|map(attribute='__class__')|list",
    ".format(book)",
    ".items()",
]


@pytest.fixture(scope="module")
def tiny_bank():
    return load_bank(TINY)


@fixed(60)
@given(start=st.sampled_from(_NAMES), steps=st.lists(st.sampled_from(_STEPS), max_size=6))
def test_property_no_theme_expression_reaches_outside_the_sandbox(
    tmp_path_factory, tiny_bank, start, steps
):
    """Whatever chain of attributes, items and calls a theme template tries, it renders
    harmless text or stops with a RenderError: no command runs, no file outside is read."""
    root = tmp_path_factory.mktemp("probe")
    marker, secret = root / "MARKER", root / "SECRET"
    secret.write_text("the-secret-text", encoding="utf-8")
    expression = (start + "".join(steps)).replace("MARKER", str(marker))
    expression = expression.replace("SECRET", str(secret))
    theme = root / "theme"
    (theme / "templates").mkdir(parents=True)
    # A template on its own (no built-in parent): the probe is all that is rendered.
    (theme / "templates" / "workbook.html").write_text("{{ " + expression + " }}", encoding="utf-8")
    spec = WorkbookSpec()
    book = make_book(tiny_bank, spec, select(tiny_bank, spec))
    book = book.with_changes(theme=Theme((theme,)))
    try:
        html = render_html(book)
    except RenderError:
        html = ""
    assert "the-secret-text" not in html
    assert not marker.exists()


def test_a_copied_built_in_template_renders_as_the_built_in_one(tmp_path):
    """Every built-in template copied unchanged into a theme (the usual way to start one)."""
    theme = tmp_path / "copied"
    shutil.copytree(TEMPLATES_DIR, theme / "templates")
    plain, themed = tmp_path / "plain.pdf", tmp_path / "themed.pdf"
    assert run_cli("build", "--content", TINY, "--out", plain).exit_code == 0
    result = run_cli("build", "--content", TINY, "--theme", theme, "--out", themed)
    assert result.exit_code == 0, result.stderr
    cards = run_cli("cards", "--content", TINY, "--theme", theme, "--out", tmp_path / "c.pdf")
    assert cards.exit_code == 0, cards.stderr
    a, b = Workbook(plain), Workbook(themed)
    texts = a.page_texts, b.page_texts
    a.close()
    b.close()
    assert texts[0] == texts[1]


def test_a_block_nested_in_an_override_is_the_themes_own(tmp_path):
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates" / "workbook.html").write_text(
        '{% extends "builtin:workbook.html" %}\n'
        "{% block body %}{% block welcome %}<p>Welcome, cohort 7</p>{% endblock %}"
        "{{ super() }}{% endblock %}\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.pdf"
    result = run_cli("build", "--content", TINY, "--theme", theme, "--out", out)
    assert result.exit_code == 0, result.stderr
    book = Workbook(out)
    pages = book.pages_containing("Welcome, cohort 7")
    book.close()
    assert pages == [1]


@pytest.mark.parametrize(
    ("include", "expected"),
    [
        ('"nosuch.html"', "no template named nosuch.html"),
        ('"../../../../../etc/passwd"', "no template named ../../../../../etc/passwd"),
        ('"builtin:../pyproject.toml"', "no template named builtin:../pyproject.toml"),
        ('"outside.html"', "a link to a file outside the theme folder is refused"),
    ],
)
def test_an_include_of_a_missing_or_outside_file_is_one_line(tmp_path, include, expected):
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (tmp_path / "secret.html").write_text("the secret", encoding="utf-8")
    if include == '"outside.html"':
        (theme / "templates" / "outside.html").symlink_to(tmp_path / "secret.html")
    (theme / "templates" / "workbook.html").write_text(
        '{% extends "builtin:workbook.html" %}\n'
        "{% block body %}{% include " + include + " %}{{ super() }}{% endblock %}\n",
        encoding="utf-8",
    )
    result = run_cli("build", "--content", TINY, "--theme", theme, "--out", tmp_path / "o.pdf")
    assert result.exit_code == 1
    error = one_line_error(result)
    assert expected in error
    assert "the secret" not in error


# ---- a pack's theme stays in the pack ----


@pytest.mark.parametrize("where", ["/etc", "../elsewhere", "link-out"])
def test_a_packs_theme_outside_the_pack_is_refused_with_its_line(tmp_path, where):
    pack = tmp_path / "pack"
    shutil.copytree(TINY, pack)
    (tmp_path / "elsewhere" / "templates").mkdir(parents=True)
    (pack / "link-out").symlink_to(tmp_path / "elsewhere")
    workbook = pack / "workbook.yaml"
    text = workbook.read_text(encoding="utf-8")
    workbook.write_text(text + f"theme: {where}\n", encoding="utf-8")
    line = text.count("\n") + 1
    for command in (["validate"], ["build", "--out", tmp_path / "o.pdf"]):
        result = run_cli(*command, "--content", pack)
        assert result.exit_code == 1, result.output
        output = result.output + result.stderr
        assert f"workbook.yaml:{line}" in output
        assert "outside the content pack" in output
    assert not (tmp_path / "o.pdf").exists()


def test_a_packs_theme_that_links_inside_the_pack_is_used(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(TINY, pack)
    (pack / "themes" / "red" / "styles").mkdir(parents=True)
    (pack / "themes" / "red" / "templates").mkdir()
    (pack / "themes" / "red" / "templates" / "workbook.html").write_text(
        '{% extends "builtin:workbook.html" %}\n'
        "{% block body %}<p>House theme</p>{{ super() }}{% endblock %}\n",
        encoding="utf-8",
    )
    (pack / "house").symlink_to(pack / "themes" / "red")
    with (pack / "workbook.yaml").open("a", encoding="utf-8") as stream:
        stream.write("theme: house\n")
    assert pages_printing(pack, tmp_path / "o.pdf", "House theme") == [1]


# ---- regressions that raised tracebacks ----


def test_a_symbolic_link_loop_in_questions_is_one_problem(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(TINY, pack)
    (pack / "questions" / "loop.yaml").symlink_to("loop.yaml")
    result = run_cli("validate", "--content", pack)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert "questions/loop.yaml" in result.output
    assert "leads back to itself" in result.output


def test_an_empty_out_name_is_a_usage_error():
    result = run_cli("build", "--content", TINY, "--out", "")
    assert result.exit_code == 2
    assert "the file name is empty" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_read_only_output_is_left_untouched(tmp_path):
    out = tmp_path / "kept.pdf"
    out.write_bytes(b"the reader's own copy")
    out.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    result = run_cli("build", "--content", TINY, "--out", out)
    assert result.exit_code == 2
    assert "read-only" in one_line_error(result)
    assert out.read_bytes() == b"the reader's own copy"
    assert stat.S_IMODE(out.stat().st_mode) == 0o444


# ---- the preview answers only its own host ----


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    pack = tmp_path_factory.mktemp("host") / "pack"
    shutil.copytree(TINY, pack)
    process, url = start_preview(pack)
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    yield port, pack
    process.kill()
    process.wait()


def ask(port: int, path: str, host: str, method: str = "GET", origin: str | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": host}
    if origin:
        headers["Origin"] = origin
    connection.putrequest(method, path, skip_host=True)
    for key, value in headers.items():
        connection.putheader(key, value)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}"])
def test_the_preview_answers_its_own_host(preview, host):
    port, pack = preview
    file = f"/files{(pack / 'workbook.yaml').resolve().as_posix()}"
    status, headers, body = ask(port, file, host.format(port=port))
    assert status == 200
    assert b"title:" in body
    assert "Access-Control-Allow-Origin" not in headers


@pytest.mark.parametrize(
    "host", ["attacker.example", "attacker.example:{port}", "127.0.0.1", "127.0.0.1:1", ""]
)
def test_the_preview_refuses_any_other_host(preview, host):
    port, pack = preview
    for path in ("/", f"/files{(pack / 'workbook.yaml').resolve().as_posix()}", "/pdf"):
        status, _, body = ask(port, path, host.format(port=port))
        assert status == 421
        assert b"title:" not in body


def test_the_preview_refuses_other_origins_and_changes(preview):
    port, _ = preview
    own = f"127.0.0.1:{port}"
    assert ask(port, "/", own, origin="http://attacker.example")[0] == 403
    assert ask(port, "/", own, origin=f"http://{own}")[0] == 200
    for method in ("POST", "PUT", "DELETE"):
        status, headers, _ = ask(port, "/", own, method=method)
        assert status == 405
        assert headers["Allow"] == "GET"
    assert ask(port, "/", "attacker.example", method="POST")[0] == 421


# ---- no worker outlives its parent ----


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid``, with its start time (a pid may be reused later)."""
    found: dict[int, str] = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            fields = _stat(child)
            if fields is not None:
                found[child] = fields[19]
                found |= _descendants(child)
    return found


def _alive(pid: int, started: str) -> bool:
    fields = _stat(pid)
    # a zombie has exited (only its entry is left); another start time is another process
    return fields is not None and fields[0] not in ("Z", "X") and fields[19] == started


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("command", ["build", "batch"])
def test_killing_the_parent_kills_its_workers(tmp_path, command):
    room = write_csv(tmp_path / "room.csv", [["name"], *[[f"Reader {n}"] for n in range(8)]])
    args = {
        "build": ["build", "--content", str(CONTENT_DIR), "--out", str(tmp_path / "w.pdf")],
        "batch": ["batch", str(room), "--jobs", "2", "--out-dir", str(tmp_path / "copies")],
    }[command]
    process = subprocess.Popen(
        [sys.executable, "-m", "guidegen", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=guidegen_env(),
    )
    workers: dict[int, str] = {}
    deadline = time.monotonic() + 120
    while not workers and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        workers = _descendants(process.pid)
    assert workers, "the command finished before any worker started"
    time.sleep(0.5)  # let the rest start too: they must die as well
    workers |= _descendants(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 15
    while any(_alive(*worker) for worker in workers.items()) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid, started in workers.items() if _alive(pid, started)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left
