"""Constants and small helpers shared by the sandbox's per-resource states: N11's status
codes and reason lists, limits, number formatting, and the product
table that keeps its sorted order between product-query pages."""

from __future__ import annotations

import bisect
import copy
from array import array
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


# --------------------------------------------------------------------------- product rows
#
# A remote product is one plain tuple of the fields below (not a dict; its creation and change
# times are not kept: no endpoint shows them): with only strings,
# numbers, Decimals, None and tuples of those inside, the cyclic garbage collector untracks it,
# so 100k products neither cost each full collection ~1 s of the interpreter's time (the GIL an
# in-process sandbox shares with the app's GUI thread) nor ~2 KB of dict apiece. A change makes a
# new tuple. Callers outside the hot paths (orders, SOAP, tests) read and write a product through
# :class:`ProductView` (``products[code]["quantity"]``), as they did with the dicts.

PRODUCT_FIELDS = ("n11ProductId", "stockCode", "title", "description", "categoryId",
                  "productMainId", "status", "saleStatus", "preparingDay", "shipmentTemplate",
                  "maxPurchaseQuantity", "catalogId", "barcode", "currencyType", "salePrice",
                  "listPrice", "quantity", "rejectInfo", "attributes", "imageUrls", "vatRate",
                  "sender", "version", "_reject", "_approve_at")
(PID, CODE, TITLE, DESC, CAT, MAIN_ID, STATUS, SALE_STATUS, PREP_DAY, TEMPLATE, MAX_QTY, CATALOG,
 BARCODE, CURRENCY, SALE_PRICE, LIST_PRICE, QTY, REJECT_INFO, ATTRS, IMAGES, VAT, SENDER, VERSION,
 REJECT, APPROVE_AT) = range(len(PRODUCT_FIELDS))
FIELD_INDEX = {k: i for i, k in enumerate(PRODUCT_FIELDS)}
SELLER_NICKNAME = "sandboxmagaza"
COMMISSION_RATE = 15
# the same on every product (never changed by any endpoint): not stored
_CONSTANT_FIELDS = {"sellerId": lambda: SELLER_ID, "sellerNickname": lambda: SELLER_NICKNAME,
                    "customTextOptions": list, "groupId": lambda: None,
                    "commissionRate": lambda: COMMISSION_RATE}
# the product's keys in the order product-query shows them (the dicts' insertion order before)
_KEY_ORDER = ("n11ProductId", "sellerId", "sellerNickname", "stockCode", "title", "description",
              "categoryId", "productMainId", "status", "saleStatus", "preparingDay",
              "shipmentTemplate", "maxPurchaseQuantity", "customTextOptions", "catalogId",
              "barcode", "groupId", "currencyType", "salePrice", "listPrice", "quantity",
              "rejectInfo", "attributes", "imageUrls", "vatRate", "commissionRate", "sender",
              "version", "_reject", "_approve_at")

_SHARE_MAX = 20_000  # entries per cache; past it, values are looked up but no longer added
_SHARED_STR: dict[str, str] = {}
_SHARED_ATTRS: dict[tuple, tuple] = {}
_PRICES: dict[tuple, Decimal] = {}


def share_str(s):
    """One object for equal short strings (templates, descriptions, brand values repeat across
    thousands of products, and across the stores' sandboxes of one process)."""
    if type(s) is not str or len(s) > 1024:
        return s
    got = _SHARED_STR.get(s)
    if got is not None:
        return got
    if len(_SHARED_STR) < _SHARE_MAX:
        _SHARED_STR[s] = s
    return s


def price_of(v) -> Decimal:
    """``money(dec(v))`` of a posted price, one shared Decimal per distinct posted value."""
    key = (type(v), v)
    try:
        got = _PRICES.get(key)
    except TypeError:  # unhashable: never a valid price, but compute as before
        return money(dec(v))
    if got is None:
        got = money(dec(v))
        if len(_PRICES) < _SHARE_MAX:
            _PRICES[key] = got
    return got


_ATTR_KEYS = ["attributeId", "attributeName", "attributeValue"]


def attrs_in(attrs):
    """A product's resolved attributes (``[{attributeId, attributeName, attributeValue}]``) as
    a shared flat tuple (see ``shared_attrs``); anything of another shape is kept as given."""
    if type(attrs) is tuple:
        return attrs
    if type(attrs) is not list or not all(
            type(a) is dict and list(a) == _ATTR_KEYS and type(a["attributeId"]) is int
            and type(a["attributeName"]) is str and type(a["attributeValue"]) is str for a in attrs):
        return copy.deepcopy(attrs)
    return shared_attrs(tuple([(a["attributeId"], a["attributeName"], a["attributeValue"])
                               for a in attrs]))


def shared_attrs(t: tuple) -> tuple:
    """One flat tuple ``(id, name, value, id, name, value, ...)`` for equal attribute sets
    ``((id, name, value), ...)`` of ints and strings. Flat, so it holds no tuple the cyclic
    collector would have to untrack first: a nested one could stay tracked, and with it every
    product row holding it (promoted with the rows into the old generation)."""
    flat = tuple([x for a in t for x in a])
    got = _SHARED_ATTRS.get(flat)
    if got is not None:
        return got
    flat = tuple([share_str(x) for x in flat])
    if len(_SHARED_ATTRS) < _SHARE_MAX:
        _SHARED_ATTRS[flat] = flat
    return flat


def attrs_out(attrs) -> list:
    """The attributes as product-query shows them (a new list of new dicts)."""
    if type(attrs) is tuple:
        return [{"attributeId": attrs[i], "attributeName": attrs[i + 1],
                 "attributeValue": attrs[i + 2]} for i in range(0, len(attrs), 3)]
    return copy.deepcopy(attrs)


def brand_of(attrs):
    if type(attrs) is tuple:
        return next((attrs[i + 2] for i in range(0, len(attrs), 3) if attrs[i] == 1), None)
    return next((a["attributeValue"] for a in attrs if a["attributeId"] == 1), None)


def images_in(urls):
    """A product's image URLs: the one URL itself when there is one (most products), else a tuple."""
    t = tuple(urls)
    return t[0] if len(t) == 1 and type(t[0]) is str else t


def images_out(v) -> list:
    return [v] if type(v) is str else list(v)


class DueQueue:
    """(time, key) pairs taken out in time order once due, compactly: the times in an
    ``array('d')``, the keys in a list (100k new products waiting for catalog approval hold
    16 bytes each instead of a heap of tuples). Times pushed in order (a fixed delay) are
    appended; an earlier one (the delay changed) is inserted in place."""

    __slots__ = ("_times", "_keys", "_head")

    def __init__(self) -> None:
        self._times = array("d")
        self._keys: list = []
        self._head = 0

    def __bool__(self) -> bool:
        return self._head < len(self._keys)

    def first(self) -> float:
        return self._times[self._head]

    def push(self, at: float, key) -> None:
        times = self._times
        if not times or at >= times[-1]:
            times.append(at)
            self._keys.append(key)
        else:
            i = bisect.bisect_right(times, at, self._head)
            times.insert(i, at)
            self._keys.insert(i, key)

    def pop_due(self, now: float) -> list[tuple[float, object]]:
        """Every (time, key) due at ``now``, in time order."""
        times, keys, head = self._times, self._keys, self._head
        end = bisect.bisect_right(times, now, head)
        out = list(zip(times[head:end], keys[head:end]))
        if end > 4096 and end * 2 > len(keys):  # drop the consumed front now and then
            del times[:end]
            del keys[:end]
            end = 0
        self._head = end
        return out


def product_json(r: tuple) -> dict:
    """One product as product-query shows it (``rejectInfo`` only on a rejected product)."""
    d = {"n11ProductId": r[PID], "sellerId": SELLER_ID, "sellerNickname": SELLER_NICKNAME,
         "stockCode": r[CODE], "title": r[TITLE], "description": r[DESC], "categoryId": r[CAT],
         "productMainId": r[MAIN_ID], "status": r[STATUS], "saleStatus": r[SALE_STATUS],
         "preparingDay": r[PREP_DAY], "shipmentTemplate": r[TEMPLATE],
         "maxPurchaseQuantity": r[MAX_QTY], "customTextOptions": [], "catalogId": r[CATALOG],
         "barcode": r[BARCODE], "groupId": None, "currencyType": r[CURRENCY],
         "salePrice": num(r[SALE_PRICE]), "listPrice": num(r[LIST_PRICE]), "quantity": r[QTY]}
    if r[REJECT_INFO] is not None:
        d["rejectInfo"] = r[REJECT_INFO]
    d["attributes"] = attrs_out(r[ATTRS])
    d["imageUrls"] = images_out(r[IMAGES])
    d["vatRate"] = r[VAT]
    d["commissionRate"] = COMMISSION_RATE
    d["sender"] = r[SENDER]
    return d


def _field_in(i: int, v):
    if i == ATTRS:
        return attrs_in(v)
    if i == IMAGES:
        return images_in(v)
    return v


def replace(r: tuple, **changes) -> tuple:
    """``r`` with some fields changed (by name)."""
    row = list(r)
    for k, v in changes.items():
        row[FIELD_INDEX[k]] = v
    return tuple(row)


class ProductView:
    """One product read and written by field name (``p["quantity"] -= 1``), always the
    table's current row; what callers outside the sandbox's hot paths (and tests) use."""

    __slots__ = ("_table", "_code", "_last")

    def __init__(self, table: "ProductTable", code: str, row: tuple) -> None:
        self._table, self._code, self._last = table, code, row

    def _row(self) -> tuple:
        row = self._table._rows.get(self._code)
        if row is not None:
            self._last = row
        return self._last

    def __getitem__(self, key):
        i = FIELD_INDEX.get(key)
        if i is None:
            make = _CONSTANT_FIELDS.get(key)
            if make is None:
                raise KeyError(key)
            return make()
        v = self._row()[i]
        if i == ATTRS:
            return attrs_out(v)
        if i == IMAGES:
            return images_out(v)
        return v

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key) -> bool:
        return key in FIELD_INDEX or key in _CONSTANT_FIELDS

    def keys(self):
        return list(_KEY_ORDER)

    def __iter__(self):
        return iter(_KEY_ORDER)

    def items(self):
        return [(k, self[k]) for k in _KEY_ORDER]

    def __setitem__(self, key, value) -> None:
        i = FIELD_INDEX[key]  # the constant fields cannot be changed
        row = list(self._row())
        row[i] = _field_in(i, value)
        self._last = tuple(row)
        if self._code in self._table._rows:
            self._table.set_row(self._code, self._last)

    def __repr__(self) -> str:
        return f"ProductView({dict(self.items())!r})"


class ProductTable:
    """stockCode → product (a row tuple, see ``PRODUCT_FIELDS``). Reading ``table[code]`` gives
    a :class:`ProductView`; the hot paths use :meth:`row`, :meth:`rows` and :meth:`set_row`.
    ``gen`` changes whenever a product is added, removed or re-created, so the product-query
    can keep its sorted stock codes between pages (100k products, 400 pages)."""

    def __init__(self) -> None:
        self._rows: dict[str, tuple] = {}
        self.gen = 0
        self._sorted: dict[str, tuple] = {}

    # raw rows ---------------------------------------------------------------------------
    def row(self, code) -> tuple | None:
        return self._rows.get(code)

    def rows(self):
        return self._rows.values()

    def set_row(self, code: str, row: tuple) -> None:
        """Store a product's row; a new code or a new n11ProductId for it bumps ``gen``."""
        old = self._rows.get(code)
        if old is None or old[PID] != row[PID]:
            self.gen += 1
        self._rows[code] = row

    # mapping protocol (views) --------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self):
        return iter(self._rows)

    def __contains__(self, code) -> bool:
        return code in self._rows

    def keys(self):
        return self._rows.keys()

    def __getitem__(self, code) -> ProductView:
        return ProductView(self, code, self._rows[code])

    def get(self, code, default=None):
        row = self._rows.get(code) if isinstance(code, str) else None
        return default if row is None else ProductView(self, code, row)

    def values(self) -> list[ProductView]:
        return [ProductView(self, c, r) for c, r in self._rows.items()]

    def items(self) -> list[tuple[str, ProductView]]:
        return [(c, ProductView(self, c, r)) for c, r in self._rows.items()]

    def __delitem__(self, code) -> None:
        del self._rows[code]
        self.gen += 1

    def pop(self, code, *default):
        row = self._rows.pop(code, None)
        if row is None:
            if default:
                return default[0]
            raise KeyError(code)
        self.gen += 1
        return ProductView(self, code, row)

    def clear(self) -> None:
        self._rows.clear()
        self.gen += 1

    def sorted_codes(self, sender: str = "ALL") -> tuple:
        """Every product's stock code (of ``sender`` unless "ALL") in n11ProductId order, kept
        until a product is added/removed."""
        cache = self._sorted.get(sender)
        if cache is None or cache[0] != self.gen:
            rows = sorted(self._rows.values(), key=lambda r: r[PID])
            cache = self._sorted[sender] = (self.gen, tuple(
                r[CODE] for r in rows if sender == "ALL" or r[SENDER] == sender))
        return cache[1]
