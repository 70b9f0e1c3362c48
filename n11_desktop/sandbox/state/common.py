"""Constants and small helpers shared by the sandbox's per-resource states: N11's status
codes and reason lists, limits, number formatting, and the product
table that keeps its sorted order between product-query pages."""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_ATOMS = (str, int, float, bool, type(None), Decimal)


def _copy_tree(v):
    """deepcopy for JSON-shaped data (dicts, lists, scalars): a 1000-SKU task in a few ms."""
    t = type(v)
    if t is dict:
        return {k: _copy_tree(x) for k, x in v.items()}
    if t is list:
        return [_copy_tree(x) for x in v]
    if t in _ATOMS:
        return v
    return copy.deepcopy(v)

REJECT_TRIGGER = "REJECTME"

REST_PACKAGE_STATUSES = ("Created", "Picking", "Shipped", "Cancelled", "Delivered",
                         "Unpacked", "UnSupplied")
REST_TO_SOAP_ITEM = {"Created": 2, "Picking": 5, "Shipped": 6, "Delivered": 7, "Cancelled": 4,
                     "UnSupplied": 8, "Unpacked": 2}
SOAP_FILTER_TO_ITEM = {"New": {2}, "Approved": {5}, "Rejected": {8}, "Shipped": {6},
                       "Delivered": {7}, "Completed": {10, 7}, "Claimed": {11, 12},
                       "LATE_SHIPMENT": {14}}
APPROVAL_INT = {"Active": 1, "Suspended": 2, "Prohibited": 3, "Unlisted": 4,
                "InCatalogApproval": 5, "CatalogRejected": 6}
SALE_INT = {"Before_Sale": 1, "On_Sale": 2, "Out_Of_Stock": 3, "Sale_Closed": 4}
FAULT_KINDS = ("latency", "http_500", "http_503", "timeout", "reset", "malformed",
               "wrong_content_type")
# Opt-in kinds (not drawn unless asked for): ``lost_ack`` applies the request, then resets
# the connection before answering (the hard case: N11 did it, the client never heard).
EXTRA_FAULT_KINDS = ("lost_ack",)
ALL_FAULT_KINDS = FAULT_KINDS + EXTRA_FAULT_KINDS
CANCEL_REASONS = {61: "Stokta yok", 62: "Ürün kusurlu", 63: "Hatalı fiyat", 64: "Mücbir sebep",
                  65: "Diğer"}
# Ids as N11 documents them to sellers (seed §2 "Deny Reason Id").
CLAIM_CANCEL_DENY_REASONS = [(61, "Stokta olmayan ürün"), (62, "Kampanya sona erdi"),
                             (63, "Ürün sağlam teslim edildi"), (64, "Ürün hasarlı"),
                             (81, "Mevzuat gereği iadesi kabul edilmeyen ürün")]
RETURN_DENY_REASONS = [(1, "Ürün kullanılmış"), (2, "Ürün eksik gönderildi"),
                       (3, "İade süresi geçmiş"), (4, "Diğer")]
RETURN_PENDING_REASONS = [(1, "Ürün incelemede"), (2, "Kargo bekleniyor"), (3, "Diğer")]
VAT_RATES = {0, 1, 10, 20}
MAX_SKUS_PER_TASK = 1000
MAX_PRICE = Decimal("1000000")  # price guard
BANNED_WORDS = ("replika", "çakma", "imitasyon", "sahte")
UPDATE_FORBIDDEN = {"title", "categoryId", "attributes"}

_FIRST = ["Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Merve", "Büşra", "Esra",
          "Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "İbrahim", "Murat", "Emre",
          "Burak", "Gökhan", "Cem", "Deniz", "Selin", "Özge", "Tuğba", "Kerem", "Onur", "Ece"]
_LAST = ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın",
         "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt",
         "Özkan", "Şimşek", "Polat", "Erdoğan", "Güneş", "Aksoy", "Korkmaz", "Uçar"]
_STREETS = ["Atatürk Cad.", "Cumhuriyet Cad.", "İnönü Sok.", "Gül Sok.", "Menekşe Sok.",
            "Bağdat Cad.", "Fatih Sok.", "Lale Sok.", "Barış Cad.", "Okul Sok."]
_PRODUCT_WORDS = ["Pamuklu Basic Tişört", "Seramik Kahve Fincanı Seti", "Kablosuz Bluetooth Kulaklık",
                  "Paslanmaz Çelik Termos 500 ml", "Deri Kartlık Cüzdan", "Çocuk Eşofman Takımı",
                  "Silikon Telefon Kılıfı", "Bambu Kesme Tahtası", "Kadın Spor Ayakkabı",
                  "Organik Pamuk Nevresim Takımı"]


SELLER_ID = 4_218_765
COLLECTION_CARRIERS = {"HLZ": "Horoz", "CEVA": "Ceva", "BL": "Borusan"}
PICKUP_TYPES = ("KTN", "EASYPOINT", "PUP")
_PICKUP_NAMES = {"KTN": "KargoTürk Noktası", "EASYPOINT": "EasyPoint Teslim Noktası",
                 "PUP": "PTT Teslim Noktası"}


def _pickup_point(kind: str, home: dict) -> dict:
    """The pick-up point a package goes to (same district as the buyer): the shipping
    address of a pick-up package on N11; the buyer stays in billingAddress."""
    name = f"{_PICKUP_NAMES[kind]} - {home['district']}"
    return {"address": f"{home['neighborhood']} {name} No:1", "city": home["city"],
            "district": home["district"], "neighborhood": home["neighborhood"],
            "fullName": name, "gsm": "08502220000", "tcId": None,
            "postalCode": home.get("postalCode")}


def dec(v) -> Decimal | None:
    if v is None or v == "":
        return None
    try:
        d = Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def money(v: Decimal) -> Decimal:
    return v.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def num(v: Decimal | None):
    """Decimal → JSON number (int if whole)."""
    if v is None:
        return None
    return int(v) if v == v.to_integral_value() else float(v)


class _Products(dict):
    """stockCode → product; ``gen`` changes whenever a product is added or removed, so the
    product-query can keep its sorted list between pages (100k products, 400 pages)."""

    gen = 0

    def _bump(self) -> None:
        self.gen += 1

    def __setitem__(self, key, value) -> None:
        self._bump()
        super().__setitem__(key, value)

    def __delitem__(self, key) -> None:
        self._bump()
        super().__delitem__(key)

    def pop(self, *args):
        self._bump()
        return super().pop(*args)

    def popitem(self):
        self._bump()
        return super().popitem()

    def clear(self) -> None:
        self._bump()
        super().clear()

    def update(self, *args, **kw) -> None:
        self._bump()
        super().update(*args, **kw)

    def setdefault(self, key, default=None):
        self._bump()
        return super().setdefault(key, default)

    def sorted_by_id(self, sender: str = "ALL") -> list[dict]:
        """Every product (of ``sender`` unless "ALL") in n11ProductId order, kept until one is added/removed."""
        caches = self.__dict__.setdefault("_sorted", {})
        cache = caches.get(sender)
        if cache is None or cache[0] != self.gen:
            rows = sorted(self.values(), key=lambda r: r["n11ProductId"])
            if sender != "ALL":
                rows = [r for r in rows if r["sender"] == sender]
            cache = caches[sender] = (self.gen, rows)
        return cache[1]
