"""Stage 1: read a content folder, validate it, and report every problem with file and line.

Each file is read by guidegen.yamlread, which keeps the line and column of every value; pydantic's
error locations are looked up there, so an author is told ``questions/general.yaml:41:5`` rather
than an index.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from guidegen.content.bank import Bank
from guidegen.content.markup import PLACEHOLDERS, dropped_html, placeholders
from guidegen.content.models import (
    AskFile,
    AskGroup,
    Question,
    QuestionFile,
    Role,
    TagRef,
    Vocabulary,
    WorkbookText,
)
from guidegen.content.yamlread import NOWHERE, Parsed, Position, Where, _dotted, read_text
from guidegen.content.yamlread import parse_yaml as yaml_data
from guidegen.errors import ContentError, Problem
from guidegen.paths import CONTENT_DIR

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

_Model = TypeVar("_Model", bound=BaseModel)

YAML_SUFFIXES = (".yaml", ".yml")


def _display(file: Path, content_dir: Path) -> Path:
    try:
        return file.relative_to(content_dir.parent)
    except ValueError:
        return file


def parse_yaml(
    path: Path, shown_as: Path, root: Path, problems: list[Problem], trusted: bool = False
) -> Parsed | None:
    """One content file read safely (see guidegen.yamlread) with its placeholders checked."""
    text = read_text(path, shown_as, root, problems, trusted)
    if text is None:
        return None
    parsed = yaml_data(text, shown_as, problems)
    if parsed is not None:
        _check_placeholders(parsed, parsed.data, (), problems)
    return parsed


def _check_placeholders(parsed: Parsed, data: Any, path: tuple, problems: list[Problem]):
    """Unknown placeholders (outside code) are problems; raw HTML that will not print is a
    warning (collected on ``parsed.warnings``)."""
    if isinstance(data, dict):
        for key, value in data.items():
            _check_placeholders(parsed, value, path + (key,), problems)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _check_placeholders(parsed, value, path + (index,), problems)
    elif isinstance(data, str):
        for match in placeholders(data):
            if match.group(1) not in PLACEHOLDERS:
                line, col = parsed.position_in_text(path, match.start()) or (None, None)
                problems.append(
                    Problem(
                        parsed.path,
                        line,
                        col,
                        _dotted(path),
                        "unknown placeholder; the only one is {company} (or {company|fallback "
                        "words}); write \\{word} for a literal {word}, or put code in backticks",
                        repr(match.group(0)),
                    )
                )
        for offset, what in dropped_html(data):
            line, col = parsed.position_in_text(path, offset) or (None, None)
            parsed.warnings.append(
                Problem(
                    parsed.path,
                    line,
                    col,
                    _dotted(path),
                    f"{what} is raw HTML that will not print; write Markdown instead "
                    "(inline <b>, <kbd>, <sub> and the like are kept)",
                )
            )


_TYPE_WORDS = {
    "string_type": "text",
    "list_type": "a list",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "dict_type": "a mapping of field: value",
    "model_type": "a mapping of field: value",
    "bool_type": "true or false",
}


def _value_text(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "...'"


def _plain_words(error: ErrorDetails, model: type[BaseModel], loc: tuple) -> tuple[str, str]:
    """Pydantic's error as a sentence an author understands, and the offending value."""
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    shown = _value_text(value)
    if kind == "missing":
        return f"required field '{loc[-1]}' is missing", ""
    if kind == "extra_forbidden":
        allowed = _allowed_fields(model, loc[:-1])
        hint = f"; allowed fields: {', '.join(allowed)}" if allowed else ""
        return f"unknown field '{loc[-1]}'{hint}", ""
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}", shown
    if kind == "string_pattern_mismatch":
        if loc and loc[-1] == "language":  # models.LanguageCode, the one other pattern
            return "must be a language code such as en, de, ja or pt-BR", shown
        return ("must be lowercase letters, digits and single hyphens, like 'my-question-2'"), shown
    if kind in ("too_short", "string_too_short"):
        if isinstance(value, str):
            return "must not be empty", ""
        return f"needs at least {ctx.get('min_length', 1)} item(s)", shown
    if kind == "too_long":
        return f"allows at most {ctx.get('max_length')} item(s)", shown
    if kind in ("greater_than_equal", "less_than_equal"):
        limit = ctx.get("ge", ctx.get("le"))
        word = "at least" if kind == "greater_than_equal" else "at most"
        return f"must be {word} {limit}", shown
    if kind in _TYPE_WORDS:
        return f"must be {_TYPE_WORDS[kind]}", shown
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])), ""
    if kind == "union_tag_invalid" or kind.startswith("union"):
        return "must be a question id or {tag: name}", shown
    return error["msg"], shown


def _allowed_fields(model: type[BaseModel], loc: tuple) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            return []
        annotation = info.annotation
        args = getattr(annotation, "__args__", ())
        current = next(
            (a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), annotation
        )
    return list(getattr(current, "model_fields", {}))


# A field that is "a question id or {tag: name}" adds the branch it tried to an error's
# location; the author knows neither name.
_UNION_BRANCHES = {"str", "constrained-str", "TagRef"}


def _value_at(data: Any, path: tuple) -> Any:
    for key in path:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _validate(parsed: Parsed, model: type[_Model], problems: list[Problem]) -> _Model | None:
    if parsed.data is None:
        problems.append(Problem(parsed.path, 1, 1, "", "file is empty"))
        return None
    try:
        return model.model_validate(parsed.data)
    except ValidationError as exc:
        for error in exc.errors():
            # A union field (id or {tag: ...}) adds its branch name to the location and fails
            # once per branch; only the branch of the value's own shape says what is wrong.
            branch = [p for p in error["loc"] if p in _UNION_BRANCHES]
            if branch:
                union_at = error["loc"][: error["loc"].index(branch[0])]
                is_mapping = isinstance(_value_at(parsed.data, union_at), dict)
                if (branch[0] == "TagRef") != is_mapping:
                    continue
            loc = tuple(p for p in error["loc"] if p not in _UNION_BRANCHES)
            message, value = _plain_words(error, model, loc)
            line, col = parsed.position(loc) or (None, None)
            problem = Problem(parsed.path, line, col, _dotted(loc), message, value)
            if problem not in problems:
                problems.append(problem)
        return None


def _files(folder: Path, shown: Path, problems: list[Problem]) -> list[Path]:
    """The YAML files of one folder, in name order; an unreadable folder is a problem."""
    try:
        if not folder.is_dir():
            return []
        return sorted(
            p
            for p in folder.iterdir()
            if p.suffix in YAML_SUFFIXES and (p.is_file() or p.is_symlink())
        )
    except OSError as error:
        problems.append(
            Problem(shown, None, None, "", f"cannot be read: {error.strerror or error}")
        )
        return []


def load_bank(content_dir: Path, strict: bool = False) -> Bank:
    """Load and validate a content folder; raise ContentError listing every problem.

    ``strict`` turns warnings (raw HTML that will not print) into problems. The steps, in
    order: workbook.yaml (and the built-in pack it may extend), questions, the workbook's
    completed fields, the questions to ask, the roles (checked against the questions and
    groups), the vocabulary.
    """
    loader = _Loader(Path(content_dir))
    workbook_file = loader.read_workbook_file()
    questions = loader.read_questions()
    workbook = loader.complete_workbook(workbook_file)
    ask_groups, group_where = loader.read_ask_groups(workbook_file)
    roles = loader.read_roles(questions, group_where, workbook)
    vocabulary = loader.read_vocabulary(questions)
    if strict:
        loader.problems.extend(loader.warnings)
    if loader.problems:
        raise ContentError(_once(loader.problems))
    # Every way of leaving the workbook unset (no file, unreadable, invalid) records a problem.
    assert workbook is not None
    base = loader.base
    return Bank(
        loader.content_dir,
        workbook,
        questions,
        ask_groups,
        roles,
        loader.shown(loader.workbook_path),
        vocabulary,
        _once(loader.warnings),
        len(base.questions) if base else 0,
        base is not None and workbook_file is not None and workbook_file.builtin_ask,
    )


class _Loader:
    """One content folder being loaded: the problems and warnings found so far, where each
    id was defined, and the built-in pack it extends (if it does)."""

    def __init__(self, content_dir: Path):
        self.content_dir = content_dir
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        if not content_dir.is_dir():
            raise ContentError(
                [Problem(content_dir, None, None, "", "content folder does not exist")]
            )
        self.trusted = content_dir.resolve() == CONTENT_DIR.resolve()
        self.workbook_path = content_dir / "workbook.yaml"
        self.base: Bank | None = None
        self.where: dict[tuple[str, str], tuple[Path, Where]] = {}
        # Ids and tags of questions that failed validation: a role naming them is not reported
        # again as "unknown", which would bury the real problem under echoes.
        self.unchecked: set[str] = set()
        self.unreadable_question_file = False

    def shown(self, path: Path) -> Path:
        return _display(path, self.content_dir)

    def parse(self, path: Path) -> Parsed | None:
        parsed = parse_yaml(path, self.shown(path), self.content_dir, self.problems, self.trusted)
        if parsed is not None:
            self.warnings.extend(parsed.warnings)
        return parsed

    def read_workbook_file(self) -> WorkbookText | None:
        """workbook.yaml as written, and the built-in pack loaded if it extends it."""
        content_dir, workbook_path, problems = self.content_dir, self.workbook_path, self.problems
        if not (workbook_path.exists() or (content_dir / "questions").exists()):
            raise ContentError(
                [
                    Problem(
                        content_dir,
                        None,
                        None,
                        "",
                        "content folder has no questions and no workbook.yaml: it "
                        "is not a content pack (`guidegen init DIR` starts one)",
                    )
                ]
            )
        workbook_file = None
        if workbook_path.is_file() or workbook_path.is_symlink():
            parsed = self.parse(workbook_path)
            if parsed is not None:
                workbook_file = _validate(parsed, WorkbookText, problems)
                if workbook_file is not None and workbook_file.theme:
                    _check_theme(content_dir, workbook_file.theme, parsed, problems)
        else:
            problems.append(
                Problem(
                    self.shown(workbook_path),
                    None,
                    None,
                    "",
                    "missing: the how-to page and STAR steps come from it (or write "
                    "'extends: builtin' in it to use the built-in ones)",
                )
            )
        if workbook_file is not None and workbook_file.extends == "builtin" and not self.trusted:
            self.base = load_bank(CONTENT_DIR)
        return workbook_file

    def read_questions(self) -> dict[str, Question]:
        """Every valid question (the built-in ones first, for a pack that extends them)."""
        content_dir, problems, base = self.content_dir, self.problems, self.base
        question_files = _files(
            content_dir / "questions", self.shown(content_dir / "questions"), problems
        )
        if problems and not question_files:
            raise ContentError(problems)
        if not question_files and base is None:
            raise ContentError(
                [
                    Problem(
                        content_dir,
                        None,
                        None,
                        "",
                        "content folder has no questions: expected "
                        "questions/*.yaml (see docs/content-format.md)",
                    )
                ]
            )
        questions: dict[str, Question] = dict(base.questions) if base else {}
        for path in question_files:
            parsed = self.parse(path)
            if (
                parsed is None
                or not isinstance(parsed.data, dict)
                or not isinstance(parsed.data.get("questions"), list)
            ):
                self.unreadable_question_file = True  # its ids are unknown: no echoes
            if parsed is None:
                continue
            for index, question in _valid_questions(parsed, problems, self.unchecked):
                pos = parsed.position(("questions", index, "id")) or NOWHERE
                previous = self.where.get(("question", question.id))
                if previous or (base and question.id in base.questions):
                    first = (
                        f"{previous[0]}:{previous[1][0]}"
                        if previous
                        else "the built-in content this pack extends"
                    )
                    problems.append(
                        Problem(
                            parsed.path,
                            *pos,
                            f"questions[{index}].id",
                            f"duplicate id '{question.id}': already used at "
                            f"{first}; ids must be unique",
                        )
                    )
                    continue
                questions[question.id] = question
                self.where[("question", question.id)] = (parsed.path, pos)
        return questions

    def complete_workbook(self, workbook_file: WorkbookText | None) -> WorkbookText | None:
        """The workbook's fields, those left out taken from the built-in pack it extends."""
        if workbook_file is None:
            return None
        workbook = workbook_file.completed(self.base.workbook if self.base else None)
        if workbook.missing():
            self.problems.append(
                Problem(
                    self.shown(self.workbook_path),
                    1,
                    1,
                    "",
                    f"required field(s) {', '.join(workbook.missing())} missing (or write "
                    "'extends: builtin' to take them from the built-in pack)",
                )
            )
        return workbook

    def read_ask_groups(
        self, workbook_file: WorkbookText | None
    ) -> tuple[list[AskGroup], dict[str, tuple[Path, Position]]]:
        """The questions to ask in print order, and where each group is defined."""
        problems, base = self.problems, self.base
        ask_groups: list[AskGroup] = []
        group_where: dict[str, tuple[Path, Position]] = {}
        ask_dir = self.content_dir / "ask"
        for path in _files(ask_dir, self.shown(ask_dir), problems):
            parsed = self.parse(path)
            loaded = parsed and _validate(parsed, AskFile, problems)
            if not loaded:
                continue
            assert parsed is not None  # loaded is set only from a parsed file
            for index, group in enumerate(loaded.groups):
                pos = parsed.position(("groups", index, "id"))
                # A validated file has data, and its root () always has a position.
                assert pos is not None
                if group.id in group_where:
                    first = group_where[group.id]
                    problems.append(
                        Problem(
                            parsed.path,
                            *pos,
                            f"groups[{index}].id",
                            f"duplicate group id '{group.id}': already used at "
                            f"{first[0]}:{first[1][0]}",
                        )
                    )
                    continue
                group_where[group.id] = (parsed.path, pos)
                ask_groups.append(group)
        if base is not None and workbook_file is not None and workbook_file.builtin_ask:
            # The pack's own groups first; one with a built-in group's id takes its place.
            own = {group.id: group for group in ask_groups}
            builtin_ids = {b.id for b in base.ask_groups}
            ask_groups = [g for g in ask_groups if g.id not in builtin_ids] + [
                own.get(group.id, group) for group in base.ask_groups
            ]
            for group in base.ask_groups:
                group_where.setdefault(group.id, (Path("built-in"), (1, 1)))
        return ask_groups, group_where

    def read_roles(
        self,
        questions: dict[str, Question],
        group_where: dict[str, tuple[Path, Position]],
        workbook: WorkbookText | None,
    ) -> dict[str, Role]:
        """Every valid role, its question and group references checked."""
        problems, where = self.problems, self.where
        roles: dict[str, Role] = {}
        roles_dir = self.content_dir / "roles"
        role_files = _files(roles_dir, self.shown(roles_dir), problems)
        if not role_files and self.base is not None:
            # A pack that extends the built-in one without roles of its own (its own
            # questions to ask, a theme's labels) prints the built-in roles.
            roles = dict(self.base.roles)
        elif not role_files:
            problems.append(
                Problem(
                    self.shown(roles_dir),
                    None,
                    None,
                    "",
                    "no roles: expected roles/*.yaml naming the questions to print",
                )
            )
        for path in role_files:
            parsed = self.parse(path)
            role = parsed and _validate(parsed, Role, problems)
            if not role:
                if parsed is not None and not self.unreadable_question_file:
                    _check_raw_role_references(parsed, questions, self.unchecked, problems)
                continue
            assert parsed is not None  # role is set only from a parsed file
            if role.id in roles:
                first = where[("role", role.id)]
                problems.append(
                    Problem(
                        parsed.path,
                        *(parsed.position(("id",)) or NOWHERE),
                        "id",
                        f"duplicate role id '{role.id}': already used in {first[0]}",
                    )
                )
                continue
            roles[role.id] = role
            where[("role", role.id)] = (parsed.path, parsed.position(()) or (1, 1))
            if not self.unreadable_question_file:
                _check_role_references(
                    role, parsed, questions, group_where, self.unchecked, problems
                )
        if (
            workbook is not None
            and workbook.default_role
            and roles
            and workbook.default_role not in roles
        ):
            problems.append(
                Problem(
                    self.shown(self.workbook_path),
                    None,
                    None,
                    "default_role",
                    f"no role has the id '{workbook.default_role}'"
                    f"{_closest(workbook.default_role, roles)}",
                    repr(workbook.default_role),
                )
            )
        return roles

    def read_vocabulary(self, questions: dict[str, Question]) -> dict[str, list[str]]:
        """vocabulary.yaml's synonyms by tag (the built-in pack's first), each tag in use."""
        vocabulary: dict[str, list[str]] = dict(self.base.vocabulary) if self.base else {}
        vocabulary_path = self.content_dir / "vocabulary.yaml"
        if not (vocabulary_path.is_file() or vocabulary_path.is_symlink()):
            return vocabulary
        parsed = self.parse(vocabulary_path)
        loaded = parsed and _validate(parsed, Vocabulary, self.problems)
        if loaded and not self.unreadable_question_file:
            assert parsed is not None  # loaded is set only from a parsed file
            tags = {tag for q in questions.values() for tag in q.tags}
            for tag, words in loaded.synonyms.items():
                if tag not in tags:
                    pos = parsed.position(("synonyms", tag)) or NOWHERE
                    self.problems.append(
                        Problem(
                            parsed.path,
                            *pos,
                            f"synonyms.{tag}",
                            f"no question has the tag '{tag}'{_closest(tag, tags)}",
                        )
                    )
                vocabulary[tag] = [word.lower() for word in words]
        return vocabulary


def _once(problems: list[Problem]) -> list[Problem]:
    """Each problem once, in the order found."""
    return list(dict.fromkeys(problems))


def _check_raw_role_references(
    parsed: Parsed, questions: dict[str, Question], unchecked: set[str], problems: list[Problem]
) -> None:
    """A role file that failed validation still has its well-formed ids checked, so every
    unknown id is reported at once, not one run at a time."""
    refs = parsed.data.get("questions") if isinstance(parsed.data, dict) else None
    for index, ref in enumerate(refs if isinstance(refs, list) else []):
        if (
            isinstance(ref, str)
            and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", ref)
            and ref not in questions
            and ref not in unchecked
        ):
            problems.append(
                Problem(
                    parsed.path,
                    *(parsed.position(("questions", index)) or NOWHERE),
                    f"questions[{index}]",
                    f"unknown question id{_closest(ref, questions)}",
                    repr(ref),
                )
            )


def _valid_questions(parsed: Parsed, problems: list[Problem], unchecked: set[str]):
    """(index, Question) for each valid question; problems for the others.

    Valid questions beside an invalid one are still kept, so one typo does not make every
    role that names its neighbours fail too.
    """
    loaded = _validate(parsed, QuestionFile, problems)
    if loaded is not None:
        return list(enumerate(loaded.questions))
    items = parsed.data.get("questions") if isinstance(parsed.data, dict) else None
    valid = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        try:
            valid.append((index, Question.model_validate(item)))
        except ValidationError:
            if isinstance(item, dict):
                unchecked.add(str(item.get("id")))
                if isinstance(item.get("tags"), list):
                    unchecked.update(str(tag) for tag in item["tags"])
    return valid


def _check_theme(content_dir: Path, name: str, parsed: Parsed, problems: list[Problem]) -> None:
    from guidegen.theme import pack_theme

    problem = pack_theme(content_dir, name)[1]
    if problem is not None:
        line, column = parsed.position(("theme",)) or (None, None)
        problems.append(Problem(parsed.path, line, column, "theme", problem, repr(name)))


def _check_role_references(
    role: Role,
    parsed: Parsed,
    questions: dict[str, Question],
    group_ids: dict,
    unchecked: set[str],
    problems: list[Problem],
):
    tags = {tag for q in questions.values() for tag in q.tags}
    for index, ref in enumerate(role.questions):
        loc: tuple[str | int, ...] = ("questions", index)
        if (ref.tag if isinstance(ref, TagRef) else ref) in unchecked:
            continue
        if isinstance(ref, TagRef):
            if ref.tag not in tags:
                problems.append(
                    Problem(
                        parsed.path,
                        *(parsed.position(loc) or NOWHERE),
                        _dotted(loc) + ".tag",
                        f"no question has the tag '{ref.tag}'",
                        repr(ref.tag),
                    )
                )
        elif ref not in questions:
            hint = _closest(ref, questions)
            problems.append(
                Problem(
                    parsed.path,
                    *(parsed.position(loc) or NOWHERE),
                    _dotted(loc),
                    f"unknown question id{hint}",
                    repr(ref),
                )
            )
    for index, extra in enumerate(role.ask):
        if extra.group not in group_ids:
            loc = ("ask", index, "group")
            known = ", ".join(group_ids) or "none defined in ask/*.yaml"
            problems.append(
                Problem(
                    parsed.path,
                    *(parsed.position(loc) or NOWHERE),
                    _dotted(loc),
                    f"unknown ask group; known groups: {known}",
                    repr(extra.group),
                )
            )


def _closest(name: str, known) -> str:
    import difflib

    match = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{match[0]}'?" if match else ""
