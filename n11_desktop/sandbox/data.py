"""Seed data of the N11 sandbox: category tree, generated attributes, Turkish
provinces/districts/neighbourhoods, shipment companies and shipment templates.

Everything is loaded from ``n11_desktop/resources/data`` (see PROVENANCE.md there).
Attributes and all numeric ids that N11 does not publish are generated deterministically
from the category id and the sandbox seed, so two sandboxes with the same seed agree.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import threading
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "resources" / "data"

BRAND_ATTRIBUTE_ID = 1
COLOR_ATTRIBUTE_ID = 429


def _stable_int(text: str, lo: int, span: int) -> int:
    return lo + zlib.crc32(text.encode("utf-8")) % span


# --------------------------------------------------------------------------- categories


@dataclass
class Category:
    id: int
    name: str
    parent_id: int | None
    children: list[int] = field(default_factory=list)
    depth: int = 1

    @property
    def leaf(self) -> bool:
        return not self.children


@lru_cache(maxsize=1)
def _tree_json() -> dict:
    with open(DATA_DIR / "n11_categories_tree.json", encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def categories() -> dict[int, Category]:
    out: dict[int, Category] = {}

    def walk(nodes, parent, depth):
        for n in nodes:
            c = Category(id=int(n["id"]), name=n["name"], parent_id=parent, depth=depth)
            out[c.id] = c
            if parent is not None:
                out[parent].children.append(c.id)
            if n.get("subCategories"):
                walk(n["subCategories"], c.id, depth + 1)

    walk(_tree_json()["categories"], None, 1)
    return out


def top_level_ids() -> list[int]:
    return [c.id for c in categories().values() if c.parent_id is None]


@lru_cache(maxsize=1)
def category_tree_json() -> dict:
    """The ``GET /cdn/categories`` body (leaf ⇔ ``subCategories: null``). Every node carries
    ``parentId`` as production does: ``null`` on top-level nodes, the parent's id below
    (lonca's fixture shaped like production's answer; API.md §9)."""

    def node(n: dict, parent: int | None) -> dict:
        subs = n.get("subCategories")
        out = {"id": n["id"], "name": n["name"], "parentId": parent}
        out["subCategories"] = [node(c, int(n["id"])) for c in subs] if subs else None
        return out

    return {"categories": [node(n, None) for n in _tree_json()["categories"]]}


def category_path(cid: int) -> list[Category]:
    cats = categories()
    out = []
    c = cats.get(cid)
    while c is not None:
        out.append(c)
        c = cats.get(c.parent_id) if c.parent_id is not None else None
    return list(reversed(out))


def category_last_modified(cid: int) -> str:
    """Stable ``dd/MM/yyyy HH:mm`` per category (production sends one on every node)."""
    base = datetime(2024, 11, 18, 9, 0)
    minutes = _stable_int(f"lm:{cid}", 0, 60 * 24 * 600)
    return (base + timedelta(minutes=minutes)).strftime("%d/%m/%Y %H:%M")


# --------------------------------------------------------------------------- attributes

_BRANDS = [
    "Abay", "Abbagift", "Albatros", "Arçelik", "Vestel", "Beko", "Koton", "LC Waikiki", "Mavi",
    "Defacto", "Colin's", "Kiğılı", "Altınyıldız", "Karaca", "Emsan", "Korkmaz", "Schafer",
    "Paşabahçe", "Bernardo", "Madame Coco", "English Home", "Taç", "Özdilek", "Yataş",
    "Flo", "Kinetix", "Lumberjack", "Polaris", "Hummel", "Derimod", "Deichmann", "Penti",
    "Eti", "Ülker", "Torku", "Tadım", "Pınar", "Sütaş", "Hayat", "Fakir", "Sinbo", "Goldmaster",
    "Kumtel", "Arzum", "King", "Tefal", "Philips", "Samsung", "Xiaomi", "Lenovo", "Casper",
    "Reeder", "Huawei", "Apple", "Ttec", "Syrox", "Hoco", "Anker", "Baseus", "Bosch", "Makita",
    "Black & Decker", "Einhell", "Stanley", "Faber-Castell", "Adel", "Mopak", "Kum Toys",
    "Fen Toys", "Dede", "Farmasi", "Flormar", "Golden Rose", "Pastel", "Note", "Siveno",
    "Hunca", "Porland", "Kütahya Porselen", "Jumbo", "Lav", "Cooker", "Bargello", "Nuvola",
]
_BRAND_IDS_FIXED = {"Abay": 8372688, "Abbagift": 6655098, "Albatros": 1229210}

_COLORS = [
    ("Ahşap Rengi", 8773717), ("Altın", 2523534), ("Altın - Beyaz", 8773712), ("Beyaz", 0),
    ("Siyah", 0), ("Kırmızı", 0), ("Mavi", 0), ("Lacivert", 0), ("Yeşil", 0), ("Sarı", 0),
    ("Turuncu", 0), ("Mor", 0), ("Pembe", 0), ("Gri", 0), ("Antrasit", 0), ("Bej", 0),
    ("Kahverengi", 0), ("Bordo", 0), ("Ekru", 0), ("Gümüş", 0), ("Haki", 0), ("Turkuaz", 0),
    ("Krem", 0), ("Vizon", 0), ("Çok Renkli", 0), ("Şeffaf", 0),
]

# name -> (attribute id, values, isCustomValue default, multipleSelect)
_ATTRIBUTE_POOL: dict[str, tuple[int, list[str], bool, bool]] = {
    "Beden": (361, ["XS", "S", "M", "L", "XL", "XXL", "3XL", "Standart"], False, False),
    "Numara": (370, [str(n) for n in range(35, 46)], False, False),
    "Materyal": (378, ["Pamuk", "Polyester", "Keten", "Viskon", "Deri", "Suni Deri", "Yün",
                       "Plastik", "Metal", "Cam", "Seramik", "Ahşap", "Paslanmaz Çelik",
                       "Silikon", "Bambu"], True, True),
    "Cinsiyet": (394, ["Kadın", "Erkek", "Unisex", "Kız Çocuk", "Erkek Çocuk"], False, False),
    "Desen": (402, ["Düz", "Çizgili", "Ekose", "Puantiyeli", "Çiçekli", "Baskılı",
                    "Geometrik", "Kamuflaj"], False, False),
    "Yaş Grubu": (415, ["0-12 Ay", "1-3 Yaş", "3-6 Yaş", "6-12 Yaş", "Yetişkin"], False, False),
    "Garanti Süresi": (450, ["6 Ay", "1 Yıl", "2 Yıl", "3 Yıl", "Garantisiz"], False, False),
    "Menşei": (463, ["Türkiye", "Çin", "Almanya", "İtalya", "Japonya", "Kore", "ABD"],
               False, False),
    "Kapasite": (477, ["250 ml", "500 ml", "1 L", "1.5 L", "2 L", "5 L", "10 L"], True, False),
    "Boyut": (488, ["Küçük", "Orta", "Büyük", "30x40 cm", "50x70 cm", "100x150 cm",
                    "160x230 cm"], True, False),
    "Kol Boyu": (502, ["Kısa Kol", "Uzun Kol", "Kolsuz", "Yarım Kol"], False, False),
    "Yaka Tipi": (517, ["Bisiklet Yaka", "V Yaka", "Polo Yaka", "Gömlek Yaka",
                        "Kapüşonlu"], False, False),
    "Paket İçeriği": (530, ["1 Adet", "2'li", "3'lü", "6'lı", "12'li", "Set"], True, False),
    "Güç": (544, ["500 W", "1000 W", "1500 W", "2000 W", "2400 W"], True, False),
    "Ağırlık": (559, ["100 g", "250 g", "500 g", "1 kg", "2 kg", "5 kg"], True, False),
    "Kullanım Alanı": (571, ["Ev", "Ofis", "Bahçe", "Mutfak", "Banyo", "Araç", "Outdoor"],
                       False, True),
    "Uyumlu Marka": (588, ["Apple", "Samsung", "Xiaomi", "Huawei", "Oppo", "Universal"],
                     False, True),
}
_APPAREL_WORDS = ("giyim", "elbise", "tişört", "gömlek", "pantolon", "ceket", "mont", "etek",
                  "çorap", "pijama", "eşofman", "kazak", "mayo")


# Plausible extra attributes by the words in a category's path (first match wins).
_FAMILY_POOLS: list[tuple[tuple[str, ...], list[str]]] = [
    (("giyim",), ["Materyal", "Desen", "Kol Boyu", "Yaka Tipi", "Menşei"]),
    (("ayakkabı", "çanta"), ["Materyal", "Desen", "Boyut", "Menşei"]),
    (("bebek", "oyuncak", "emzirme", "biberon", "yürüteç", "mama"),
     ["Yaş Grubu", "Materyal", "Cinsiyet", "Paket İçeriği", "Menşei"]),
    (("bilgisayar", "telefon", "televizyon", "fotoğraf", "beyaz eşya", "elektrikli", "konsol",
      "navigasyon", "ses sistemleri"),
     ["Garanti Süresi", "Güç", "Uyumlu Marka", "Menşei", "Kapasite"]),
    (("mutfak", "banyo", "mobilya", "ev tekstili", "dekorasyon", "bahçe", "yapı market"),
     ["Materyal", "Boyut", "Kapasite", "Paket İçeriği", "Kullanım Alanı"]),
    (("süpermarket", "bakım", "makyaj", "parfüm", "cilt", "saç", "kuaför", "sağlık", "diş"),
     ["Ağırlık", "Kapasite", "Paket İçeriği", "Menşei", "Cinsiyet"]),
    (("takı", "altın", "gümüş", "pırlanta", "saat", "bijuteri", "gözlüğü"),
     ["Materyal", "Cinsiyet", "Garanti Süresi", "Menşei"]),
    (("spor", "fitness", "kamp", "outdoor", "bisiklet", "avcılık", "su sporları"),
     ["Materyal", "Boyut", "Ağırlık", "Kullanım Alanı", "Menşei"]),
]
_DEFAULT_POOL = ["Materyal", "Menşei", "Paket İçeriği", "Boyut", "Garanti Süresi",
                 "Kullanım Alanı"]


def _value_id(attr_id: int, value: str) -> int:
    if attr_id == BRAND_ATTRIBUTE_ID and value in _BRAND_IDS_FIXED:
        return _BRAND_IDS_FIXED[value]
    if attr_id == COLOR_ATTRIBUTE_ID:
        for name, vid in _COLORS:
            if name == value and vid:
                return vid
    return _stable_int(f"v:{attr_id}:{value}", 1_000_000, 8_999_999)


@lru_cache(maxsize=4096)
def category_attributes(cid: int, seed: int = 0) -> list[dict] | None:
    """Attributes of a leaf category (None for unknown or non-leaf).

    Each attribute: ``{id, name, mandatory, variant, slicer, customValue, multipleSelect,
    grouping, order, values:[{id, name}]}``. Deterministic in (cid, seed).
    """
    cats = categories()
    cat = cats.get(cid)
    if cat is None or not cat.leaf:
        return None
    rng = random.Random(f"attrs:{seed}:{cid}")
    path_text = " ".join(c.name for c in category_path(cid)).lower()
    attrs: list[dict] = []
    # Marka (brand): always mandatory, free custom value allowed.
    brands = sorted(set(rng.sample(_BRANDS, 25)) | ({"Abay", "Abbagift", "Albatros"}
                                                      if cid == 1002571 else set()))
    attrs.append(dict(id=BRAND_ATTRIBUTE_ID, name="Marka", mandatory=True, variant=False,
                      slicer=False, customValue=True, multipleSelect=False, grouping=False,
                      order=1000, values=[{"id": _value_id(1, b), "name": b} for b in brands]))
    colors = [c for c, _ in _COLORS]
    colors = colors[:3] + sorted(rng.sample(colors[3:], 12)) if cid == 1002571 else \
        sorted(rng.sample(colors, 14))
    attrs.append(dict(id=COLOR_ATTRIBUTE_ID, name="Renk", mandatory=rng.random() < 0.5 or
                      cid == 1002571, variant=True, slicer=True, customValue=True,
                      multipleSelect=False, grouping=False, order=102,
                      values=[{"id": _value_id(429, c), "name": c} for c in colors]))
    sub_text = " ".join(c.name for c in category_path(cid)[1:]).lower()
    shoes = any(w in sub_text for w in ("ayakkabı", "bot", "terlik", "sandalet", "çizme"))
    apparel = shoes or any(w in path_text for w in _APPAREL_WORDS)
    chosen: list[str] = []
    if apparel:
        chosen += ["Numara" if shoes else "Beden", "Cinsiyet"]
    pool = next((names for words, names in _FAMILY_POOLS
                 if any(w in path_text for w in words)), _DEFAULT_POOL)
    extra = [n for n in pool if n not in chosen]
    chosen += rng.sample(extra, min(len(extra), rng.randint(2, 4)))
    for i, name in enumerate(chosen):
        aid, values, custom, multi = _ATTRIBUTE_POOL[name]
        is_size = name in ("Beden", "Numara")
        vals = values if is_size else sorted(rng.sample(values, max(2, len(values) - rng.randint(0, 2))))
        attrs.append(dict(id=aid, name=name, mandatory=is_size or rng.random() < 0.3,
                          variant=is_size, slicer=False, customValue=custom,
                          multipleSelect=multi, grouping=False, order=90 - i,
                          values=[{"id": _value_id(aid, v), "name": v} for v in vals]))
    return attrs


def leaf_ids() -> list[int]:
    return [c.id for c in categories().values() if c.leaf]


# --------------------------------------------------------------------------- geography


@dataclass
class Province:
    plate: int
    name: str
    city_id: int
    districts: list[tuple[int, str]]  # (district id, name)


@lru_cache(maxsize=1)
def provinces() -> list[Province]:
    with open(DATA_DIR / "tr_provinces_districts.json", encoding="utf-8") as fh:
        raw = json.load(fh)["provinces"]
    out = []
    for p in raw:
        plate = int(p["plateCode"])
        dists = [(plate * 1000 + i + 1 + 1_000_000, d) for i, d in enumerate(p["districts"])]
        out.append(Province(plate=plate, name=p["name"], city_id=100000 + plate, districts=dists))
    return out


def province_by_plate(plate: int) -> Province | None:
    for p in provinces():
        if p.plate == plate:
            return p
    return None


def district_by_id(did: int) -> tuple[Province, str] | None:
    for p in provinces():
        for i, name in p.districts:
            if i == did:
                return p, name
    return None


_NB_LOCK = threading.Lock()
_NB_CACHE: dict = {}


_SEP = "\x1f"


def _neighbourhood_index() -> dict[tuple[int, str], tuple[str, str]]:
    """(plate, district name) → the district's neighbourhood names and postal codes, each
    joined by ``_SEP`` into one string: 73k neighbourhoods in ~2 MB instead of ~16 MB of
    tuples (and the file decoded district by district, not into a tree of 73k dicts first)."""
    with _NB_LOCK:
        if "idx" not in _NB_CACHE:
            def hook(obj: dict):
                if "postalCode" in obj:  # a neighbourhood
                    return obj["name"], obj["postalCode"]
                if "neighbourhoods" in obj:  # a district
                    rows = obj["neighbourhoods"]
                    names, codes = [n for n, _ in rows], [pc for _, pc in rows]
                    if any(_SEP in x for x in names + codes):
                        raise ValueError("separator in the neighbourhood data")
                    return obj["name"], _SEP.join(names), _SEP.join(codes)
                return obj

            with gzip.open(DATA_DIR / "tr_neighbourhoods.json.gz", "rt", encoding="utf-8") as fh:
                raw = json.loads(fh.read(), object_hook=hook)["provinces"]
            _NB_CACHE["idx"] = {(int(p["plateCode"]), name): (names, codes)
                                for p in raw for name, names, codes in p["districts"]}
        return _NB_CACHE["idx"]


def _tr_upper(ch: str) -> str:
    return {"i": "İ", "ı": "I"}.get(ch, ch.upper())


def _tidy_neighbourhood(name: str) -> str:
    """PTT's title-casing lower-cases the word after "(": "Yeni Mah (ceyüpler Köyü)"."""
    return re.sub(r"\((\w)", lambda m: "(" + _tr_upper(m.group(1)), name)


def neighbourhoods(district_id: int) -> list[tuple[int, str, str]] | None:
    """(id, name, postal code) of a district's neighbourhoods, None for unknown district."""
    found = district_by_id(district_id)
    if found is None:
        return None
    prov, dname = found
    names, codes = _neighbourhood_index().get((prov.plate, dname), ("", ""))
    if not names:
        return []
    return [(district_id * 1000 + i + 1, _tidy_neighbourhood(n), pc)
            for i, (n, pc) in enumerate(zip(names.split(_SEP), codes.split(_SEP)))]


# --------------------------------------------------------------------------- cargo

_INVENTED_SHORT_NAMES = {341: "SURAT", 342: "MNG", 343: "UPS", 381: "PTT", 401: "CEVA",
                         441: "HOROZ", 47050: "KOLAYGELSIN"}


@lru_cache(maxsize=1)
def shipment_companies() -> list[dict]:
    with open(DATA_DIR / "n11_shipment_companies.json", encoding="utf-8") as fh:
        raw = json.load(fh)["shipmentCompanies"]
    return [{"id": c["id"], "name": c["name"],
             "shortName": c["shortName"] or _INVENTED_SHORT_NAMES.get(c["id"], "KARGO")}
            for c in raw]


def shipment_company(cid: int) -> dict | None:
    for c in shipment_companies():
        if c["id"] == cid:
            return c
    return None


def default_shipment_templates() -> list[dict]:
    """Seller shipment templates (ShipmentApiModel shape, minus nesting)."""
    yk = {"name": "Yurtiçi Kargo", "shortName": "YK"}
    aras = {"name": "Aras Kargo", "shortName": "ARAS"}
    addr = {"title": "Depo", "address": "Organize Sanayi Bölgesi 3. Cadde No:12",
            "district": {"name": "Başakşehir", "id": 1034007}, "city": {"name": "İstanbul",
                                                                         "code": 34},
            "postalCode": "34490"}
    base = dict(installmentInfo="Taksit imkanı yoktur", exchangeInfo="14 gün içinde iade",
                shippingInfo="1-3 iş günü içinde kargoda", specialDelivery=False,
                combinedShipmentAllowed=True, shipmentMethod="1", warehouseAddress=addr,
                exchangeAddress=addr, deliverableCities={}, cargoAccountNo="",
                useDmallCargo=False)
    return [
        dict(base, templateName="Standart", deliveryFeeType="2", shipmentCompanies=[yk, aras],
             claimShipmentCompany=yk, defaultTemplate=True),
        dict(base, templateName="Hızlı Kargo", deliveryFeeType="3", shipmentCompanies=[aras],
             claimShipmentCompany=aras, shippingInfo="Aynı gün kargoda", defaultTemplate=False),
        dict(base, templateName="Ücretsiz Kargo", deliveryFeeType="3",
             shipmentCompanies=[yk], claimShipmentCompany=yk, defaultTemplate=False),
    ]
