"""Numbers, money and dates the way the operator reads them, and Turkish-aware case folding.

No Qt here: views and the command line both use it. The active language is set once at start
(``set_language``) from ``--lang``, the saved preference or the system locale (``choose_language``).

Turkish: ``1.234,56 TL``, ``04.12.2026``, ``04.12.2026 14:05``. English: ``1,234.56 TL``,
``2026-12-04``, ``2026-12-04 14:05``. Money is always in TL (N11 sells in Turkish lira).
"""

from __future__ import annotations

import json
import locale
import os
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("tr", "en")
_lang = "en"


def set_language(lang: str) -> None:
    global _lang
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (use one of: {', '.join(LANGUAGES)})")
    _lang = lang


def language() -> str:
    return _lang


# ---------------------------------------------------------------------------- choosing the language
def system_language(env: dict[str, str] | None = None) -> str:
    """"tr" when the system locale is Turkish, else "en"."""
    env = os.environ if env is None else env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(var, "")
        if value:
            return "tr" if value.lower().startswith("tr") else "en"
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return "tr" if code.lower().startswith(("tr", "turkish")) else "en"


def preferences_path() -> Path:
    """The per-user preferences file (not per database: the language is the operator's)."""
    import platformdirs

    from .paths import APP_AUTHOR, APP_NAME

    return Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)) / "preferences.json"


def read_preferences(path: Path | None = None) -> dict:
    """The per-user preferences (``{}`` when the file is missing or unreadable)."""
    try:
        data = json.loads((path or preferences_path()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_preference(key: str, value, path: Path | None = None) -> None:
    """Set one preference (``None``: remove it), keeping the others; the file is replaced atomically."""
    path = path or preferences_path()
    data = read_preferences(path)
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def saved_language(path: Path | None = None) -> str | None:
    lang = read_preferences(path).get("language")
    return lang if lang in LANGUAGES else None


def save_language(lang: str | None, path: Path | None = None) -> None:
    """Store the operator's choice (``None``: follow the system locale again)."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (use one of: {', '.join(LANGUAGES)})")
    write_preference("language", lang, path)


def choose_language(cli_lang: str | None = None, path: Path | None = None) -> str:
    """``--lang`` wins, then ``N11_DESKTOP_LANG``, then the saved preference, then the system locale."""
    if cli_lang:
        return cli_lang
    env = os.environ.get("N11_DESKTOP_LANG", "").strip().lower()
    if env in LANGUAGES:
        return env
    return saved_language(path) or system_language()


# ---------------------------------------------------------------------------- formats
def _group(int_part: str, sep: str) -> str:
    out = []
    while len(int_part) > 3:
        out.insert(0, int_part[-3:])
        int_part = int_part[:-3]
    out.insert(0, int_part)
    return sep.join(out)


def number(value: object, decimals: int = 0, lang: str | None = None) -> str:
    """``1234.5`` → ``1.234,50`` (tr) / ``1,234.50`` (en) with ``decimals=2``; ``None`` → ``—``."""
    if value is None or value == "":
        return "—"
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not d.is_finite():
        return str(value)
    text = f"{abs(d):.{decimals}f}"
    int_part, _, frac = text.partition(".")
    thousands, point = (".", ",") if (lang or _lang) == "tr" else (",", ".")
    sign = "-" if d < 0 and any(c not in "0." for c in text) else ""
    return sign + _group(int_part, thousands) + (point + frac if frac else "")


def money(value: object, lang: str | None = None, currency: str = "TL") -> str:
    """``1234.56`` → ``1.234,56 TL`` (tr) / ``1,234.56 TL`` (en); ``None`` → ``—``."""
    if value is None or value == "":
        return "—"
    text = number(value, 2, lang)
    return f"{text} {currency}" if currency else text


def percent(value: object, decimals: int = 1, lang: str | None = None) -> str:
    """``12.5`` → ``%12,5`` (tr, the percent sign first) / ``12.5%`` (en)."""
    if value is None:
        return "—"
    text = number(value, decimals, lang)
    return f"%{text}" if (lang or _lang) == "tr" else f"{text}%"


def _local(value: datetime) -> datetime:
    if value.tzinfo is None:  # stored naive in UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone()


def date_text(value: date | datetime | None, lang: str | None = None) -> str:
    """``04.12.2026`` (tr) / ``2026-12-04`` (en); datetimes in local time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return value.strftime("%d.%m.%Y") if (lang or _lang) == "tr" else value.isoformat()


def datetime_text(value: datetime | None, lang: str | None = None, seconds: bool = False) -> str:
    """``04.12.2026 14:05`` (tr) / ``2026-12-04 14:05`` (en), in local time (naive values are UTC)."""
    if value is None:
        return ""
    value = _local(value)
    clock = "%H:%M:%S" if seconds else "%H:%M"
    return value.strftime(("%d.%m.%Y " if (lang or _lang) == "tr" else "%Y-%m-%d ") + clock)


# ---------------------------------------------------------------------------- Turkish letters
_TR_LOWER = str.maketrans({"I": "ı", "İ": "i"})
_TR_UPPER = str.maketrans({"i": "İ", "ı": "I"})
_SEARCH = str.maketrans({"İ": "i", "I": "i", "ı": "i"})


def tr_lower(text: str) -> str:
    """Lower case by Turkish rules: ``"İSTANBUL"`` → ``"istanbul"``, ``"ISPARTA"`` → ``"ısparta"``
    (Python's own lower() gives ``"i̇stanbul"`` with a combining dot)."""
    return text.translate(_TR_LOWER).lower()


def tr_upper(text: str) -> str:
    """Upper case by Turkish rules: ``"istanbul"`` → ``"İSTANBUL"``, ``"ısparta"`` → ``"ISPARTA"``."""
    return text.translate(_TR_UPPER).upper()


def search_fold(text: object) -> str:
    """What case-insensitive search compares: case folded, and the four i's (i, ı, İ, I) one letter,
    so "istanbul", "İSTANBUL" and "ISTANBUL" (typed on an English keyboard) all find each other."""
    if text is None:
        return ""
    return str(text).translate(_SEARCH).casefold()


def contains(haystack: object, needle: str) -> bool:
    """Case-insensitive substring test with Turkish i's handled (see ``search_fold``)."""
    return search_fold(needle) in search_fold(haystack)


_ALPHABET = "0123456789abcçdefgğhıijklmnoöpqrsştuüvwxyz"
_RANK = {ch: n for n, ch in enumerate(_ALPHABET)}


def tr_sort_key(text: object) -> tuple:
    """A sort key in Turkish alphabetical order (… c ç … g ğ h ı i … o ö … s ş … u ü …),
    case-insensitive first and case as a tie-break. For Qt views prefer QCollator; this is for
    lists sorted in core and the command line."""
    s = "" if text is None else str(text)
    low = tr_lower(s)
    return tuple(_RANK.get(ch, 100 + ord(ch)) for ch in low), s


_KEY_TABLE = {ord(ch): chr(0x100 + n) for n, ch in enumerate(_ALPHABET)}


@lru_cache(maxsize=65536)
def tr_collation_key(text: str) -> str:
    """``tr_sort_key`` as one string that sorts by code point (what the database's TURKISH collation
    compares; cached, since a sort compares the same values many times): letters in Turkish order and
    case-insensitive, then the original text as the tie-break."""
    return tr_lower(text).translate(_KEY_TABLE) + "\x00" + text


def tr_compare(a: str, b: str) -> int:
    """A collation function (SQLite ``create_collation``): -1, 0 or 1 in Turkish alphabetical order."""
    ka, kb = tr_collation_key(a), tr_collation_key(b)
    return (ka > kb) - (ka < kb)
