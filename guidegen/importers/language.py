"""The language an imported bank is written in, when ``--lang`` does not say.

Only a script that points at one language is read: kana is Japanese, Hangul Korean, Arabic
letters Arabic (Persian and Urdu share them: give ``--lang fa`` or ``--lang ur``), Hebrew,
Greek, Thai, Georgian, Armenian. Han characters without kana could be Chinese or Japanese, and
Latin or Cyrillic letters are shared by dozens of languages, so those are not guessed: the
pack stays English unless ``--lang`` says otherwise, and the report says so.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

# The start of a Unicode character name -> the language its script points at.
_SCRIPTS = (
    ("HIRAGANA", "ja"),
    ("KATAKANA", "ja"),
    ("HANGUL", "ko"),
    ("ARABIC", "ar"),
    ("HEBREW", "he"),
    ("GREEK", "el"),
    ("THAI", "th"),
    ("GEORGIAN", "ka"),
    ("ARMENIAN", "hy"),
)
_SHARE = 0.2  # of the letters, for a script to name the language
_KANA_SHARE = 0.05


def guess_language(texts: list[str]) -> str | None:
    """The language the letters of ``texts`` point at, or None if they do not point at one."""
    scripts: Counter[str] = Counter()
    letters = 0
    for text in texts:
        for char in text:
            if not char.isalpha():
                continue
            letters += 1
            name = unicodedata.name(char, "")
            for prefix, language in _SCRIPTS:
                if name.startswith(prefix):
                    scripts[language] += 1
                    break
    if not letters or not scripts:
        return None
    language, count = scripts.most_common(1)[0]
    # Japanese mixes kana with Han characters (which name no language), so less kana will do.
    share = _KANA_SHARE if language == "ja" else _SHARE
    return language if count >= share * letters else None
