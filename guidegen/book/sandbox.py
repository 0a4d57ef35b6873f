"""The Jinja environment every template renders in: a theme's templates are data, not code.

A theme comes with a content pack that people download and share, so its templates must not
be able to do more than lay out the workbook. Jinja's immutable sandbox already refuses
``__dunder__`` attributes and in-place changes to lists and dicts; on top of it a template may
call only guidegen's own functions and methods, Jinja's runtime helpers (macros, ``super()``,
``loop.cycle``) and the methods of plain values (strings, numbers, lists, dicts). It may not
read any attribute of a path or a module, and it may not build a string or list so large that
it would exhaust the machine. Anything else stops the render with the template's file and line
(see ``template_error``).
"""

from __future__ import annotations

import operator
from pathlib import Path, PurePath
from types import ModuleType, TracebackType
from typing import Any, cast

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

# Methods of these are safe to call: the immutable sandbox refuses the ones that change them.
_PLAIN_VALUES = (str, Markup, int, float, bool, list, tuple, dict, set, frozenset, type(None))
# Modules whose functions and methods a template may call.
_CALLABLE_MODULES = ("guidegen.", "jinja2.", "markupsafe")
# Enough for any workbook; a ``"x" * 10**10`` would otherwise take all the memory there is.
MAX_SIZE = 5_000_000
# What a template's own expressions can raise ({{ 1 + "a" }}, a macro that calls itself, a
# range too long): reported with the template's line, like Jinja's own errors.
TEMPLATE_FAILURES = (
    TypeError,
    ValueError,
    ArithmeticError,
    LookupError,
    AttributeError,
    RecursionError,
)


class TemplateSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, (PurePath, ModuleType)) or isinstance(value, ModuleType):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def is_safe_callable(self, obj: Any) -> bool:
        if not super().is_safe_callable(obj):
            return False
        owner = getattr(obj, "__self__", None)
        if isinstance(owner, (PurePath, ModuleType)):
            return False
        if owner is not None and isinstance(owner, _PLAIN_VALUES):
            return True
        if obj is dict:
            return True
        function = getattr(obj, "__func__", obj)
        module = getattr(function, "__module__", None) or type(function).__module__ or ""
        return module.startswith(_CALLABLE_MODULES)

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if isinstance(right, (int, float)) and abs(right) > 64:
                raise jinja2.exceptions.SecurityError("a power above 64 is refused")
            return operator.pow(left, right)
        if isinstance(left, int) and isinstance(right, (str, list, tuple)):
            left, right = right, left
        if isinstance(left, (str, list, tuple)) and isinstance(right, int):
            if len(left) * right > MAX_SIZE:
                raise jinja2.exceptions.SecurityError(
                    f"a repeated string or list longer than {MAX_SIZE} is refused"
                )
        return operator.mul(left, right)


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per process, for every environment after the first.

    Each book gets its own environment (its labels and filters), and compiling the built-in
    templates again was most of the time ``render_html`` took. Jinja keys a compiled template
    by its name and file and checks the source's checksum, so an edited template (preview)
    is compiled again.
    """

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


def template_error(error: Exception, fallback: str) -> str:
    """``error`` raised while a template rendered, as one line that names the template file and
    line it came from (Jinja rewrites the traceback so that its frames are the templates')."""
    where = template_location(error) or fallback
    if isinstance(error, jinja2.TemplateNotFound):
        # The names asked for: text (Jinja's stubs allow Undefined and None too).
        names = ", ".join(cast("list[str]", error.templates)) if error.templates else error.name
        what = (
            f"no template named {names} (a theme template may include or import only "
            "files in its own templates/ folder, or a built-in one as builtin:NAME.html)"
        )
    elif isinstance(error, jinja2.exceptions.SecurityError):
        what = f"refused by the template sandbox: {error}"
    else:
        what = str(error) or type(error).__name__
    return f"{where}: {what}"


def template_location(error: BaseException) -> str | None:
    """The innermost template line ``error`` was raised under, as FILE:LINE."""
    tb: TracebackType | None = error.__traceback__
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".html") and Path(filename).is_file():
            found = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found
