"""The Turkish e-commerce lexicon of the category suggestions and the word handling around it:
``resources/data/tr_commerce_lexicon.json`` (loanwords, colloquial names, audience and department
words) folded into a :class:`Lexicon`, the operator's own "treat X as Y" terms layered on top,
splitting a merchant's local category path, and matching Turkish word forms ("çanta" ~
"çantası", "kazak" ~ "kazağı"). Used by :mod:`.ranker`.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

from .text import fold

LEXICON_PATH = Path(__file__).resolve().parents[2] / "resources" / "data" / "tr_commerce_lexicon.json"

# Local path separators merchants use in exports ("Kadın > Elbise", "Kadın/Elbise", "Kadın » Elbise").
_SEP = re.compile(r"\s*(?:>|»|\||\\|/(?!\S*\d))\s*")
_SUFFIXES = ("i", "u", "si", "su", "in", "un", "nin", "nun", "lar", "ler", "lari", "leri", "larin", "lerin",
             "a", "e", "ya", "ye", "s", "es")
_SOFT = {"k": "g", "p": "b", "t": "d", "c": "c"}

# --------------------------------------------------------------------------- lexicon
@dataclass
class Lexicon:
    """Folded lexicon: phrase → alternatives (each a tuple of folded tokens)."""

    synonyms: dict[tuple[str, ...], list[tuple[str, ...]]] = field(default_factory=dict)
    origin: dict[tuple[str, ...], str] = field(default_factory=dict)  # "lexicon" | "yours"
    audience: dict[tuple[str, ...], str] = field(default_factory=dict)  # phrase → audience key
    specialised: list[tuple[str, ...]] = field(default_factory=list)
    not_audience: list[tuple[str, ...]] = field(default_factory=list)  # "oyuncak bebek" is a doll
    set_words: frozenset[str] = frozenset()
    stopwords: frozenset[str] = frozenset()
    departments: dict[tuple[str, ...], list[str]] = field(default_factory=dict)  # word → folded root names
    max_len: int = 1
    display: dict[tuple[str, ...], str] = field(default_factory=dict)  # folded N11 words → as written

    def add(self, local: str, n11: str | Sequence[str], origin: str = "lexicon") -> None:
        key = tuple(fold(local).split())
        if not key:
            return
        vals = [n11] if isinstance(n11, str) else list(n11)
        alts = [tuple(fold(v).split()) for v in vals if fold(v)]
        for v in vals:
            if fold(v):
                self.display.setdefault(tuple(fold(v).split()), _tr_title(str(v).strip()))
        if origin == "yours":  # the operator's word wins over the shipped one
            self.synonyms[key] = alts + [a for a in self.synonyms.get(key, []) if a not in alts]
        else:
            self.synonyms.setdefault(key, [])
            self.synonyms[key] += [a for a in alts if a not in self.synonyms[key]]
        self.origin[key] = origin if origin == "yours" else self.origin.get(key, origin)
        self.max_len = max(self.max_len, len(key))

    def with_operator_terms(self, terms: Mapping[str, str]) -> "Lexicon":
        if not terms:
            return self
        out = Lexicon(dict(self.synonyms), dict(self.origin), self.audience, self.specialised, self.not_audience,
                      self.set_words, self.stopwords, self.departments, self.max_len, dict(self.display))
        out.synonyms = {k: list(v) for k, v in out.synonyms.items()}
        for local, n11 in terms.items():
            out.add(local, n11, "yours")
        return out


def _tr_title(text: str) -> str:
    """"akıllı saat" → "Akıllı Saat", "iç giyim" → "İç Giyim" (Turkish capital I/İ)."""
    return " ".join((({"i": "İ", "ı": "I"}.get(w[0]) or w[0].upper()) + w[1:]) if w[:1].islower() else w
                    for w in text.split(" "))


def _load_lexicon(path: Path) -> Lexicon:
    raw = json.loads(path.read_text(encoding="utf-8"))
    lex = Lexicon()
    for k, v in raw.get("synonyms", {}).items():
        lex.add(k, v)
    for key, words in raw.get("audience", {}).items():
        for w in words:
            lex.audience[tuple(fold(w).split())] = fold(key)
    lex.specialised = [tuple(fold(w).split()) for w in raw.get("specialised", [])]
    lex.not_audience = sorted((tuple(fold(w).split()) for w in raw.get("not_audience", [])), key=len, reverse=True)
    lex.set_words = frozenset(fold(w) for w in raw.get("set_words", []))
    lex.stopwords = frozenset(fold(w) for w in raw.get("stopwords", []))
    for word, roots in raw.get("departments", {}).items():
        lex.departments[tuple(fold(word).split())] = [fold(r) for r in roots]
    return lex


@lru_cache(maxsize=4)
def load_lexicon(path: str | None = None) -> Lexicon:
    """The shipped lexicon (cached). Operator entries are layered on per ranker."""
    return _load_lexicon(Path(path) if path else LEXICON_PATH)


_SECOND_HAND = re.compile(r"^\s*2\s*\.\s*el\b", re.IGNORECASE)
_ORDER_PREFIX = re.compile(r"^\s*\d{1,3}\s*[-._)]\s*(?=\D)")  # "01-Kadın", "3. Elbise": the shop's menu order


def split_path(local_path: str) -> list[str]:
    text = html.unescape(str(local_path or ""))  # XML feeds: "Ev &amp; Yaşam"
    parts = re.split(r"\s*(?:>|»|\|)\s*", text) if re.search(r"[>»|]", text) else _SEP.split(text)
    out = []
    for p in parts:
        if not p or not p.strip():
            continue
        # "2.El" (second-hand) is a word, not the shop's menu number 2
        q = p if _SECOND_HAND.match(p) else _ORDER_PREFIX.sub("", p)
        if q.strip():
            out.append(q.strip())
    return out


_STEM_SUFFIXES = ("lerinin", "larinin", "lerin", "larin", "leri", "lari", "ler", "lar", "nin", "nun", "si", "su",
                  "in", "un", "i", "u")
_HARDEN = {"g": "k", "b": "p", "d": "t"}


@lru_cache(maxsize=50_000)
def _stem(w: str) -> tuple[str, str]:
    """Folded Turkish word without its plural/possessive ending, and the ending: "saatleri" →
    ("saat", "leri"), "havlusu" → ("havlu", "su"), "kazagi" → ("kazak", "i")."""
    for suf in _STEM_SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            st = w[:-len(suf)]
            if suf[0] in "iu" and st[-1] in _HARDEN and len(st) >= 4:
                st = st[:-1] + _HARDEN[st[-1]]
            return st, suf
    return w, ""


def _same_word(a: str, b: str) -> bool:
    """"canta" ~ "cantasi", "kazak" ~ "kazagi", "ayakkabi" ~ "ayakkabisi", "saati" ~ "saatleri";
    not "tava" ~ "tavan"."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < 3:
        return False
    (sa, xa), (sb, xb) = _stem(a), _stem(b)
    if sa == sb and (len(sa) >= 4 or max(len(xa), len(xb)) >= 3):  # "bezleri" ~ "bezi"
        return True
    if sa == b or sb == a:
        return True
    if long_.startswith(short):
        rest = long_[len(short):]
        if rest in _SUFFIXES:
            return True
        if short[-1] in "aeiou" and rest[:1] in ("s", "l", "n", "y") and rest[1:] in ("i", "u", "ı", "ler", "lar",
                                                                                     "leri", "lari"):
            return True
        return False
    soft = _SOFT.get(short[-1])
    if soft and len(short) >= 4 and long_.startswith(short[:-1] + soft):
        return long_[len(short):] in ("i", "u", "e", "a", "in", "un", "leri", "lari")
    return False
