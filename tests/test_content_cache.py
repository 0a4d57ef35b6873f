"""The content cache (guidegen/content/cache.py): a cached load is the same Bank as a fresh one,
and any change to what the loader reads, or a bad entry, means a fresh load."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from guidegen.cli import main
from guidegen.content import cache
from guidegen.content import load as loader
from guidegen.errors import ContentError
from guidegen.paths import CONTENT_DIR
from tests.conftest import DATA, run_cli

PACKS = [CONTENT_DIR, DATA / "tiny", DATA / "markdown", DATA / "cards"]


def same(a, b, where="bank") -> None:
    """``a`` and ``b`` are equal, value for value and type for type (== alone would take a
    tuple for a list, or a model whose fields-set differs)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, BaseModel):
        assert a.model_fields_set == b.model_fields_set, where
        assert a.__pydantic_extra__ == b.__pydantic_extra__, where
        assert a.__pydantic_private__ == b.__pydantic_private__, where
        assert list(a.__dict__) == list(b.__dict__), where
        for name in a.__dict__:
            same(a.__dict__[name], b.__dict__[name], f"{where}.{name}")
    elif dataclasses.is_dataclass(a):
        for field in dataclasses.fields(a):
            same(getattr(a, field.name), getattr(b, field.name), f"{where}.{field.name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for index, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{index}]")
    else:
        assert a == b, where
    assert a == b, where


@pytest.fixture
def cached(tmp_path, monkeypatch):
    """A cache of this test's own that stores files however new they are, and the number of
    loads that did not come from it."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "RACY_NS", -(10**12))  # copies made a moment ago are cached too
    calls = []
    real = loader.load_bank

    def counted(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "load_bank", counted)
    return calls


def pack_copy(tmp_path: Path, source: Path = DATA / "tiny") -> Path:
    target = tmp_path / "pack"
    shutil.copytree(source, target)
    return target


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.name)
def test_a_cached_load_is_exactly_the_bank_a_fresh_load_makes(pack, cached):
    first = cache.load(pack)
    again = cache.load(pack)
    assert cached.count(pack) == 1, "the second load did not come from the cache"
    fresh = loader.load_bank(pack)
    same(first, fresh)
    same(again, fresh)


def test_a_cached_pack_with_warnings_is_the_same_under_strict(tmp_path, cached):
    pack = pack_copy(tmp_path)
    questions = pack / "questions" / "tiny.yaml"
    text = questions.read_text(encoding="utf-8")
    questions.write_text(
        text.replace("answer: |\n", 'answer: |\n      <span style="color: red">Red.</span>\n', 1),
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as fresh:
        loader.load_bank(pack, strict=True)
    first = cache.load(pack)
    assert first.warnings == fresh.value.problems
    same(cache.load(pack), loader.load_bank(pack))
    with pytest.raises(ContentError) as from_cache:
        cache.load(pack, strict=True)
    assert from_cache.value.problems == fresh.value.problems
    assert len(cached) == 1 + 2  # two fresh loads of this test's own; the cache's one


def test_the_cache_is_under_its_own_folder_never_the_content(tmp_path, cached, monkeypatch):
    pack = pack_copy(tmp_path)
    before = sorted(p.relative_to(pack) for p in pack.rglob("*"))
    cache.load(pack)
    assert sorted(p.relative_to(pack) for p in pack.rglob("*")) == before
    entries = list((tmp_path / "cache").iterdir())
    assert len(entries) == 1 and entries[0].suffix == ".json"
    assert (tmp_path / "cache").stat().st_mode & 0o077 == 0
    monkeypatch.delenv(cache.CACHE_ENV)
    import platformdirs

    assert cache.cache_folder() == Path(
        platformdirs.user_cache_dir("guidegen", appauthor=False)
    ) / ("content")
    monkeypatch.setenv(cache.CACHE_ENV, "")
    assert cache.cache_folder() is None
    cache.load(pack)
    assert len(cached) == 2  # off: loaded again


def _edit_same_size(path: Path, old: str, new: str) -> None:
    assert len(old.encode()) == len(new.encode())
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_file_edited_to_the_same_size_with_a_new_mtime_is_read_again(tmp_path, cached):
    pack = pack_copy(tmp_path)
    questions = pack / "questions" / "tiny.yaml"
    title = next(iter(cache.load(pack).questions.values())).title
    info = questions.stat()
    _edit_same_size(questions, title, title[::-1])
    os.utime(questions, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    assert questions.stat().st_size == info.st_size
    assert next(iter(cache.load(pack).questions.values())).title == title[::-1]
    assert len(cached) == 2


def test_a_file_of_a_new_size_with_its_old_mtime_is_read_again(tmp_path, cached):
    pack = pack_copy(tmp_path)
    questions = pack / "questions" / "tiny.yaml"
    title = next(iter(cache.load(pack).questions.values())).title
    info = questions.stat()
    text = questions.read_text(encoding="utf-8")
    questions.write_text(text.replace(title, title + " Longer", 1), encoding="utf-8")
    os.utime(questions, ns=(info.st_atime_ns, info.st_mtime_ns))  # as `touch -r` would
    assert questions.stat().st_mtime_ns == info.st_mtime_ns
    assert next(iter(cache.load(pack).questions.values())).title == title + " Longer"
    assert len(cached) == 2


def test_a_file_added_removed_or_linked_is_read_again(tmp_path, cached):
    pack = pack_copy(tmp_path)
    questions = pack / "questions" / "tiny.yaml"
    count = len(cache.load(pack).questions)
    extra = pack / "questions" / "more.yaml"
    extra.write_text(
        "questions:\n- id: one-more\n  title: One more question?\n  kind: general\n",
        encoding="utf-8",
    )
    assert len(cache.load(pack).questions) == count + 1
    extra.unlink()
    assert len(cache.load(pack).questions) == count
    # A second name for a file: the loader refuses a hard-linked content file.
    os.link(questions, tmp_path / "elsewhere.yaml")
    with pytest.raises(ContentError, match="hard links"):
        cache.load(pack)
    assert len(cached) == 4


def test_a_content_error_is_reported_the_same_from_a_cached_folder(tmp_path, cached):
    pack = pack_copy(tmp_path)
    cache.load(pack)
    cache.load(pack)
    roles = pack / "roles" / "tiny.yaml"
    text = roles.read_text(encoding="utf-8")
    roles.write_text(text.replace("title:", "titel:", 1), encoding="utf-8")
    for _ in range(2):  # an error is never stored: the second load reads it again too
        with pytest.raises(ContentError) as from_cache:
            cache.load(pack)
        with pytest.raises(ContentError) as fresh:
            loader.load_bank(pack)
        assert from_cache.value.problems == fresh.value.problems
        assert str(from_cache.value).startswith("pack/roles/tiny.yaml:")
    assert len(cached) == 1 + 4
    result = run_cli("validate", "--content", pack)
    assert result.exit_code == 1 and "pack/roles/tiny.yaml:" in result.output


def test_the_built_in_pack_a_pack_extends_is_an_input(tmp_path, cached, monkeypatch):
    builtin = pack_copy(tmp_path, CONTENT_DIR).rename(tmp_path / "builtin")
    monkeypatch.setattr(loader, "CONTENT_DIR", builtin)
    monkeypatch.setattr(cache, "CONTENT_DIR", builtin)
    pack = pack_copy(tmp_path, DATA / "markdown")
    bank = cache.load(pack)
    role = next(iter(bank.roles.values()))
    assert cache.load(pack) == bank and len(cached) == 2  # the pack and the built-in one
    questions = builtin / "questions" / "general.yaml"
    first = next(q for q in bank.questions.values() if q.id in questions.read_text())
    _edit_same_size(questions, first.title, first.title[::-1])
    changed = cache.load(pack)
    assert changed.questions[first.id].title == first.title[::-1]
    assert next(iter(changed.roles.values())) == role


def test_a_removed_theme_folder_is_reported(tmp_path, cached):
    pack = pack_copy(tmp_path)
    # Two levels down: removing it changes no folder the cache lists, only the theme check.
    (pack / "themes" / "house").mkdir(parents=True)
    with (pack / "workbook.yaml").open("a", encoding="utf-8") as stream:
        stream.write("theme: themes/house\n")
    assert cache.load(pack).workbook.theme == "themes/house"
    cache.load(pack)
    assert len(cached) == 1
    (pack / "themes" / "house").rmdir()
    with pytest.raises(ContentError, match="no such theme folder"):
        cache.load(pack)


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],
        lambda raw: b"\xff\xfe not json",
        lambda raw: raw.replace(b'"$model":"Question"', b'"$model":"Popen"', 1),
        lambda raw: raw.replace(b'"$model":"Question"', b'"$model":"BaseModel"', 1),
        lambda raw: raw.replace(b'"$path"', b'"$what"', 1),
        lambda raw: b"[]",
    ],
    ids=["cut-short", "not-json", "not-a-model", "the-base-class", "untagged", "a-list"],
)
def test_a_damaged_entry_is_ignored_and_written_again(tmp_path, cached, damage):
    pack = pack_copy(tmp_path)
    fresh = cache.load(pack)
    (entry,) = (tmp_path / "cache").iterdir()
    good = entry.read_bytes()
    entry.write_bytes(damage(good))
    same(cache.load(pack), fresh)
    assert len(cached) == 2
    assert entry.read_bytes() == good  # written again
    cache.load(pack)
    assert len(cached) == 2


def test_an_entry_others_can_write_or_a_link_is_not_read(tmp_path, cached):
    pack = pack_copy(tmp_path)
    cache.load(pack)
    (entry,) = (tmp_path / "cache").iterdir()
    entry.chmod(0o666)
    cache.load(pack)
    assert len(cached) == 2
    cache.load(pack)  # written again, with the user's own permissions
    assert len(cached) == 2
    planted = tmp_path / "planted.json"
    planted.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(planted)
    cache.load(pack)
    assert len(cached) == 3


def test_another_guidegen_or_source_is_a_miss(tmp_path, cached, monkeypatch):
    pack = pack_copy(tmp_path)
    cache.load(pack)
    monkeypatch.setattr(cache, "__version__", "0.0.0-other")
    cache.load(pack)
    assert len(cached) == 2
    monkeypatch.setattr(cache, "_source_hash", lambda: "another schema")
    cache.load(pack)
    assert len(cached) == 3


def test_files_written_a_moment_ago_are_not_cached(tmp_path, cached, monkeypatch):
    # Within one tick of the file system's clock, a second write could leave size and times
    # as they were: such a file is read again until it has been still for RACY_NS.
    monkeypatch.setattr(cache, "RACY_NS", 60 * 10**9)
    pack = pack_copy(tmp_path)
    cache.load(pack)
    cache.load(pack)
    assert len(cached) == 2 and not (tmp_path / "cache").exists()


def test_a_cached_roles_imports_neither_yaml_nor_pydantic(tmp_path):
    # What makes the cache worth having: the parse, the validation and pydantic itself are
    # skipped (speed is measured in benchmarks/run.py, not here).
    code = (
        "import sys; from guidegen.cli import main; sys.argv = ['guidegen', 'roles'];\n"
        "try: main()\nexcept SystemExit: pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'yaml', 'pydantic'}))"
    )
    env = {**os.environ, cache.CACHE_ENV: str(tmp_path / "cache")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        ).stdout.splitlines()
        for _ in range(2)
    ]
    assert runs[0][-1] == "['pydantic', 'yaml']"
    assert runs[1][-1] == "[]"
    assert runs[0][:-1] == runs[1][:-1]  # the same table


@pytest.mark.parametrize("strict", [False, True])
def test_roles_and_validate_print_the_same_from_the_cache(tmp_path, cached, strict):
    # It extends the built-in pack, and has raw HTML that will not print: warnings.
    pack = pack_copy(tmp_path, DATA / "markdown")
    off = {cache.CACHE_ENV: ""}
    outputs = []
    for env in (off, None, None):  # fresh, then storing, then from the cache
        results = [
            CliRunner().invoke(main, args, env=env)
            for args in (
                ["roles", "--content", str(pack)],
                ["validate", "--content", str(pack)] + ["--strict"] * strict,
            )
        ]
        outputs.append([(r.exit_code, r.stdout, r.stderr) for r in results])
    assert outputs[0] == outputs[1] == outputs[2]
    assert ("warning" in outputs[0][1][2]) != strict and outputs[0][1][0] == strict
    # Without the cache, roles and validate load it; then roles stores it (warnings and all),
    # and validate, --strict or not, reads it from there.
    assert cached.count(pack) == 2 + 1
