"""Where the built-in content, templates, styles, labels and schema live.

In a source checkout they are the top-level folders of the repository; in an installed wheel
they are packaged under ``guidegen/_data`` (see ``pyproject.toml``).
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_PACKAGED = PACKAGE_DIR / "_data"
_SOURCE = PACKAGE_DIR.parent


def _data_dir(name: str) -> Path:
    packaged = _PACKAGED / name
    return packaged if packaged.is_dir() else _SOURCE / name


CONTENT_DIR = _data_dir("content")
TEMPLATES_DIR = _data_dir("templates")
STYLES_DIR = _data_dir("styles")
LABELS_DIR = _data_dir("labels")
SCHEMA_DIR = _data_dir("schema")
DEFAULT_OUTPUT_DIR = Path("output")
