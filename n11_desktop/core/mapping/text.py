"""Turkish-aware text folding and name similarity (no Qt, no database).

``fold`` is what every comparison in the Mapper goes through: "İÇ GİYİM", "iç giyim" and
"Ic Giyim" all fold to ``"ic giyim"``, so the operator's local names match N11's names
whatever keyboard they were typed on.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from difflib import SequenceMatcher
from typing import Iterable, Mapping, NamedTuple

# Turkish dotted/dotless i first (Python's lower() turns "İ" into "i̇"), then the letters
# that carry diacritics in Turkish, then anything else NFKD can strip.
_PRE = str.maketrans({"İ": "i", "I": "ı", "ı": "i", "Ş": "s", "ş": "s", "Ğ": "g", "ğ": "g", "Ü": "u",
                      "ü": "u", "Ö": "o", "ö": "o", "Ç": "c", "ç": "c", "Â": "a", "â": "a", "Î": "i",
                      "î": "i", "Û": "u", "û": "u"})
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: object) -> str:
    """Turkish-aware casefold: İ/I/ı → i, ş→s, ğ→g, ü→u, ö→o, ç→c; punctuation and
    extra whitespace removed ("Ayakkabı & Çanta" → "ayakkabi canta")."""
    if text is None:
        return ""
    return _fold(text if isinstance(text, str) else str(text))


@lru_cache(maxsize=200_000)
def _fold(text: str) -> str:
    s = text.translate(_PRE).lower().translate(_PRE)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", s).strip()


def tokens(text: object) -> list[str]:
    return [t for t in fold(text).split() if t]


# English (and common alternative) names → Turkish N11 names, folded on both sides.
_SYNONYMS_RAW: dict[str, tuple[str, ...]] = {
    # attributes
    "color": ("renk",), "colour": ("renk",), "renk": ("renk",),
    "size": ("beden", "numara"), "shoe size": ("numara",), "beden": ("beden", "numara"), "numara": ("numara",),
    "gender": ("cinsiyet",), "sex": ("cinsiyet",),
    "brand": ("marka",), "marka": ("marka",),
    "material": ("materyal",), "fabric": ("materyal",), "malzeme": ("materyal",), "kumas": ("materyal",),
    "pattern": ("desen",), "age group": ("yas grubu",), "age": ("yas grubu",),
    "warranty": ("garanti suresi",), "origin": ("mensei",), "country of origin": ("mensei",),
    "capacity": ("kapasite",), "dimensions": ("boyut",), "dimension": ("boyut",),
    "sleeve": ("kol boyu",), "sleeve length": ("kol boyu",), "collar": ("yaka tipi",), "neck": ("yaka tipi",),
    "neckline": ("yaka tipi",), "package": ("paket icerigi",), "power": ("guc",), "weight": ("agirlik",),
    "usage": ("kullanim alani",), "compatible brand": ("uyumlu marka",),
    # values
    "black": ("siyah",), "white": ("beyaz",), "red": ("kirmizi",), "blue": ("mavi",), "navy": ("lacivert",),
    "navy blue": ("lacivert",), "green": ("yesil",), "yellow": ("sari",), "orange": ("turuncu",),
    "purple": ("mor",), "pink": ("pembe",), "grey": ("gri",), "gray": ("gri",), "beige": ("bej",),
    "brown": ("kahverengi",), "burgundy": ("bordo",), "cream": ("krem",), "gold": ("altin",),
    "silver": ("gumus",), "khaki": ("haki",), "turquoise": ("turkuaz",), "multicolor": ("cok renkli",),
    "multi": ("cok renkli",), "transparent": ("seffaf",), "anthracite": ("antrasit",),
    "women": ("kadin",), "woman": ("kadin",), "female": ("kadin",), "ladies": ("kadin",),
    "men": ("erkek",), "man": ("erkek",), "male": ("erkek",), "girls": ("kiz cocuk",), "boys": ("erkek cocuk",),
    "kids": ("cocuk",), "cotton": ("pamuk",), "leather": ("deri",), "linen": ("keten",), "wool": ("yun",),
    "plain": ("duz",), "striped": ("cizgili",), "printed": ("baskili",), "floral": ("cicekli",),
    "short sleeve": ("kisa kol",), "long sleeve": ("uzun kol",), "sleeveless": ("kolsuz",),
    "crew neck": ("bisiklet yaka",), "v neck": ("v yaka",), "hooded": ("kapusonlu",),
    "turkey": ("turkiye",), "china": ("cin",), "one size": ("standart",),
}
SYNONYMS: Mapping[str, tuple[str, ...]] = {fold(k): v for k, v in _SYNONYMS_RAW.items()}


def _tok_match(a: str, b: str) -> bool:
    """Token equality allowing Turkish suffixes: "ayakkabi" ~ "ayakkabisi", "canta" ~ "cantalar"."""
    if a == b:
        return True
    if len(a) >= 4 and len(b) >= 4:
        short, long_ = (a, b) if len(a) <= len(b) else (b, a)
        return long_.startswith(short) and len(long_) - len(short) <= 4
    return False


def name_similarity(local: str, remote: str) -> tuple[float, str]:
    """Similarity of two short names (attribute or value names) with a human reason."""
    fl, fr = fold(local), fold(remote)
    if not fl or not fr:
        return 0.0, ""
    if fl == fr:
        same_raw = str(local).strip() == str(remote).strip()
        return 1.0, ("same name" if same_raw else f"same name after Turkish folding ({fl!r})")
    syn = SYNONYMS.get(fl)
    if syn and fr in syn:
        return (0.95 if len(syn) == 1 else 0.9), f"synonym: {local} → {remote}"
    tl, tr = fl.split(), fr.split()
    matched = sum(1 for t in tl if any(_tok_match(t, u) for u in tr))
    token_score = 0.0
    if matched:
        token_score = 0.85 * (2 * matched) / (len(tl) + len(tr))
        if (_AUDIENCE & set(tr)) - set(tl):
            token_score *= 0.6  # "Erkek" vs "Erkek Çocuk": another audience, not the same value
    ratio = SequenceMatcher(None, fl, fr).ratio()
    char_score = ratio * 0.85 if ratio >= 0.75 else ratio * 0.5
    if token_score >= char_score and token_score > 0:
        return round(token_score, 3), f"shares words: {', '.join(t for t in tl if any(_tok_match(t, u) for u in tr))}"
    return round(char_score, 3), f"similar spelling ({round(ratio * 100)}% alike)"


# Words naming who a product is for: a candidate for another audience is a poor match.
_AUDIENCE = frozenset({"kadin", "erkek", "kiz", "cocuk", "bebek", "unisex", "genc"})


class RankedCategory(NamedTuple):
    """One suggested N11 leaf for a local category path."""

    category_id: int
    name: str
    path: str
    confidence: float  # 0..1
    reason: str


class PathMatcher:
    """Ranks N11 leaf categories for a local category path ("Ayakkabı > Kadın > Sneaker").

    Words are weighted by rarity across the N11 leaves (a match on "sneaker" means more than
    one on "kadın"); words of the local leaf segment count double. Confidence combines how
    much of the local path the candidate covers with how much of the candidate's own name
    the local path explains.
    """

    def __init__(self, leaves: Iterable[tuple[int, str, str]]) -> None:
        # leaves: (id, name, path)
        self._leaves: list[tuple[int, str, str, list[str], list[str]]] = []
        df: dict[str, int] = {}
        for cid, name, path in leaves:
            name_toks = tokens(name)
            path_toks = tokens(path)
            self._leaves.append((cid, name, path, name_toks, path_toks))
            for t in set(path_toks):
                df[t] = df.get(t, 0) + 1
        n = max(1, len(self._leaves))
        self._idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self._default_idf = math.log(1 + n)
        self._index: dict[str, list[int]] = {}
        for i, leaf in enumerate(self._leaves):
            for t in set(leaf[4]):
                self._index.setdefault(t, []).append(i)
        self._keys = list(self._index)
        self._hits: dict[str, set[int]] = {}
        self._path_sets = [set(leaf[4]) for leaf in self._leaves]

    def idf(self, t: str) -> float:
        return self._idf.get(t, self._default_idf)

    def _token_hits(self, t: str) -> set[int]:
        hit = self._hits.get(t)
        if hit is None:
            hit = set(self._index.get(t, ()))
            if len(t) >= 4:
                for k in self._keys:
                    if k != t and _tok_match(t, k):
                        hit.update(self._index[k])
            self._hits[t] = hit
        return hit

    def rank(self, local_path: str, limit: int = 3) -> list[RankedCategory]:
        segments = [s for s in (x.strip() for x in str(local_path).split(">")) if s]
        if not segments:
            return []
        leaf_toks = tokens(segments[-1])
        parent_toks = [t for s in segments[:-1] for t in tokens(s)]
        expanded = [(t, 2.0) for t in leaf_toks] + [(t, 1.0) for t in parent_toks if t not in leaf_toks]
        syn_leaf = SYNONYMS.get(fold(segments[-1]))
        syn_toks = [s for v in (syn_leaf or ()) for s in v.split()]
        local_set = set(t for t, _ in expanded) | set(syn_toks)
        leaf_set = set(leaf_toks) | set(syn_toks)
        total = sum(w * self.idf(t) for t, w in expanded) or 1.0
        hits = {t: self._token_hits(t) for t, _ in expanded}
        syn_hits: set[int] = set()
        for st in syn_toks:
            syn_hits.update(self._index.get(st, ()))
        lead: set[int] = set(syn_hits)
        for t in leaf_toks:
            lead |= hits[t]
        cands = lead if lead else set().union(*hits.values())  # leaf-name words first, else any word
        memo_local: dict[str, bool] = {}
        memo_leaf: dict[str, bool] = {}

        def explains(u: str) -> bool:
            v = memo_local.get(u)
            if v is None:
                v = memo_local[u] = any(_tok_match(u, t) for t in local_set)
            return v

        def leafy(u: str) -> bool:
            v = memo_leaf.get(u)
            if v is None:
                v = memo_leaf[u] = any(_tok_match(u, t) for t in leaf_set)
            return v

        folded_leaf = fold(segments[-1])
        results = []
        for i in cands:
            cid, name, path, name_toks, path_toks = self._leaves[i]
            got, words = 0.0, []
            for t, w in expanded:
                if i in hits[t] or (t in leaf_toks and i in syn_hits):
                    got += w * self.idf(t)
                    words.append(t)
            recall = got / total
            name_w = sum(self.idf(u) for u in name_toks) or 1.0
            explained = sum(self.idf(u) for u in name_toks if explains(u))
            plain = sum(1 for u in name_toks if explains(u)) / max(1, len(name_toks))
            precision = 0.5 * explained / name_w + 0.5 * plain
            score = 0.6 * recall + 0.4 * precision
            if not any(leafy(u) for u in name_toks):
                score *= 0.6
            local_aud, cand_aud = _AUDIENCE & local_set, _AUDIENCE & self._path_sets[i]
            if local_aud and cand_aud and not (local_aud & cand_aud):
                score *= 0.75  # "Erkek" asked, candidate is for "Kadın"
            elif local_aud and cand_aud - local_aud:
                score *= 0.85  # "Erkek" asked, candidate is for "Erkek Çocuk"
            if folded_leaf == fold(name):
                score = max(score, 0.75 + 0.25 * recall)
            if score <= 0.15:
                continue
            reason = (f"name match on {', '.join(dict.fromkeys(words))}" if words else "similar name")
            reason += f" · covers {round(recall * 100)}% of the local path, explains {round(precision * 100)}% of “{name}”"
            results.append(RankedCategory(cid, name, path, round(min(score, 1.0), 3), reason))
        results.sort(key=lambda r: (-r.confidence, len(r.path), r.category_id))
        return results[:limit]
