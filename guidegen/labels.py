"""Labels: every fixed word a workbook prints, from a catalogue per language.

The built-in catalogues live in ``labels/`` (en, de, es). A theme or a content pack may have a
``labels/`` folder of its own: a file there for a language guidegen has overrides single
labels; a file for a new language adds it (labels it leaves out fall back to English, with a
warning). Dates are formatted with Babel, from the catalogue's own patterns, so they read
naturally in each language and on every platform.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guidegen.errors import ContentError, Problem, UsageError
from guidegen.paths import LABELS_DIR

if TYPE_CHECKING:
    from guidegen.content.yamlread import Where

FALLBACK = "en"
_FIELD = re.compile(r"\{(\w+)\}")


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """{"plan": {"title": "..."}} -> {"plan.title": "..."}; a one/other mapping is one label."""
    flat: dict[str, Any] = {}
    for key, value in (data or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not (
            set(value) <= {"zero", "one", "two", "few", "many", "other"} and "other" in value
        ):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


@dataclass
class Catalogue:
    code: str
    name: str
    locale: str
    dates: dict[str, str]
    labels: dict[str, Any]
    sources: list[Path] = field(default_factory=list)


def label_dirs(content_dir: Path | None, theme_dirs: tuple[Path, ...] = ()) -> list[Path]:
    """Where catalogues are looked for, the one that wins first: the pack, the theme, built-in."""
    dirs = []
    if content_dir is not None:
        dirs.append(Path(content_dir) / "labels")
    dirs += [Path(folder) / "labels" for folder in theme_dirs]
    dirs.append(LABELS_DIR)
    return [d for d in dirs if d.is_dir()]


def available(dirs: list[Path]) -> list[str]:
    codes: set[str] = set()
    for folder in dirs:
        codes.update(p.stem for p in folder.glob("*.yaml"))
    return sorted(codes)


def _read(path: Path, root: Path, problems: list[Problem]) -> dict | None:
    from guidegen.content.yamlread import parse_yaml, read_text

    shown = path if root == LABELS_DIR else Path(root.name) / path.relative_to(root)
    text = read_text(path, shown, root, problems, trusted=root == LABELS_DIR)
    parsed = parse_yaml(text, shown, problems) if text is not None else None
    if parsed is None:
        return None
    if not isinstance(parsed.data, dict):
        problems.append(
            Problem(
                shown,
                1,
                1,
                "",
                "a label catalogue is a mapping with language, locale, dates and labels",
            )
        )
        return None
    return {"data": parsed.data, "parsed": parsed, "shown": shown}


def load_labels(code: str, dirs: list[Path]) -> Labels:
    """The catalogue for ``code`` with every override applied; UsageError for an unknown code."""
    code = code.strip()
    choices = available(dirs)
    if code not in choices:
        raise UsageError(f"unknown language '{code}'; choose one of: {', '.join(choices)}")
    problems: list[Problem] = []
    base = _read(LABELS_DIR / f"{FALLBACK}.yaml", LABELS_DIR, problems)
    if base is None:
        raise ContentError(problems)
    known = _flatten(base["data"].get("labels"))
    layers = []
    for folder in reversed(dirs):  # built-in first, the pack's last, so the pack wins
        path = folder / f"{code}.yaml"
        if path.is_file():
            read = _read(path, folder, problems)
            if read is not None:
                layers.append(read)
    labels: dict[str, Any] = {}
    meta: dict[str, Any] = {"language": code, "locale": code, "dates": {}}
    for layer in layers:
        data, parsed, shown = layer["data"], layer["parsed"], layer["shown"]
        for key in ("language", "locale"):
            if key in data:
                meta[key] = str(data[key])
        meta["dates"].update(data.get("dates") or {})
        for key, value in _flatten(data.get("labels")).items():
            if key not in known:
                import difflib

                close = difflib.get_close_matches(key, list(known), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                position: Where = parsed.position(("labels", *key.split("."))) or (None, None)
                problems.append(Problem(shown, *position, f"labels.{key}", f"unknown label{hint}"))
                continue
            labels[key] = value
    _check_locale(meta["locale"], layers, problems)
    if problems:
        raise ContentError(problems)
    warnings = []
    missing = [key for key in known if key not in labels]
    if missing:
        warnings.append(
            f"the '{code}' labels lack {len(missing)} of {len(known)} entries "
            f"(first: {missing[0]}); English is printed for those"
        )
        english = {**known}
        labels = {**english, **labels}
    dates = {**_flatten_dates(base["data"]), **meta["dates"]}
    catalogue = Catalogue(
        code, meta["language"], meta["locale"], dates, labels, [layer["shown"] for layer in layers]
    )
    return Labels(catalogue, warnings)


def _flatten_dates(data: dict) -> dict[str, str]:
    return dict(data.get("dates") or {})


def _check_locale(locale: str, layers: list[dict], problems: list[Problem]) -> None:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        shown = layers[-1]["shown"] if layers else Path("labels")
        problems.append(
            Problem(
                shown,
                None,
                None,
                "locale",
                f"unknown locale '{locale}'; use a code such as en_GB or pt_BR",
            )
        )


class Labels:
    """One language's labels, plural rules and date patterns."""

    def __init__(self, catalogue: Catalogue, warnings: list[str] | None = None):
        from babel import Locale

        self.catalogue = catalogue
        self.code = catalogue.code
        self.warnings = warnings or []
        self.locale = Locale.parse(catalogue.locale)
        self.rtl = self.locale.character_order == "right-to-left"

    def text(self, key: str, count: int | None = None, **values: object) -> str:
        try:
            label = self.catalogue.labels[key]
        except KeyError:
            raise KeyError(f"no label '{key}' in the '{self.code}' catalogue") from None
        if isinstance(label, dict):
            form = self.locale.plural_form(count if count is not None else 0)
            label = label.get(form, label["other"])
        if count is not None:
            values.setdefault("count", count)
        # Only {name} fields, never str.format: a pack's labels are not trusted with attribute
        # lookups such as {x.__class__}.
        return _FIELD.sub(lambda m: str(values.get(m.group(1), m.group(0))), str(label))

    def date(self, value, pattern: str) -> str:
        from babel.dates import format_date

        return format_date(value, self.catalogue.dates[pattern], locale=self.locale)

    def join(self, items: list[str]) -> str:
        from babel.lists import format_list

        return format_list(items, locale=self.locale) if items else ""


def label_keys() -> list[str]:
    """The keys every catalogue must have: those of the English one."""
    import yaml

    data = yaml.safe_load((LABELS_DIR / f"{FALLBACK}.yaml").read_text(encoding="utf-8"))
    return list(_flatten(data.get("labels")))
