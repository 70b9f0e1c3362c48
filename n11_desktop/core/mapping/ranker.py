"""Category suggestions that know how Turkish merchants name things (no Qt, no database).

:class:`CategoryRanker` ranks N11 leaves for a local category path using evidence an operator
can read back in the reason:

- the whole local path, level by level (the local leaf counts most, each level above less);
- a Turkish e-commerce lexicon (:mod:`.lexicon`; ``resources/data/tr_commerce_lexicon.json``: loanwords such as
  "Smartwatch" → "Akıllı Saat", colloquial names such as "Bayan" → "Kadın") plus the operator's
  own "treat X as Y" entries;
- audience words (Kadın / Erkek / Kız Çocuk / Erkek Çocuk / Çocuk / Bebek) that steer to the
  subtree for that audience, and department words (Elektronik, Ev, Kozmetik, …) that steer to
  N11's matching top-level departments;
- the titles, brands and attribute names of the products in the local category;
- what the operator already accepted: the same local name mapped before, and the N11 branch
  the local category's siblings went to;
- N11's tree shape: a leaf whose name the local path explains beats a generic or specialised
  one ("Büyük Beden", "Tesettür", "2.El", "Diğer" only when asked for; "Set"/"Takım" leaves only
  for sets).

Comparisons go through :func:`~.text.fold`, so "AKILLI SAAT", "Akilli Saat" and "akıllı saat"
are the same words.
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from .lexicon import Lexicon, _same_word, load_lexicon, split_path
from .text import RankedCategory, fold

try:  # optional speed-up / typo tolerance; the ranker works without it
    from rapidfuzz import fuzz as _fuzz
    from rapidfuzz import process as _process
except ImportError:  # pragma: no cover - rapidfuzz is a runtime dependency
    _fuzz = _process = None

# Weight of each local level, counted from the local leaf upwards.
_LEVEL_WEIGHTS = (1.0, 0.55, 0.35, 0.25)
_PRODUCT_WEIGHT = 0.3
_MAX_CANDIDATES = 120  # leaves scored in full per local category


# --------------------------------------------------------------------------- evidence
@dataclass(frozen=True)
class ProductEvidence:
    """What the products of one local category say: titles, brands, attribute names/values."""

    titles: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()  # "Name" or "Name=Value"


@dataclass(frozen=True)
class Candidate:
    category_id: int
    name: str
    path: str
    confidence: float
    reason: str
    score: float = 0.0  # unclipped, for the order (two "100%" candidates are not equally good)


@dataclass
class _Unit:
    label: str  # the local words as written (folded)
    alts: list[tuple[str, ...]]  # original tokens first, then lexicon expansions
    weight: float
    level: int  # 0 = local leaf, 1 = its parent, …; -1 = product evidence
    via: str = ""  # "lexicon" | "yours" when expanded
    shown: str = ""  # the local words as the merchant wrote them (for the reason)


@dataclass
class _Leaf:
    cid: int
    name: str
    path: str
    name_toks: tuple[str, ...]
    path_toks: tuple[str, ...]  # ancestors only
    root: str
    parent: str
    grandparent: str
    audience: Audience
    special: frozenset[tuple[str, ...]]
    is_set: bool
    is_other: bool
    depth: int
    groups: tuple[tuple[str, ...], ...] = ()  # "Mont & Kaban & Palto" → alternatives
    parent_toks: tuple[str, ...] = ()
    parent_groups: tuple[tuple[str, ...], ...] = ()  # "Kedi Kumu & Kedi Tuvaleti" → two


def _has_phrase(toks: Sequence[str], phrase: tuple[str, ...]) -> bool:
    if phrase[0] not in toks:
        return False
    n = len(phrase)
    return any(tuple(toks[i:i + n]) == phrase for i in range(len(toks) - n + 1))


# audience key → (gender, age): gender f/m/u(nisex), age adult/child/baby
_FACETS = {"kadin": ("f", "adult"), "erkek": ("m", "adult"), "kiz cocuk": ("f", "child"),
           "erkek cocuk": ("m", "child"), "cocuk": (None, "child"), "bebek": (None, "baby"),
           "kiz bebek": ("f", "baby"), "erkek bebek": ("m", "baby"), "unisex": ("u", None)}
_FACET_LABEL = {v: k for k, v in _FACETS.items()}
Audience = tuple  # (gender | None, age | None)


def _audience_of(toks: Sequence[str], lex: Lexicon) -> Audience:
    """Who a token sequence is for, as (gender, age): "Erkek Çocuk" is a boy, not a man;
    "Bebek Giyim > Kız Bebek" a baby girl."""
    found: set[str] = set()
    i = 0
    toks = list(toks)
    for phrase in lex.not_audience:
        n = len(phrase)
        for j in range(len(toks) - n + 1):
            if tuple(toks[j:j + n]) == phrase:
                toks[j:j + n] = ["_"] * n
    while i < len(toks):
        for n in (2, 1):
            key = tuple(toks[i:i + n])
            if len(key) == n and key in lex.audience:
                found.add(lex.audience[key])
                i += n
                break
        else:
            i += 1
    facets = [_FACETS[k] for k in found if k in _FACETS]
    genders = {g for g, _a in facets if g}
    if len(genders) > 1:
        genders.discard("u")
    gender = next(iter(genders)) if len(genders) == 1 else None
    ages = {a for _g, a in facets if a}
    age = "baby" if "baby" in ages else "child" if "child" in ages else "adult" if "adult" in ages else None
    return (gender, age)


_AUDIENCE_SHOWN = {"kadin": "Kadın", "erkek": "Erkek", "kiz cocuk": "Kız Çocuk", "erkek cocuk": "Erkek Çocuk",
                   "cocuk": "Çocuk", "bebek": "Bebek", "kiz bebek": "Kız Bebek", "erkek bebek": "Erkek Bebek",
                   "unisex": "Unisex"}


def _audience_label(aud: Audience) -> str:
    key = _FACET_LABEL.get(aud) or _FACET_LABEL.get((None, aud[1])) or _FACET_LABEL.get((aud[0], "adult"), "")
    return _AUDIENCE_SHOWN.get(key, key)


class CategoryRanker:
    """Ranks live N11 leaves for local category paths. Build once per suggestion run."""

    def __init__(self, leaves: Iterable[tuple[int, str, str]], *, lexicon: Lexicon | None = None,
                 operator_terms: Mapping[str, str] | None = None,
                 accepted: Mapping[str, int] | None = None) -> None:
        self.lex = (lexicon or load_lexicon()).with_operator_terms(dict(operator_terms or {}))
        self._leaves: list[_Leaf] = []
        df: Counter[str] = Counter()
        for cid, name, path in leaves:
            parts = [p.strip() for p in str(path).split(" > ")]
            name_toks = tuple(t for t in fold(name).split())
            anc = [t for p in parts[:-1] for t in fold(p).split()]
            all_toks = list(anc) + list(name_toks)
            leaf = _Leaf(int(cid), str(name).strip(), str(path), name_toks, tuple(anc), fold(parts[0]),
                         fold(" > ".join(parts[:-1])), fold(" > ".join(parts[:-2])),
                         _audience_of(all_toks, self.lex),
                         frozenset(s for s in self.lex.specialised if _has_phrase(all_toks, s)),
                         any(t in self.lex.set_words for t in name_toks),
                         "diger" in name_toks, len(parts),
                         tuple(g for g in (tuple(fold(x).split()) for x in re.split(r"&|,|\bve\b", str(name))) if g),
                         tuple(fold(parts[-2]).split()) if len(parts) > 1 else (),
                         tuple(g for g in (tuple(fold(x).split()) for x in re.split(r"&|,|\bve\b", parts[-2]))
                               if g) if len(parts) > 1 else ())
            self._leaves.append(leaf)
            df.update(set(all_toks))
        implied: dict[str, str] = {}
        for word, roots in self.lex.departments.items():
            aud = _FACETS.get(self.lex.audience.get(word, ""))
            if aud and aud[1]:
                for r in roots:
                    implied.setdefault(r, aud[1])
        for leaf in self._leaves:
            if leaf.audience[1] is None and leaf.root in implied:  # "Biberon ve Aksesuarları" is for babies
                leaf.audience = (leaf.audience[0], implied[leaf.root])
        n = max(1, len(self._leaves))
        self._idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self._default_idf = math.log(1 + n)
        self._index: dict[str, list[int]] = {}
        for i, leaf in enumerate(self._leaves):
            for t in set(leaf.name_toks) | set(leaf.path_toks):
                self._index.setdefault(t, []).append(i)
        self._vocab = list(self._index)
        self._by_prefix: dict[str, list[str]] = {}  # same-word candidates share their first 3 letters
        for k in self._vocab:
            self._by_prefix.setdefault(k[:3], []).append(k)
        self._by_id = {leaf.cid: i for i, leaf in enumerate(self._leaves)}
        self._match_cache: dict[str, frozenset[str]] = {}
        self._set_accepted(accepted or {})

    def learn(self, accepted: Mapping[str, int], brand_leaves: Mapping[str, Iterable[int]] | None = None
              ) -> "CategoryRanker":
        """The same ranker (sharing its indexes) with other accepted mappings to learn from;
        ``brand_leaves``: brand → the N11 leaves its products already go to."""
        other = copy.copy(self)
        other._set_accepted(accepted)
        other._brand_roots = {}
        for brand, leaf_ids in (brand_leaves or {}).items():
            roots = Counter(self._leaves[self._by_id[c]].root for c in leaf_ids if c in self._by_id)
            if roots:
                other._brand_roots[fold(brand)] = roots
        return other

    _brand_roots: dict[str, Counter] = {}

    def _brand_departments(self, ev: ProductEvidence | None) -> tuple[dict[str, float], str]:
        """Share of each N11 department among where the category's brands already go."""
        if ev is None or not ev.brands or not self._brand_roots:
            return {}, ""
        total: Counter[str] = Counter()
        named: list[str] = []
        for b in ev.brands:
            roots = self._brand_roots.get(fold(b))
            if roots:
                total.update(roots)
                named.append(b)
        n = sum(total.values())
        return ({r: c / n for r, c in total.items()} if n else {}), ", ".join(named[:2])

    def _set_accepted(self, accepted: Mapping[str, int]) -> None:
        self._learned_name: dict[str, tuple[int, str]] = {}
        self._learned_parent: dict[str, list[tuple[int, str]]] = {}
        for local, cid in accepted.items():
            if cid not in self._by_id:
                continue
            segs = split_path(local)
            if not segs:
                continue
            self._learned_name.setdefault(fold(segs[-1]), (cid, local))
            self._learned_parent.setdefault(fold(" > ".join(segs[:-1])), []).append((cid, local))

    # ------------------------------------------------------------------ tokens
    def idf(self, t: str) -> float:
        return self._idf.get(t, self._default_idf)

    def _variants(self, t: str) -> frozenset[str]:
        """N11 vocabulary words that are the same word as ``t`` (Turkish suffixes, consonant
        softening, small typos)."""
        hit = self._match_cache.get(t)
        if hit is not None:
            return hit
        out = {t} if t in self._index else set()
        if len(t) >= 3:
            for k in self._by_prefix.get(t[:3], ()):
                if k != t and _same_word(t, k):
                    out.add(k)
        if not out and len(t) >= 6 and _process is not None:
            for k, score, _ in _process.extract(t, self._vocab, scorer=_fuzz.ratio, score_cutoff=88, limit=3):
                if abs(len(k) - len(t)) <= 1 and k[0] == t[0]:  # a typo, not another word ("blazer"/"lazer")
                    out.add(k)
        res = frozenset(out)
        self._match_cache[t] = res
        return res

    def _units(self, segments: list[str], evidence: ProductEvidence | None) -> list[_Unit]:
        units: list[_Unit] = []
        seen: set[tuple[str, ...]] = set()
        depth = len(segments)
        for pos, seg in enumerate(segments):
            level = depth - 1 - pos
            w = _LEVEL_WEIGHTS[min(level, len(_LEVEL_WEIGHTS) - 1)]
            for u in self._segment_units(seg, w, level):
                key = u.alts[0]
                if key in seen and level > 0:
                    continue  # a word repeated from a parent adds nothing new
                seen.add(key)
                units.append(u)
        if evidence is not None:
            units += self._product_units(evidence, seen)
        return units

    def _segment_units(self, seg: str, weight: float, level: int) -> list[_Unit]:
        toks = [t for t in fold(seg).split() if t]
        words = re.findall(r"[^\W_]+", str(seg))
        if len(words) != len(toks):
            words = toks
        out: list[_Unit] = []
        i = 0
        while i < len(toks):
            for n in range(min(self.lex.max_len, len(toks) - i), 0, -1):
                key = tuple(toks[i:i + n])
                alts = self.lex.synonyms.get(key)
                if alts is not None:
                    opts = [key] + [a for a in alts if a != key]
                    out.append(_Unit(" ".join(key), opts, weight, level,
                                     self.lex.origin.get(key, "lexicon") if len(opts) > 1 else "",
                                     " ".join(words[i:i + n])))
                    i += n
                    break
            else:
                t, shown = toks[i], words[i]
                i += 1
                if t in self.lex.stopwords or (len(t) < 2 and not t.isdigit()):
                    continue
                sing = next((x for x in (t[:-1], t[:-2]) if t.endswith("s") and len(x) >= 3
                             and (x,) in self.lex.synonyms), None)  # English plural: "tents" → "tent"
                if sing is not None:
                    alts = [(t,)] + [a for a in self.lex.synonyms[(sing,)] if a != (t,)]
                    out.append(_Unit(t, alts, weight, level, self.lex.origin.get((sing,), "lexicon"), shown))
                    continue
                out.append(_Unit(t, [(t,)], weight, level, "", shown))
        return [u for u in out if u.label not in self.lex.stopwords]

    def _product_units(self, ev: ProductEvidence, seen: set[tuple[str, ...]]) -> list[_Unit]:
        counts: Counter[str] = Counter()
        for title in ev.titles[:200]:
            counts.update(set(t for t in fold(title).split() if len(t) >= 3 and not t.isdigit()))
        for a in ev.attributes[:50]:
            counts.update(set(t for t in fold(a.replace("=", " ")).split() if len(t) >= 3))
        brands = {t for b in ev.brands for t in fold(b).split()}
        n = max(1, len(ev.titles))
        out = []
        for t, c in counts.most_common(12):
            if t in brands or t in self.lex.stopwords or (t,) in seen or c < max(1, 0.3 * n):
                continue
            units = self._segment_units(t, _PRODUCT_WEIGHT * min(1.0, c / n + 0.3), -1)
            out += [u for u in units if u.alts[0] not in seen]
        return out[:6]

    # ------------------------------------------------------------------ ranking
    def rank(self, local_path: str, limit: int = 3, *,
             evidence: ProductEvidence | None = None) -> list[RankedCategory]:
        """Best ``limit`` leaves as (id, name, path, confidence 0..1, reason)."""
        return [RankedCategory(c.category_id, c.name, c.path, c.confidence, c.reason)
                for c in self.candidates(local_path, limit, evidence=evidence)]

    def candidates(self, local_path: str, limit: int = 3, *,
                   evidence: ProductEvidence | None = None) -> list[Candidate]:
        segments = split_path(local_path)
        if not segments:
            return []
        units = self._units(segments, evidence)
        if not units:
            return []
        all_toks = [t for s in segments for t in fold(s).split()]
        expanded_toks = list(all_toks) + [t for u in units if u.level >= 0 for a in u.alts[1:] for t in a]
        local_aud = _audience_of(expanded_toks, self.lex)
        local_special = {s for s in self.lex.specialised if _has_phrase(expanded_toks, s)}
        # a set only when the local leaf says so ("Havlu ve Setleri > Banyo Havlusu" is one towel)
        local_set = any(t in self.lex.set_words for t in fold(segments[-1]).split())
        dept_roots, dept_words = self._departments(units)
        dept_units = {u.label: set(r) for u in units for a in u.alts[:1] + u.alts[1:]
                      if (r := self.lex.departments.get(a))}
        # token → matching vocabulary words, per alternative
        alt_hits: dict[tuple[str, ...], list[frozenset[str]]] = {}
        for u in units:
            for a in u.alts:
                if a not in alt_hits:
                    alt_hits[a] = [self._variants(t) for t in a]
        local_words: set[str] = set()
        for hits in alt_hits.values():
            for h in hits:
                local_words |= h
        leaf_seg_words: set[str] = set()
        for u in units:
            if u.level == 0:
                for a in u.alts:
                    for h in alt_hits[a]:
                        leaf_seg_words |= h
        uidf = {id(u): self._unit_idf(u) for u in units}
        cands = self._candidate_ids(units, alt_hits)
        learned = self._learned(segments)
        brand_share, brand_names = self._brand_departments(evidence)
        for cid in learned:
            if cid in self._by_id:
                cands.add(self._by_id[cid])
        total = sum(u.weight * self._unit_idf(u) for u in units if u.level >= 0) or 1.0
        leaf_units_ = [u for u in units if u.level == 0]
        leaf_names = {tuple(t for t in fold(segments[-1]).split())}
        if len(leaf_units_) == 1:
            leaf_names |= set(leaf_units_[0].alts)
        total_products = sum(u.weight * self._unit_idf(u) for u in units if u.level < 0) or 1.0
        results: list[Candidate] = []
        for i in cands:
            leaf = self._leaves[i]
            name_set, path_set = set(leaf.name_toks), set(leaf.path_toks)
            got = got_products = 0.0
            leaf_hit = False
            notes: list[str] = []
            leaf_units = leaf_named = 0
            why_words: list[str] = []
            product_words: list[str] = []
            via_lex: list[str] = []
            for u in units:
                m, alt = self._unit_match(u, alt_hits, name_set, path_set)
                if m < 0.6 and u.label in dept_units and leaf.root in dept_units[u.label]:
                    m, alt = 0.6, None  # "Elektronik" names the department this leaf is in
                if u.level == 0:
                    leaf_units += 1
                    leaf_named += m >= 0.99
                if m <= 0:
                    continue
                if u.level < 0:
                    got_products += m * u.weight * uidf[id(u)]
                    if m >= 0.6:
                        product_words.append(u.shown or u.label)
                    continue
                got += m * u.weight * uidf[id(u)]
                if u.level == 0 and m >= 0.6:
                    leaf_hit = True
                if m >= 0.6:
                    why_words.append(u.shown or u.label)
                    if alt is not None and alt != u.alts[0]:
                        via_lex.append(f"“{u.shown or u.label}” = “{self.lex.display.get(alt, ' '.join(alt))}”"
                                       + (" (your term)" if u.via == "yours" else ""))
            recall = got / total
            name_cover = leaf_named / leaf_units if leaf_units else 0.0
            name_w = sum(self.idf(t) for t in leaf.name_toks) or 1.0
            precision = min(1.0, self._explained(leaf, local_words, leaf_seg_words, local_set) / name_w)
            if leaf.parent_groups and any(g and all(t in leaf_seg_words for t in g) for g in leaf.parent_groups):
                precision = max(precision, 0.75)  # a kind of what was asked ("Silecek > Telli Silecek")
                notes.append(f"a kind of “{leaf.path.split(' > ')[-2]}”")
            score = 0.55 * recall + 0.35 * precision + 0.1 * name_cover
            if leaf.name_toks in leaf_names:
                score += 0.06  # the very name, not a list or a wider leaf that includes it
                notes.append("same name")
            if product_words:  # the products' titles agree: a bonus, never a penalty
                score += 0.08 * got_products / total_products
                notes.append("product titles say " + ", ".join(f"“{w}”" for w in product_words[:3]))
            if not leaf_hit:
                score *= 0.7
            # audience
            factor, note = self._audience_factor(local_aud, leaf.audience)
            score *= factor
            if note:
                notes.append(note)
            # department
            if dept_roots:
                if leaf.root in dept_roots:
                    score *= 1.05
                    notes.append(f"department “{dept_words}”")
                else:
                    score *= 0.8
            # specialised subtrees and sets only when asked for
            extra = leaf.special - local_special
            if extra and not (leaf.special & local_special):  # "2.El" asked: "2.El Antika" is that subtree
                score *= 0.75
            if local_special - leaf.special:
                score *= 0.8  # "2.El Çerçeve" asked: the new ones' leaf is not it
            if leaf.is_set and not local_set:
                score *= 0.85
            elif local_set and leaf.is_set:
                score *= 1.1
                notes.append("a set")
            elif local_set and not leaf.is_set:
                score *= 0.9
            if leaf.is_other and "diger" not in all_toks:
                score *= 0.85
            share = brand_share.get(leaf.root, 0.0)
            if share >= 0.5:  # the brands' other products already go to this department
                score *= 1 + 0.12 * share
                notes.append(f"brand {brand_names} is sold in “{leaf.path.split(' > ')[0]}”")
            # learned from the operator's accepted mappings
            bonus, lnote = self._learned_bonus(leaf, learned)
            score = score * bonus[0] + bonus[1]
            if lnote:
                notes.append(lnote)
            if score <= 0.2:
                continue
            reason = self._reason(leaf, why_words, via_lex, notes, recall, precision)
            results.append(Candidate(leaf.cid, leaf.name, leaf.path, round(min(score, 1.0), 3), reason, score))
        results.sort(key=lambda c: (-round(c.score, 3), -self._leaves[self._by_id[c.category_id]].depth,
                                    c.category_id))
        if len(results) > 1 and results[0].confidence - results[1].confidence < 0.02 \
                and self._leaves[self._by_id[results[0].category_id]].parent \
                != self._leaves[self._by_id[results[1].category_id]].parent:
            # a coin flip between two branches (Kadın or Erkek?): not for "accept all above …"
            a, b = results[0], results[1]
            floor = results[2].confidence if len(results) > 2 else 0.0  # the order stays as it was
            ca = round(max(a.confidence * 0.9, floor + 0.002), 3)
            cb = round(min(ca, max(b.confidence * 0.9, floor + 0.001)), 3)
            results[0] = Candidate(a.category_id, a.name, a.path, ca, f"{a.reason} · as likely: “{b.path}”", a.score)
            results[1] = Candidate(b.category_id, b.name, b.path, cb, b.reason, b.score)
        return results[:limit]

    # ------------------------------------------------------------------ pieces
    def _explained(self, leaf: _Leaf, local_words: set[str], leaf_words: set[str], local_set: bool) -> float:
        """idf weight of the leaf-name words the local path accounts for (a word only a parent
        level explains counts less). A name listing alternatives ("Mont & Kaban & Palto") is largely
        explained when one alternative is; a qualified alternative ("Deri Mont") is not."""
        def ok(t: str) -> bool:
            return t in local_words or (local_set and t in self.lex.set_words)

        def weight(t: str) -> float:
            if t in leaf_words or (local_set and t in self.lex.set_words) or ((t,) in self.lex.audience and
                                                                                t in local_words):
                return 1.0
            return 0.75 if t in local_words else 0.0

        got = sum(weight(t) * self.idf(t) for t in leaf.name_toks)
        if len(leaf.groups) > 1:
            def plain(g):
                return [t for t in g if (t,) not in self.lex.audience]
            if any(plain(g) and all(ok(t) for t in plain(g)) for g in leaf.groups):
                for g in leaf.groups:
                    rest = plain(g)
                    if len(rest) == 1 and not ok(rest[0]):
                        got += 0.8 * self.idf(rest[0])
        return got

    def _unit_idf(self, u: _Unit) -> float:
        vals = [self.idf(t) for a in u.alts for t in a if t in self._index]
        base = max(vals) if vals else self._default_idf * 0.6
        return max(1.0, base)

    def _unit_match(self, u: _Unit, alt_hits, name_set: set[str], path_set: set[str]
                    ) -> tuple[float, tuple[str, ...] | None]:
        best, best_alt = 0.0, None
        for k, a in enumerate(u.alts):
            hits = alt_hits[a]
            in_name = sum(1 for h in hits if h & name_set)
            in_any = sum(1 for h in hits if h & name_set or h & path_set)
            n = len(hits)
            if in_any == 0:
                continue
            if in_name == n:
                m = 1.0
            elif in_any == n:
                m = 0.75 if in_name else 0.6
            else:
                m = 0.5 * in_any / n + (0.2 if in_name else 0.0)
            if k > 0:
                m *= 0.97  # a lexicon word is almost as good as the merchant's own
            if m > best:
                best, best_alt = m, a
        return best, best_alt

    def _candidate_ids(self, units: list[_Unit], alt_hits) -> set[int]:
        def ids(level_filter) -> set[int]:
            out: set[int] = set()
            for u in units:
                if not level_filter(u.level):
                    continue
                for a in u.alts:
                    for h in alt_hits[a]:
                        for k in h:
                            out.update(self._index.get(k, ()))
            return out

        lead = ids(lambda lv: lv == 0)
        if len(lead) < 3:
            lead |= ids(lambda lv: lv != 0)
        if len(lead) <= _MAX_CANDIDATES:
            return lead
        # many leaves share a word ("Set", "Aksesuar"): keep those that share the most weighted words
        rough: Counter[int] = Counter()
        for u in units:
            hit: set[int] = set()
            for a in u.alts:
                for h in alt_hits[a]:
                    for k in h:
                        hit.update(self._index.get(k, ()))
            w = u.weight * (self._unit_idf(u) if u.level >= 0 else 0.5)
            for i in hit & lead:
                rough[i] += w
        return {i for i, _ in rough.most_common(_MAX_CANDIDATES)}

    def _departments(self, units: list[_Unit]) -> tuple[set[str], str]:
        roots: set[str] = set()
        words: list[str] = []
        for u in units:
            if u.level <= 0 and len(units) > 1:
                continue  # the leaf names the product, the levels above name the department
            for a in u.alts:
                r = self.lex.departments.get(a)
                if r:
                    roots.update(r)
                    words.append(u.shown or u.label)
                    break
        return roots, ", ".join(dict.fromkeys(words))

    @staticmethod
    def _audience_factor(local: Audience, leaf: Audience) -> tuple[float, str]:
        (lg, la), (cg, ca) = local, leaf
        if lg is None and la is None:
            if ca in ("child", "baby"):
                return 0.8, ""  # nothing says the local category is for children
            return (0.97 if cg in ("f", "m") else 1.0), ""
        f = 1.0
        if la and ca:
            if la != ca:
                f *= 0.7 if {la, ca} == {"child", "baby"} else 0.6
        elif la:
            f *= 0.93  # asked for an audience; N11 has leaves that say it
        elif ca in ("child", "baby"):
            f *= 0.8
        if lg and cg:
            if lg != cg:
                f *= 0.95 if "u" in (lg, cg) else 0.6
        elif lg in ("f", "m") and not (la and not ca):
            f *= 0.95
        note = ""
        if f >= 1.0:
            note = f"for {_audience_label(local)}"
        return f, note

    def _learned(self, segments: list[str]) -> dict[int, str]:
        out: dict[int, str] = {}
        hit = self._learned_name.get(fold(segments[-1]))
        if hit:
            out[hit[0]] = f"you mapped “{hit[1]}” here"
        for cid, local in self._learned_parent.get(fold(" > ".join(segments[:-1])), []) if len(segments) > 1 else []:
            out.setdefault(-cid, f"its sibling “{local}” went to this branch")
        return out

    def _learned_bonus(self, leaf: _Leaf, learned: dict[int, str]) -> tuple[tuple[float, float], str]:
        if not learned:
            return (1.0, 0.0), ""
        if leaf.cid in learned:
            return (1.0, 0.25), learned[leaf.cid]
        for key, note in learned.items():
            if key >= 0:
                continue
            other = self._leaves[self._by_id[-key]]
            if other.parent == leaf.parent:
                return (1.15, 0.0), note
            if other.grandparent and other.grandparent == leaf.grandparent:
                return (1.07, 0.0), note
        return (1.0, 0.0), ""

    @staticmethod
    def _reason(leaf: _Leaf, words: list[str], via_lex: list[str], notes: list[str], recall: float,
                precision: float) -> str:
        parts = []
        if words:
            parts.append("matches " + ", ".join(f"“{w}”" for w in dict.fromkeys(words)))
        if via_lex:
            parts.append("lexicon: " + "; ".join(dict.fromkeys(via_lex)))
        parts += list(dict.fromkeys(notes))
        parts.append(f"covers {round(recall * 100)}% of the local path, explains {round(precision * 100)}% "
                     f"of “{leaf.name}”")
        return " · ".join(parts)
