"""In-memory state of the N11 sandbox: remote products, product tasks, orders (shipment
packages with lines), cancel claims, return claims, product questions, faults, request log.

One re-entrant lock guards everything. Time-driven transitions (task processing, catalog
approval) are applied lazily by :meth:`SandboxState.tick`, which every request and every
public method calls first, so no background thread is needed for them.

Deterministic catalog-rejection triggers (documented in ``sandbox --help``): a product
created with ``REJECTME`` in its title or description ends ``CatalogRejected`` instead of
``Active``.
"""

from __future__ import annotations

import copy
import itertools
import random
import re
import threading
import time
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from . import data

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

TR_TZ = timezone(timedelta(hours=3))
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


def now_ms() -> int:
    return int(time.time() * 1000)


def fmt_ms(ms: int, pattern: str) -> str:
    return datetime.fromtimestamp(ms / 1000, TR_TZ).strftime(pattern)


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


class SandboxState:
    def __init__(self, *, seed: int = 0, task_delay_ms: int = 1500,
                 approval_delay_ms: int | None = None, fault_rate: float = 0.0,
                 latency_ms: int = 0, app_key: str = "", app_secret: str = "",
                 fault_kinds: list[str] | None = None, fault_timeout_s: float = 5.0) -> None:
        self.lock = threading.RLock()
        self.seed = seed
        self.app_key = app_key
        self.app_secret = app_secret
        self.task_delay_ms = task_delay_ms
        self.approval_delay_ms = task_delay_ms if approval_delay_ms is None else approval_delay_ms
        self.latency_ms = latency_ms
        self._init_fault_rate = fault_rate
        bad = [k for k in (fault_kinds or []) if k not in ALL_FAULT_KINDS]
        if bad:
            raise ValueError(f"unknown fault kinds {bad}; known: {list(ALL_FAULT_KINDS)}")
        self._init_fault_kinds = list(fault_kinds or FAULT_KINDS)
        self._init_fault_timeout_s = fault_timeout_s
        self.reset()

    # ------------------------------------------------------------------ housekeeping

    def reset(self) -> None:
        with self.lock:
            self.products: dict[str, dict] = _Products()  # stockCode -> product row
            self.tasks: dict[int, dict] = {}
            self.orders: dict[str, dict] = {}        # orderNumber -> order
            self.packages: dict[int, dict] = {}      # package id -> package
            self._line_index: dict[int, int] = {}    # orderLineId -> newest package id
            self._order_ids_index: dict[int, str] = {}  # SOAP order id -> orderNumber
            self.claims: dict[int, dict] = {}        # claimCancelId -> claim
            self.returns: dict[int, dict] = {}       # claimReturnId -> return claim
            self.questions: dict[int, dict] = {}
            self.invoices: list[dict] = []
            self.collection_requests: list[dict] = []
            self.templates = data.default_shipment_templates()
            self.requests_log: list[dict] = []
            self.fault_rate = self._init_fault_rate
            self.fault_kinds = list(self._init_fault_kinds)
            self.fault_timeout_s = self._init_fault_timeout_s
            self.fault_latency_ms = 1500
            self.question_list_min_interval_s = 0.0
            self.alt_auth_failures = False
            self.validate_soap = True  # requests of WSDL-described services must be schema-valid
            # claim rows' skuId is the order line id here; no source confirms N11 does the same,
            # so tests turn this off to check that claims still match by documented fields
            self.claim_sku_is_line = True
            # SOAP order item ids = REST orderLineId + this; 0 by default (one id space), tests
            # set it to check the client never assumes the two are equal
            self.soap_item_id_offset = 0
            self._last_question_list = 0.0
            self.targeted_faults: list[dict] = []
            self.fault_rng = random.Random(f"faults:{self.seed}")
            self.rng = random.Random(f"state:{self.seed}")
            self._pickup_rng = random.Random(f"pickup:{self.seed}")
            self._ids = itertools.count(1)
            self._task_ids = itertools.count(270_000_001)
            self._product_ids = itertools.count(741_800_001)
            self._order_ids = itertools.count(286_000_001)
            self._package_ids = itertools.count(3_410_000_001)
            self._line_ids = itertools.count(5_120_000_001)
            self._claim_ids = itertools.count(9_100_001)
            self._return_ids = itertools.count(7_200_001)
            self._order_numbers = itertools.count(2_026_000_000_001)
            self._seed_questions()

    def _seed_questions(self) -> None:
        for i, (subj, q) in enumerate([
                ("Ürün Hakkında", "Bu ürünün garantisi var mı?"),
                ("Kargo", "Bugün sipariş versem ne zaman kargoya verilir?"),
                ("Beden", "M beden 1.75 boy için uygun mu?")]):
            qid = 600_000_001 + i
            self.questions[qid] = dict(id=qid, productId=741_700_001 + i,
                                       productTitle=_PRODUCT_WORDS[i], questionSubject=subj,
                                       question=q, answer="", fullName="Ayşe Y.",
                                       email="a***@example.com", productStatus="Active",
                                       status="OPEN", questionDate=fmt_ms(now_ms(), "%Y-%m-%d"),
                                       answeredDate=None)

    def log_request(self, method: str, path: str, body_size: int) -> None:
        with self.lock:
            self.requests_log.append({"method": method, "path": path, "body_size": body_size,
                                      "time": time.time()})
            if len(self.requests_log) > 20000:
                del self.requests_log[:10000]

    def tick(self) -> None:
        """Apply every time-driven transition that is due."""
        with self.lock:
            mono = time.monotonic()
            for task in self.tasks.values():
                if task["status"] == "IN_QUEUE" and mono >= task["due"]:
                    self._process_task(task)
            for p in self.products.values():
                if p["status"] == "InCatalogApproval" and p.get("_approve_at") is not None \
                        and mono >= p["_approve_at"]:
                    self._finish_approval(p)

    def summary(self) -> dict:
        with self.lock:
            self.tick()
            by_status: dict[str, int] = {}
            for pk in self.packages.values():
                by_status[pk["shipmentPackageStatus"]] = by_status.get(pk["shipmentPackageStatus"], 0) + 1
            return {"products": len(self.products), "tasks": len(self.tasks),
                    "tasksInQueue": sum(1 for t in self.tasks.values() if t["status"] == "IN_QUEUE"),
                    "orders": len(self.orders), "packages": len(self.packages),
                    "packagesByStatus": by_status, "claims": len(self.claims),
                    "returns": len(self.returns), "requests": len(self.requests_log),
                    "faultRate": self.fault_rate, "faultKinds": list(self.fault_kinds)}

    # ------------------------------------------------------------------ faults

    def set_faults(self, rate: float | None = None, kinds: list[str] | None = None,
                   timeout_s: float | None = None, latency_ms: int | None = None,
                   question_interval_s: float | None = None,
                   alt_auth_failures: bool | None = None) -> None:
        """Fault injection settings. ``question_interval_s`` turns on production's
        once-a-minute limit of GetProductQuestionList (off by default).
        ``alt_auth_failures`` switches wrong credentials on ``/rest`` and SOAP to the other
        shape measured on production (HTTP 403 text/plain "Authentication failed"; API.md §1, §5
        list both, conflicting)."""
        with self.lock:
            if alt_auth_failures is not None:
                self.alt_auth_failures = bool(alt_auth_failures)
            if question_interval_s is not None:
                self.question_list_min_interval_s = max(0.0, float(question_interval_s))
            if rate is not None:
                if not 0.0 <= float(rate) <= 1.0:
                    raise ValueError("fault rate must be between 0 and 1")
                self.fault_rate = float(rate)
            if kinds is not None:
                bad = [k for k in kinds if k not in ALL_FAULT_KINDS]
                if bad:
                    raise ValueError(f"unknown fault kinds {bad}; known: {list(ALL_FAULT_KINDS)}")
                self.fault_kinds = list(kinds) or list(FAULT_KINDS)
            if timeout_s is not None:
                self.fault_timeout_s = max(0.0, min(float(timeout_s), 60.0))
            if latency_ms is not None:
                self.fault_latency_ms = max(0, int(latency_ms))

    def add_targeted_fault(self, path: str, query: str = "", count: int = 1, kind: str = "http_500") -> dict:
        """Fail the next ``count`` requests whose path contains ``path`` and query contains ``query``
        (e.g. an N11 error on page 37 of product-query: path "/ms/product-query", query "page=36&")."""
        if kind not in ALL_FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {list(ALL_FAULT_KINDS)}")
        with self.lock:
            self.targeted_faults.append({"path": path, "query": query, "left": max(1, count), "kind": kind})
            return {"targeted": len(self.targeted_faults)}

    def targeted_fault(self, path: str, query: str) -> str | None:
        with self.lock:
            for rule in self.targeted_faults:
                if rule["path"] in path and rule["query"] in (query + "&"):
                    rule["left"] -= 1
                    if rule["left"] <= 0:
                        self.targeted_faults.remove(rule)
                    return rule["kind"]
            return None

    def pick_fault(self) -> str | None:
        with self.lock:
            if self.fault_rate <= 0 or not self.fault_kinds:
                return None
            if self.fault_rng.random() >= self.fault_rate:
                return None
            return self.fault_rng.choice(self.fault_kinds)

    # ------------------------------------------------------------------ products / tasks

    def _new_task(self, ttype: str, skus: list, status: str, reasons: list[str]) -> dict:
        tid = next(self._task_ids)
        task = {"id": tid, "type": ttype, "status": status, "reasons": reasons,
                "skus_in": skus, "results": [], "createdDate": now_ms(),
                "due": time.monotonic() + self.task_delay_ms / 1000.0}
        self.tasks[tid] = task
        return task

    def submit_task(self, kind: str, payload) -> dict:
        """kind: product-create|product-update|product-delete|price-stock-update. → ack"""
        ttype = {"product-create": "PRODUCT_CREATE", "product-update": "PRODUCT_UPDATE",
                 "product-delete": "PRODUCT_DELETE", "price-stock-update": "SKU_UPDATE"}[kind]
        with self.lock:
            self.tick()
            reasons: list[str] = []
            skus = None
            if not isinstance(payload, dict):
                reasons.append("payload alanı boş olamaz.")
            else:
                integrator = payload.get("integrator")
                skus = payload.get("skus")
                if not isinstance(integrator, str) or not integrator.strip():
                    reasons.append("integrator alanı boş olamaz.")
                if not isinstance(skus, list) or not skus:
                    reasons.append("skus alanı boş olamaz.")
                    skus = None
                elif len(skus) > MAX_SKUS_PER_TASK:
                    reasons.append(f"Bir istekte en fazla {MAX_SKUS_PER_TASK} sku gönderilebilir. "
                                   f"Gönderilen: {len(skus)}")
                elif not all(isinstance(s, dict) for s in skus):
                    reasons.append("skus listesi geçersiz.")
                elif kind == "product-update":
                    # title/categoryId are create-only: sent in an update, the task is REJECTed
                    # (34Pazar notes citing N11 doc v9.0 §3.6). attributes is not in the
                    # documented update list either; the sandbox takes the strict reading.
                    extra = sorted({k for s in skus for k in s} & UPDATE_FORBIDDEN)
                    if extra:
                        reasons.append(f"Ürün güncellemede gönderilemeyen alan(lar): {', '.join(extra)}. "
                                       "Bu alanlar yalnızca ürün oluşturmada (product-create) kullanılır.")
            if reasons:
                task = self._new_task(ttype, skus or [], "REJECT", reasons)
            else:
                task = self._new_task(ttype, _copy_tree(skus), "IN_QUEUE",
                                      [f"{len(skus)} sku işlenmeye alındı."])
                task["kind"] = kind
                if self.task_delay_ms <= 0:
                    self._process_task(task)
            return {"id": task["id"], "type": ttype,
                    "status": "REJECT" if task["status"] == "REJECT" else "IN_QUEUE",
                    "reasons": list(task["reasons"])}

    def process_tasks_now(self) -> int:
        with self.lock:
            n = 0
            for task in self.tasks.values():
                if task["status"] == "IN_QUEUE":
                    self._process_task(task)
                    n += 1
            return n

    def approve_products_now(self) -> int:
        with self.lock:
            n = 0
            for p in self.products.values():
                if p["status"] == "InCatalogApproval":
                    self._finish_approval(p)
                    n += 1
            return n

    def _process_task(self, task: dict) -> None:
        kind = task.get("kind")
        handler = {"product-create": self._do_create, "product-update": self._do_update,
                   "product-delete": self._do_delete,
                   "price-stock-update": self._do_price_stock}[kind]
        seen: set[str] = set()
        results = []
        for sku in task["skus_in"]:
            code = sku.get("stockCode")
            code = str(code) if code is not None else ""
            sku_view = {"salePrice": sku.get("salePrice"), "listPrice": sku.get("listPrice"),
                        "stock": sku.get("quantity")}
            if code and code in seen:
                reasons = [f"Aynı stok kodu ({code}) istek içinde birden fazla kez gönderilmiştir."]
            else:
                seen.add(code)
                try:
                    reasons = handler(sku)
                except (TypeError, ValueError, AttributeError, KeyError, ArithmeticError) as exc:
                    # Odd value types must fail this SKU, never the whole sandbox.
                    reasons = [f"Sku verisi geçersiz: {type(exc).__name__}"]
            if kind == "price-stock-update":
                # N11 reports these inside the sku block (TradeXpress client; API.md §9)
                sku_view["reasons"] = reasons
                reasons = []
            results.append({"itemCode": code, "status": "FAIL" if sku_view.get("reasons") or reasons
                            else "SUCCESS", "sku": sku_view, "reasons": reasons})
        task["results"] = results
        task["status"] = "PROCESSED"
        task["processedDate"] = now_ms()

    # validation helpers -------------------------------------------------------

    @staticmethod
    def _price_errors(sku: dict, required: bool) -> list[str]:
        errs = []
        lp, sp = sku.get("listPrice"), sku.get("salePrice")
        if lp is None and sp is None:
            if required:
                errs.append("listPrice alanı boş olamaz.")
                errs.append("salePrice alanı boş olamaz.")
            return errs
        if (lp is None) != (sp is None):
            errs.append("listPrice ve salePrice birlikte gönderilmelidir.")
            return errs
        dl, ds = dec(lp), dec(sp)
        if dl is None or ds is None or isinstance(lp, bool) or isinstance(sp, bool):
            errs.append("Fiyat alanları sayısal olmalıdır (ondalık ayırıcı nokta).")
            return errs
        for name, d in (("listPrice", dl), ("salePrice", ds)):
            if d <= 0:
                errs.append(f"{name} 0'dan büyük olmalıdır.")
            elif d > MAX_PRICE:
                errs.append(f"{name} fiyat üst sınırını ({MAX_PRICE} TL) aşamaz.")
            if d.as_tuple().exponent < -2:
                errs.append(f"{name} en fazla 2 ondalık basamak içerebilir.")
        if dl < ds:
            errs.append("listPrice salePrice dan küçük olamaz")
        return errs

    @staticmethod
    def _quantity_errors(q, required: bool) -> list[str]:
        if q is None:
            return ["quantity alanı boş olamaz."] if required else []
        if isinstance(q, bool) or not isinstance(q, int):
            return ["quantity alanı tam sayı olmalıdır."]
        if q < 0:
            return ["quantity alanı negatif olamaz."]
        if q > 999999:
            return ["quantity alanı 999999 değerinden büyük olamaz."]
        return []

    @staticmethod
    def _vat_errors(v) -> list[str]:
        if v is None or v == "":
            return ["vatRate alanı boş olamaz"]
        if isinstance(v, bool) or dec(v) is None or dec(v) not in VAT_RATES:
            return ["vatRate alanı geçersizdir. Geçerli değerler: 0, 1, 10, 20"]
        return []

    def _template_names(self) -> set[str]:
        return {t["templateName"] for t in self.templates}

    def _attribute_errors(self, cid: int, attrs) -> tuple[list[str], list[dict]]:
        cat_attrs = data.category_attributes(cid, self.seed) or []
        by_id = {a["id"]: a for a in cat_attrs}
        errs: list[str] = []
        resolved: list[dict] = []
        present: set[int] = set()
        if attrs is None:
            attrs = []
        if not isinstance(attrs, list):
            return ["attributes alanı liste olmalıdır."], []
        for a in attrs:
            if not isinstance(a, dict):
                errs.append("attributes listesi geçersiz.")
                continue
            aid = a.get("id")
            try:
                aid = int(aid)
            except (TypeError, ValueError):
                errs.append("Özellik id alanı boş olamaz.")
                continue
            meta = by_id.get(aid)
            if meta is None:
                errs.append(f"{aid} id'li özellik {cid} kategorisinde bulunmamaktadır.")
                continue
            vid, custom = a.get("valueId"), a.get("customValue")
            if vid not in (None, ""):
                try:
                    vid = int(vid)
                except (TypeError, ValueError):
                    vid = -1
                match = [v for v in meta["values"] if v["id"] == vid]
                if not match:
                    errs.append(f"{vid} id'li değer {meta['name']} özelliği için bu kategoride "
                                "geçerli değildir.")
                    continue
                value = match[0]["name"]
            elif custom not in (None, ""):
                if not meta["customValue"]:
                    errs.append(f"{meta['name']} özelliği için özel değer girilemez, valueId "
                                "gönderilmelidir.")
                    continue
                value = str(custom)
            else:
                errs.append(f"{meta['name']} özelliği için valueId veya customValue girilmelidir.")
                continue
            present.add(aid)
            resolved.append({"attributeId": aid, "attributeName": meta["name"],
                             "attributeValue": value})
        for meta in cat_attrs:
            if meta["mandatory"] and meta["id"] not in present:
                if meta["id"] == data.BRAND_ATTRIBUTE_ID:
                    errs.append("Marka bilgisi girilmelidir.")
                else:
                    errs.append(f"{meta['name']} özelliği zorunludur.")
        return errs, resolved

    # task handlers (return reasons; empty = SUCCESS) --------------------------

    def _do_create(self, sku: dict) -> list[str]:
        errs: list[str] = []
        code = sku.get("stockCode")
        if not isinstance(code, str) or not code.strip():
            return ["stockCode alanı boş olamaz."]
        if len(code) > 255:
            errs.append("stockCode en fazla 255 karakter olabilir.")
        title = sku.get("title")
        if not isinstance(title, str) or len(title.strip()) < 15:
            errs.append("Ürün başlığı (title) en az 15 karakter olmalıdır.")
        elif len(title) > 200:
            errs.append("Ürün başlığı (title) en fazla 200 karakter olabilir.")
        else:
            words = set(re.findall(r"\w+", title.casefold()))
            banned = [w for w in BANNED_WORDS if w in words]
            if banned:
                errs.append(f"Ürün başlığında yasaklı kelime kullanılamaz: {', '.join(banned)}")
        main_id = sku.get("productMainId")
        if not isinstance(main_id, str) or not main_id.strip():
            errs.append("productMainId alanı boş olamaz.")
        cid = sku.get("categoryId")
        try:
            cid = int(cid)
        except (TypeError, ValueError):
            cid = None
        cat = data.categories().get(cid) if cid is not None else None
        resolved: list[dict] = []
        if cat is None:
            errs.append(f"Kategori bulunamadı (categoryId: {sku.get('categoryId')}).")
        elif not cat.leaf:
            errs.append(f"{cid} en alt seviye kategori değildir. Ürünler yalnızca en alt "
                        "seviye kategorilere eklenebilir.")
        else:
            aerrs, resolved = self._attribute_errors(cid, sku.get("attributes"))
            errs += aerrs
        errs += self._price_errors(sku, required=True)
        errs += self._quantity_errors(sku.get("quantity"), required=True)
        errs += self._vat_errors(sku.get("vatRate"))
        cur = sku.get("currencyType", "TL")
        if cur not in ("TL", "USD", "EUR"):
            errs.append("currencyType alanı geçersizdir (TL, USD, EUR).")
        if sku.get("shipmentTemplate") not in self._template_names():
            errs.append("shipmentTemplate alanı geçersizdir")
        images = sku.get("images")
        if not isinstance(images, list) or not images:
            errs.append("En az bir ürün görseli (images) girilmelidir.")
        else:
            for img in images:
                url = img.get("url") if isinstance(img, dict) else None
                if not isinstance(url, str) or not url.startswith("https://"):
                    errs.append(f"Görsel adresi https ile başlamalıdır: {url}")
        desc = sku.get("description")
        if desc is None or (isinstance(desc, str) and not desc.strip()):
            errs.append("description alanı boş olamaz.")
        for key, types in (("description", str), ("barcode", str), ("catalogId", int),
                           ("maxPurchaseQuantity", int)):
            v = sku.get(key)
            if v is not None and (isinstance(v, bool) or not isinstance(v, types)):
                errs.append(f"{key} alanı geçersizdir.")
        pday = sku.get("preparingDay")
        if pday is not None and (isinstance(pday, bool) or not isinstance(pday, int) or pday < 0):
            errs.append("preparingDay alanı geçersizdir.")
        existing = self.products.get(code)
        if existing is not None and existing["status"] == "CatalogRejected" \
                and existing["productMainId"] == main_id:
            existing = None  # a rejected product may be sent again (resubmission)
        if existing is not None:
            if existing["productMainId"] != main_id:
                errs.append(f"Stok kodu ({code}) başka bir ürün (productMainId: "
                            f"{existing['productMainId']}) tarafından kullanılmaktadır.")
            else:
                errs.append(f"Bu stok kodu ({code}) ile daha önce ürün oluşturulmuştur.")
        if errs:
            return errs
        pid = next(self._product_ids)
        rejected = REJECT_TRIGGER in (title or "") or REJECT_TRIGGER in str(sku.get("description") or "")
        self.products[code] = {
            "n11ProductId": pid, "sellerId": SELLER_ID, "sellerNickname": "sandboxmagaza",
            "stockCode": code, "title": title, "description": sku.get("description") or "",
            "categoryId": cid, "productMainId": main_id, "status": "InCatalogApproval",
            "saleStatus": "Before_Sale", "preparingDay": pday if pday is not None else 3,
            "shipmentTemplate": sku.get("shipmentTemplate"),
            "maxPurchaseQuantity": sku.get("maxPurchaseQuantity"),
            "customTextOptions": [], "catalogId": sku.get("catalogId"),
            "barcode": sku.get("barcode"), "groupId": None, "currencyType": cur,
            "salePrice": money(dec(sku["salePrice"])), "listPrice": money(dec(sku["listPrice"])),
            "quantity": sku["quantity"], "rejectInfo": None, "attributes": resolved,
            "imageUrls": [i["url"] for i in sorted(images, key=lambda i: i.get("order") or 0)],
            "vatRate": int(dec(sku["vatRate"])), "commissionRate": 15, "sender": "SELLER",
            "version": 1, "_reject": rejected,
            "_approve_at": time.monotonic() + self.approval_delay_ms / 1000.0,
            "_created": now_ms(), "_updated": now_ms(),
        }
        if self.approval_delay_ms <= 0:
            self._finish_approval(self.products[code])
        return []

    def _finish_approval(self, p: dict) -> None:
        if p["_reject"]:
            p["status"] = "CatalogRejected"
            p["saleStatus"] = "Sale_Closed"
            p["rejectInfo"] = ("Ürününüz katalog onay sürecinde reddedilmiştir: ürün bilgileri "
                               "n11 yayın kurallarına uygun değildir.")
        else:
            p["status"] = "Active"
            p["saleStatus"] = "On_Sale" if p["quantity"] > 0 else "Out_Of_Stock"
        p["_approve_at"] = None
        p["_updated"] = now_ms()

    def _do_update(self, sku: dict) -> list[str]:
        code = sku.get("stockCode")
        p = self.products.get(code) if isinstance(code, str) else None
        if p is None:
            return [f"Ürün bulunamadı (stockCode: {code})."]
        if p["status"] not in ("Active", "Suspended"):
            return [f"Ürün {p['status']} durumunda. Yalnızca Active veya Suspended durumundaki "
                    "ürünler güncellenebilir."]
        errs = self._vat_errors(sku.get("vatRate"))
        st = sku.get("status")
        if st is not None and st not in ("Active", "Suspended"):
            errs.append("status alanı geçersizdir (Active, Suspended).")
        if "shipmentTemplate" in sku and sku["shipmentTemplate"] not in self._template_names():
            errs.append("shipmentTemplate alanı geçersizdir")
        if "currencyType" in sku and sku["currencyType"] not in ("TL", "USD", "EUR"):
            errs.append("currencyType alanı geçersizdir (TL, USD, EUR).")
        for k, types in (("preparingDay", int), ("shipmentTemplate", str), ("description", str),
                         ("maxPurchaseQuantity", int), ("productMainId", str)):
            v = sku.get(k)
            if v is not None and (isinstance(v, bool) or not isinstance(v, types)):
                errs.append(f"{k} alanı geçersizdir.")
        if errs:
            return errs
        p["vatRate"] = int(dec(sku["vatRate"]))
        if st is not None:
            p["status"] = st
            p["saleStatus"] = "Sale_Closed" if st == "Suspended" else (
                "On_Sale" if p["quantity"] > 0 else "Out_Of_Stock")
        for k in ("preparingDay", "shipmentTemplate", "description", "currencyType"):
            if k in sku and sku[k] is not None:
                p[k] = sku[k]
        # N11 applies productMainId / maxPurchaseQuantity only with their delete* flag set to
        # true; without it the SKU still answers SUCCESS and nothing changes (API.md §9, TX)
        if sku.get("deleteProductMainId") is True and sku.get("productMainId") is not None:
            p["productMainId"] = sku["productMainId"]
        if sku.get("deleteMaxPurchaseQuantity") is True:
            p["maxPurchaseQuantity"] = sku.get("maxPurchaseQuantity")
        p["version"] += 1
        p["_updated"] = now_ms()
        return []

    def _do_delete(self, sku: dict) -> list[str]:
        code = sku.get("stockCode")
        if not isinstance(code, str) or code not in self.products:
            return [f"Ürün bulunamadı (stockCode: {code})."]
        del self.products[code]
        return []

    def _do_price_stock(self, sku: dict) -> list[str]:
        code = sku.get("stockCode")
        p = self.products.get(code) if isinstance(code, str) else None
        if p is None:
            return [f"Ürün bulunamadı (stockCode: {code})."]
        errs = self._price_errors(sku, required=False)
        errs += self._quantity_errors(sku.get("quantity"), required=False)
        if sku.get("quantity") is None and sku.get("listPrice") is None and sku.get("salePrice") is None:
            errs.append("Güncellenecek fiyat veya stok bilgisi gönderilmelidir.")
        if "currencyType" in sku and sku["currencyType"] not in ("TL", "USD", "EUR"):
            errs.append("currencyType alanı geçersizdir (TL, USD, EUR).")
        if errs:
            return errs
        if sku.get("listPrice") is not None:
            p["listPrice"] = money(dec(sku["listPrice"]))
            p["salePrice"] = money(dec(sku["salePrice"]))
        if sku.get("quantity") is not None:
            p["quantity"] = sku["quantity"]
            if p["status"] == "Active":
                p["saleStatus"] = "On_Sale" if p["quantity"] > 0 else "Out_Of_Stock"
        if sku.get("currencyType"):
            p["currencyType"] = sku["currencyType"]
        p["version"] += 1
        p["_updated"] = now_ms()
        return []

    def task_details(self, task_id, page: int = 0, size: int = 1000) -> dict | None:
        with self.lock:
            self.tick()
            task = self.tasks.get(task_id)
            if task is None:
                return None
            rows = task["results"] if task["status"] == "PROCESSED" else []
            size = max(1, size)
            chunk = rows[page * size:(page + 1) * size]
            total_pages = (len(rows) + size - 1) // size
            return {"taskId": task["id"], "createdDate": fmt_ms(task["createdDate"], "%d-%m-%Y %H:%M:%S"),
                    "modifiedDate": fmt_ms(task.get("processedDate", task["createdDate"]),
                                           "%d-%m-%Y %H:%M:%S"),
                    "status": task["status"], "reasons": list(task["reasons"]),
                    "skus": {"content": _copy_tree(chunk),
                             "pageable": {"pageNumber": page, "pageSize": size},
                             "totalElements": len(rows), "totalPages": total_pages,
                             "number": page, "size": size, "numberOfElements": len(chunk),
                             "first": page == 0, "last": page >= total_pages - 1,
                             "empty": not chunk}}

    def product_row(self, p: dict) -> dict:
        row = {k: v for k, v in p.items() if not k.startswith("_") and k != "version"}
        if row.get("rejectInfo") is None:
            del row["rejectInfo"]  # N11 omits it unless the product was rejected (lonca)
        row["salePrice"] = num(p["salePrice"])
        row["listPrice"] = num(p["listPrice"])
        row["attributes"] = copy.deepcopy(p["attributes"])
        row["imageUrls"] = list(p["imageUrls"])
        return row

    def add_product(self, **fields) -> dict:
        """Put an Active remote product straight into the catalog (test/demo helper)."""
        with self.lock:
            code = fields["stockCode"]
            pid = next(self._product_ids)
            leaf = fields.get("categoryId") or data.leaf_ids()[0]
            p = {"n11ProductId": pid, "sellerId": SELLER_ID, "sellerNickname": "sandboxmagaza",
                 "stockCode": code, "title": fields.get("title", f"Sandbox Ürünü {code} Test"),
                 "description": fields.get("description", ""), "categoryId": leaf,
                 "productMainId": fields.get("productMainId", code), "status": fields.get("status", "Active"),
                 "saleStatus": "On_Sale", "preparingDay": 3, "shipmentTemplate": "Standart",
                 "maxPurchaseQuantity": None, "customTextOptions": [], "catalogId": None,
                 "barcode": fields.get("barcode"), "groupId": None, "currencyType": "TL",
                 "salePrice": money(Decimal(str(fields.get("salePrice", "100")))),
                 "listPrice": money(Decimal(str(fields.get("listPrice", fields.get("salePrice", "100"))))),
                 "quantity": int(fields.get("quantity", 10)), "rejectInfo": None,
                 "attributes": fields.get("attributes", []),
                 "imageUrls": fields.get("imageUrls", ["https://cdn.example.com/p/1.jpg"]),
                 "vatRate": int(fields.get("vatRate", 20)), "commissionRate": 15,
                 "sender": "SELLER", "version": 1, "_reject": False, "_approve_at": None,
                 "_created": now_ms(), "_updated": now_ms()}
            if p["quantity"] == 0:
                p["saleStatus"] = "Out_Of_Stock"
            self.products[code] = p
            return self.product_row(p)

    def edit_product(self, code: str, **fields) -> dict:
        """Change a product on N11's side (as N11 or the seller's panel would): salePrice,
        listPrice, quantity, status, saleStatus. Test/demo helper of the control API."""
        allowed = {"salePrice", "listPrice", "quantity", "status", "saleStatus"}
        bad = sorted(set(fields) - allowed)
        if bad:
            raise ValueError(f"cannot edit {bad}; allowed: {sorted(allowed)}")
        with self.lock:
            p = self.products.get(code)
            if p is None:
                raise KeyError(f"no product with stockCode {code}")
            if "salePrice" in fields:
                p["salePrice"] = money(Decimal(str(fields["salePrice"])))
            if "listPrice" in fields:
                p["listPrice"] = money(Decimal(str(fields["listPrice"])))
            if "quantity" in fields:
                p["quantity"] = int(fields["quantity"])
                if p["status"] == "Active" and "saleStatus" not in fields:
                    p["saleStatus"] = "On_Sale" if p["quantity"] > 0 else "Out_Of_Stock"
            if "status" in fields:
                p["status"] = str(fields["status"])
            if "saleStatus" in fields:
                p["saleStatus"] = str(fields["saleStatus"])
            p["version"] += 1
            p["_updated"] = now_ms()
            return self.product_row(p)

    def remove_product(self, code: str) -> dict:
        with self.lock:
            if self.products.pop(code, None) is None:
                raise KeyError(f"no product with stockCode {code}")
            return {"removed": code}

    def product_rows(self) -> list[dict]:
        """Every product as product-query shows it (no paging; the control API's ground truth)."""
        with self.lock:
            self.tick()
            return [{"stockCode": p["stockCode"], "status": p["status"], "saleStatus": p["saleStatus"],
                     "salePrice": num(p["salePrice"]), "listPrice": num(p["listPrice"]),
                     "quantity": p["quantity"]} for p in self.products.values()]

    # ------------------------------------------------------------------ orders

    def _rand_person(self, rng: random.Random) -> dict:
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        return {"fullName": f"{first} {last}",
                "email": f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@example.com"
                .translate(str.maketrans("çğıöşüİ", "cgiosui")),
                "gsm": f"05{rng.randint(30, 59)}{rng.randint(1000000, 9999999)}",
                "tcId": str(rng.randint(10_000_000_000, 99_999_999_999)),
                "customerId": rng.randint(10_000_000, 99_999_999)}

    def _rand_address(self, rng: random.Random, person: dict, plate: int | None = None) -> dict:
        provs = data.provinces()
        prov = data.province_by_plate(plate) if plate else None
        if prov is None:
            weights = [12 if p.plate in (34, 6, 35) else 1 for p in provs]
            prov = rng.choices(provs, weights=weights)[0]
        did, dname = rng.choice(prov.districts)
        nbs = data.neighbourhoods(did) or []
        nb, postal = ("Merkez Mah", f"{prov.plate:02d}000")
        if nbs:
            _, nb, postal = rng.choice(nbs)
        return {"address": f"{nb} {rng.choice(_STREETS)} No:{rng.randint(1, 120)} "
                           f"D:{rng.randint(1, 20)}",
                "city": prov.name, "district": dname, "neighborhood": nb,
                "fullName": person["fullName"], "gsm": person["gsm"], "tcId": person["tcId"],
                "postalCode": postal}

    def create_order(self, lines: list[dict] | None = None, *, status: str = "Created",
                     plate: int | None = None, shipment_company_id: int | None = None,
                     created_ms: int | None = None, n_lines: int | None = None,
                     customer_name: str | None = None, sender: str = "SELLER",
                     location_delivery: bool = False, delivery_address_type: str | None = None,
                     micro: bool | None = None) -> list[dict]:
        """Create one order as one shipment package; return the package(s) (REST shape).

        ``sender="N11"`` makes an n11depom (fulfilled by N11) package, listed only with
        ``sender=N11|ALL``. ``delivery_address_type`` ``KTN``/``EASYPOINT``/``PUP`` makes a
        pick-up-point package: its ``shippingAddress`` is the pick-up point and the buyer's
        address is in ``billingAddress``; ``None`` (default) is home delivery, where N11 sends no
        ``deliveryAddressType`` at all (lonca, API.md §9). ``micro=True`` makes a micro-export
        order (its invoice link needs invoiceNumber and invoiceDateTime); N11 sends ``micro:
        null`` for ordinary orders. ``location_delivery=True`` makes a "Konuma Özel Teslimat" package,
        whose REST ``id`` is null (production quirk; the sandbox keeps an internal id,
        ``sandboxPackageId`` in control API answers).

        ``lines``: ``[{stockCode, quantity?, price?, productName?, sellerDiscount?,
        mallDiscount?}]``; default: 1–3 lines from the remote products (random SKUs if
        there are none).
        """
        if status not in REST_PACKAGE_STATUSES:
            raise ValueError(f"unknown package status {status!r}; known: {REST_PACKAGE_STATUSES}")
        if delivery_address_type is not None and delivery_address_type not in PICKUP_TYPES:
            raise ValueError(f"unknown deliveryAddressType {delivery_address_type!r}; known: "
                             f"{list(PICKUP_TYPES)} (or none for home delivery)")
        for i, spec in enumerate(lines or []):
            if not isinstance(spec, dict) or not spec.get("stockCode"):
                raise ValueError(f"order line {i + 1}: a stockCode is required")
            if spec.get("quantity") is not None and (not str(spec["quantity"]).isdigit()
                                                     or int(spec["quantity"]) < 1):
                raise ValueError(f"order line {i + 1}: quantity must be a positive integer")
            if spec.get("price") is not None and (dec(spec["price"]) is None or dec(spec["price"]) <= 0):
                raise ValueError(f"order line {i + 1}: price must be a positive number")
        with self.lock:
            self.tick()
            rng = self.rng
            created = created_ms if created_ms is not None else now_ms()
            person = self._rand_person(rng)
            if customer_name:
                person["fullName"] = customer_name
            ship = self._rand_address(rng, person, plate)
            companies = data.shipment_companies()
            company = data.shipment_company(shipment_company_id) if shipment_company_id else None
            if company is None:
                company = rng.choice(companies[:6])
            if not lines:
                pool = [p for p in self.products.values() if p["status"] == "Active"]
                count = n_lines or rng.randint(1, 3)
                lines = []
                for _ in range(count):
                    if pool:
                        p = rng.choice(pool)
                        lines.append({"stockCode": p["stockCode"]})
                    else:
                        lines.append({"stockCode": f"SKU-{rng.randint(10000, 99999)}",
                                      "productName": rng.choice(_PRODUCT_WORDS),
                                      "price": str(rng.choice([49.9, 89.9, 129.0, 249.99, 499.0]))})
            order_number = str(next(self._order_numbers))
            built = []
            for spec in lines:
                code = str(spec["stockCode"])
                prod = self.products.get(code)
                price = dec(spec.get("price")) or (prod["salePrice"] if prod else Decimal("99.90"))
                qty = int(spec.get("quantity") or rng.choice([1, 1, 1, 2, 3]))
                sdisc = dec(spec.get("sellerDiscount"))
                if sdisc is None:
                    sdisc = money(price * Decimal("0.05")) if rng.random() < 0.3 else Decimal("0")
                mdisc = dec(spec.get("mallDiscount"))
                if mdisc is None:
                    mdisc = money(price * Decimal("0.03")) if rng.random() < 0.2 else Decimal("0")
                if prod is not None:  # a sale takes the units out of N11's stock
                    prod["quantity"] = max(0, prod["quantity"] - qty)
                    if prod["quantity"] == 0 and prod["saleStatus"] == "On_Sale":
                        prod["saleStatus"] = "Out_Of_Stock"
                    prod["version"] += 1
                sdisc, mdisc = money(sdisc), money(mdisc)
                coupon = Decimal("0.00")
                total_seller = money(sdisc * qty + coupon)
                invoice = money(price * qty - total_seller)
                commission = Decimal(prod["commissionRate"] if prod else 15)
                due = money(invoice * (Decimal(100) - commission) / Decimal(100))
                built.append({
                    "orderLineId": next(self._line_ids), "stockCode": code,
                    "productId": prod["n11ProductId"] if prod else 741_000_000 + rng.randint(1, 99999),
                    "productName": spec.get("productName") or (prod["title"] if prod else code),
                    "barcode": (prod or {}).get("barcode"), "quantity": qty, "price": money(price),
                    "sellerDiscount": sdisc, "sellerCouponDiscount": coupon,
                    "totalSellerDiscountPrice": total_seller, "mallDiscount": mdisc,
                    "totalMallDiscountPrice": money(mdisc * qty), "dueAmount": due,
                    "sellerInvoiceAmount": invoice, "vatRate": (prod or {}).get("vatRate", 20),
                    "commissionRate": int(commission), "sellerCampaignCommissionRate": 0,
                    "orderItemLineItemStatusName": status,
                    "variantAttributes": [{"name": a["attributeName"], "value": a["attributeValue"]}
                                          for a in (prod or {}).get("attributes", [])
                                          if a["attributeId"] == data.COLOR_ATTRIBUTE_ID],
                    "deliveryFeeType": 2, "sender": sender, "productOrigin": "TR",
                    "customTextOptionValues": [],
                    "_soap": None, "_late": False, "_approvedDate": None, "_shippingDate": None,
                    "_rejectReason": None, "_version": 1, "_shipmentInfo": None})
            billing = dict(ship, taxId=None, taxHouse=None, invoiceType=1)
            if delivery_address_type is not None:
                ship = _pickup_point(delivery_address_type, ship)
            order = {"id": next(self._order_ids), "orderNumber": order_number,
                     "createDate": created, "paymentType": rng.choice([1, 1, 1, 8, 10]),
                     "invoiceType": 1, "buyer": person, "shippingAddress": ship,
                     "billingAddress": billing, "packages": [], "micro": bool(micro),
                     "deliveryAddressType": delivery_address_type}
            self.orders[order_number] = order
            self._order_ids_index[order["id"]] = order_number
            pkg = self._new_package(order, built, status, company, created)
            pkg["sender"] = sender
            if location_delivery:
                pkg["_hide_id"] = True
                pkg["deliveryAddressType"] = "PUP"
            return [self.package_json(pkg)]

    def demo_pickup_type(self) -> str | None:
        """Delivery type of the next demo order: about one in five goes to a pick-up point."""
        r = self._pickup_rng.random()
        return PICKUP_TYPES[int(r * 100) % 3] if r < 0.2 else None

    def _new_package(self, order: dict, lines: list[dict], status: str, company: dict,
                     created: int | None = None, pid=None) -> dict:
        ts = created if created is not None else now_ms()
        pid = pid if pid is not None else next(self._package_ids)
        for ln in lines:
            ln["orderItemLineItemStatusName"] = status
            ln.setdefault("_ship_by", ts + 2 * 86_400_000)
        pkg = {"id": pid, "orderNumber": order["orderNumber"], "shipmentPackageStatus": status,
               "lastModifiedDate": ts, "createdDate": ts,
               "agreedDeliveryDate": ts + 2 * 86_400_000,
               "packageHistories": [{"createdDate": ts, "status": status}],
               "cargoTrackingNumber": str(self.rng.randint(10**14, 10**15 - 1)),
               "cargoSenderNumber": None, "cargoTrackingLink": None,
               "shipmentCompanyId": company["id"], "cargoProviderName": company["name"],
               "shipmentMethod": 1, "micro": True if order.get("micro") else None,
               "deliveryAddressType": order.get("deliveryAddressType"),
               "sender": lines[0].get("sender", "SELLER") if lines else "SELLER",
               "lines": lines}
        self.packages[pid] = pkg
        order["packages"].append(pid)
        for ln in lines:
            self._line_index[ln["orderLineId"]] = pid
        return pkg

    def package_json(self, pkg: dict) -> dict:
        order = self.orders[pkg["orderNumber"]]
        lines = []
        total = Decimal("0")
        disc = Decimal("0")
        for ln in pkg["lines"]:
            row = {k: (num(v) if isinstance(v, Decimal) else copy.deepcopy(v))
                   for k, v in ln.items() if not k.startswith("_")}
            lines.append(row)
            total += ln["price"] * ln["quantity"]
            disc += ln["totalSellerDiscountPrice"] + ln["totalMallDiscountPrice"]
        b = order["buyer"]
        return {"id": None if pkg.get("_hide_id") else pkg["id"], "orderNumber": pkg["orderNumber"],
                "shipmentPackageStatus": pkg["shipmentPackageStatus"],
                "lastModifiedDate": pkg["lastModifiedDate"],
                "agreedDeliveryDate": pkg["agreedDeliveryDate"],
                "totalAmount": num(money(total)), "totalDiscountAmount": num(money(disc)),
                "packageHistories": copy.deepcopy(pkg["packageHistories"]),
                "cargoTrackingNumber": pkg["cargoTrackingNumber"],
                "cargoSenderNumber": pkg["cargoSenderNumber"],
                "cargoTrackingLink": pkg["cargoTrackingLink"],
                "shipmentCompanyId": pkg["shipmentCompanyId"],
                "cargoProviderName": pkg["cargoProviderName"],
                "shipmentMethod": pkg["shipmentMethod"], "micro": pkg["micro"],
                **({"deliveryAddressType": pkg["deliveryAddressType"]}
                   if pkg.get("deliveryAddressType") else {}),
                "customerEmail": b["email"], "customerfullName": b["fullName"],
                "customerId": b["customerId"], "taxId": None, "taxOffice": None,
                "tcIdentityNumber": b["tcId"], "isReturned": False, "sellerId": SELLER_ID,
                "installmentChargeWithVATprice": 0,
                "billingAddress": dict(order["billingAddress"]),
                "shippingAddress": dict(order["shippingAddress"]), "lines": lines}

    def _set_package_status(self, pkg: dict, status: str, ts: int | None = None) -> None:
        ts = ts or now_ms()
        if ts <= pkg["lastModifiedDate"]:
            ts = pkg["lastModifiedDate"] + 1
        pkg["shipmentPackageStatus"] = status
        pkg["lastModifiedDate"] = ts
        pkg["packageHistories"].append({"createdDate": ts, "status": status})
        for ln in pkg["lines"]:
            ln["orderItemLineItemStatusName"] = status
            ln["_version"] += 1
            if status == "Picking" and not ln["_approvedDate"]:
                ln["_approvedDate"] = ts
            if status == "Shipped" and not ln["_shippingDate"]:
                ln["_shippingDate"] = ts
            if status in ("Created", "Picking", "Shipped", "Delivered", "Cancelled", "UnSupplied"):
                if ln["_soap"] in (14,):
                    ln["_soap"] = None
        if status == "Shipped" and not pkg["cargoSenderNumber"]:
            pkg["cargoSenderNumber"] = str(self.rng.randint(10**11, 10**12 - 1))
            pkg["cargoTrackingLink"] = ("https://kargotakip.example.com/?code="
                                        + pkg["cargoSenderNumber"])

    def advance_package(self, package_id: int, status: str) -> dict:
        """Move a package (and its lines) to ``status``; ``LATE_SHIPMENT`` marks it late."""
        with self.lock:
            self.tick()
            pkg = self.packages.get(int(package_id))
            if pkg is None:
                raise KeyError(f"package {package_id} not found")
            if status == "LATE_SHIPMENT":
                for ln in pkg["lines"]:
                    ln["_soap"] = 14
                pkg["lastModifiedDate"] = max(now_ms(), pkg["lastModifiedDate"] + 1)
            elif status in REST_PACKAGE_STATUSES:
                self._set_package_status(pkg, status)
            else:
                raise ValueError(f"unknown status {status!r}; known: "
                                 f"{list(REST_PACKAGE_STATUSES) + ['LATE_SHIPMENT']}")
            return self.package_json(pkg)

    def _active_line(self, line_id) -> tuple[dict, dict] | None:
        try:
            line_id = int(line_id)
        except (TypeError, ValueError):
            return None
        pkg = self.packages.get(self._line_index.get(line_id, -1))
        if pkg is not None and pkg["shipmentPackageStatus"] != "Unpacked":
            for ln in pkg["lines"]:
                if ln["orderLineId"] == line_id:
                    return pkg, ln
        for pkg in self.packages.values():
            if pkg["shipmentPackageStatus"] == "Unpacked":
                continue
            for ln in pkg["lines"]:
                if ln["orderLineId"] == line_id:
                    return pkg, ln
        return None

    def query_packages(self, *, start_ms: int | None, end_ms: int | None, page: int, size: int,
                       order_number: str | None, package_ids: list[int] | None,
                       status: str | None, by_modified: bool, descending: bool,
                       sender: str = "SELLER") -> dict:
        with self.lock:
            self.tick()
            if status is not None and status not in REST_PACKAGE_STATUSES:
                rows = []
            else:
                rows = []
                for pkg in self.packages.values():
                    if status and pkg["shipmentPackageStatus"] != status:
                        continue
                    if order_number and pkg["orderNumber"] != order_number:
                        continue
                    if package_ids and (pkg["id"] not in package_ids or pkg.get("_hide_id")):
                        continue
                    if sender != "ALL" and pkg.get("sender", "SELLER") != sender:
                        continue
                    ts = pkg["lastModifiedDate"] if by_modified else pkg["createdDate"]
                    if start_ms is not None and ts < start_ms:
                        continue
                    if end_ms is not None and ts > end_ms:
                        continue
                    rows.append((ts, pkg["id"], pkg))
            rows.sort(key=lambda r: (r[0], r[1]), reverse=descending)
            chunk = rows[page * size:(page + 1) * size]
            total_pages = (len(rows) + size - 1) // size
            return {"pageCount": len(chunk), "totalPages": total_pages, "totalElements": len(rows),
                    "page": page, "size": size,
                    "content": [self.package_json(r[2]) for r in chunk]}

    def approve_lines(self, line_ids: list, status: str) -> list[dict]:
        """REST PUT /rest/order/v1/update: Created → Picking, per-line result."""
        with self.lock:
            self.tick()
            out = []
            touched = set()
            for lid in line_ids:
                found = self._active_line(lid)
                if status != "Picking":
                    out.append({"lineId": lid, "status": "FAILED",
                                "reason": f"{status} statüsüne güncelleme desteklenmemektedir."})
                elif found is None:
                    out.append({"lineId": lid, "status": "FAILED",
                                "reason": "Sipariş kalemi bulunamadı."})
                else:
                    pkg, ln = found
                    if ln["orderItemLineItemStatusName"] == "Picking":
                        out.append({"lineId": lid, "status": "FAILED",
                                    "reason": "Sipariş kalemi zaten onaylanmış (Picking)."})
                    elif ln["orderItemLineItemStatusName"] != "Created":
                        out.append({"lineId": lid, "status": "FAILED",
                                    "reason": "Sipariş kalemi onaylanabilir durumda değil "
                                              f"({ln['orderItemLineItemStatusName']})."})
                    else:
                        touched.add(pkg["id"])
                        ln["_approve_pending"] = True
                        out.append({"lineId": lid, "status": "SUCCESS", "reason": None})
            for pid in touched:
                pkg = self.packages[pid]
                # A package moves to Picking when its lines are approved.
                self._set_package_status(pkg, "Picking")
                for ln in pkg["lines"]:
                    ln.pop("_approve_pending", None)
            return out

    def split_package(self, groups: list[list]) -> tuple[list[dict] | None, str | None]:
        with self.lock:
            self.tick()
            all_ids = [int(i) for g in groups for i in g]
            if not all_ids:
                return None, "splitGroups alanı boş olamaz."
            found = [self._active_line(i) for i in all_ids]
            if any(f is None for f in found):
                return None, "Sipariş kalemi bulunamadı."
            pkgs = {f[0]["id"] for f in found}
            if len(pkgs) != 1:
                return None, "Tüm kalemler aynı pakete ait olmalıdır."
            parent = self.packages[pkgs.pop()]
            if parent["shipmentPackageStatus"] != "Picking":
                return None, "Yalnızca Picking statüsündeki paketler bölünebilir."
            if len(set(all_ids)) != len(all_ids):
                return None, "Bir kalem birden fazla grupta gönderilemez."
            order = self.orders[parent["orderNumber"]]
            company = data.shipment_company(parent["shipmentCompanyId"]) or data.shipment_companies()[0]
            by_id = {ln["orderLineId"]: ln for ln in parent["lines"]}
            rest = [lid for lid in by_id if lid not in set(all_ids)]
            groups_full = [[int(i) for i in g] for g in groups] + ([rest] if rest else [])
            if len(groups_full) < 2:
                return None, "Paket bölmek için en az iki grup oluşmalıdır."
            new = []
            for g in groups_full:
                lines = [copy.deepcopy(by_id[i]) for i in g]
                new.append(self._new_package(order, lines, "Picking", company))
            self._set_package_status(parent, "Unpacked")
            parent["lines"] = [dict(ln, orderItemLineItemStatusName="Unpacked") for ln in parent["lines"]]
            return [self.package_json(p) for p in new], None

    def cancel_by_quantity(self, items: list[dict]) -> tuple[list[dict] | None, str | None]:
        with self.lock:
            self.tick()
            if not items:
                return None, "cancelledItems alanı boş olamaz."
            parsed = []
            for it in items:
                try:
                    lid, qty, reason = int(it["orderLineId"]), int(it["quantity"]), int(it["cancelReasonId"])
                except (KeyError, TypeError, ValueError):
                    return None, "orderLineId, quantity ve cancelReasonId alanları zorunludur."
                if reason not in CANCEL_REASONS:
                    return None, f"Geçersiz iptal nedeni: {reason}. Geçerli değerler: 61-65"
                found = self._active_line(lid)
                if found is None:
                    return None, f"Sipariş kalemi bulunamadı: {lid}"
                if qty < 1 or qty > found[1]["quantity"]:
                    return None, f"İptal adedi geçersiz: {qty} (kalem adedi {found[1]['quantity']})"
                parsed.append((found[0], found[1], qty, reason))
            pkgs = {p["id"] for p, _, _, _ in parsed}
            if len(pkgs) != 1:
                return None, "Tüm kalemler aynı pakete ait olmalıdır."
            parent = self.packages[pkgs.pop()]
            if parent["shipmentPackageStatus"] not in ("Created", "Picking"):
                return None, "Yalnızca Created veya Picking statüsündeki paketlerde iptal yapılabilir."
            order = self.orders[parent["orderNumber"]]
            company = data.shipment_company(parent["shipmentCompanyId"]) or data.shipment_companies()[0]
            cancel_qty = {ln["orderLineId"]: q for _, ln, q, _ in parsed}
            keep_lines, cancel_lines = [], []
            for ln in parent["lines"]:
                q = cancel_qty.get(ln["orderLineId"], 0)
                if q == 0:
                    keep_lines.append(copy.deepcopy(ln))
                elif q == ln["quantity"]:
                    cancel_lines.append(copy.deepcopy(ln))
                else:
                    keep_lines.append(self._split_line(ln, ln["quantity"] - q))
                    cancel_lines.append(self._split_line(ln, q))
            new = []
            if keep_lines:
                new.append(self._new_package(order, keep_lines, parent["shipmentPackageStatus"], company))
            new.append(self._new_package(order, cancel_lines, "UnSupplied", company))
            reasons = {ln["orderLineId"]: r for _, ln, _, r in parsed}
            for ln in cancel_lines:
                ln["_rejectReason"] = CANCEL_REASONS.get(reasons.get(ln["orderLineId"], 65))
            self._set_package_status(parent, "Unpacked")
            parent["lines"] = [dict(ln, orderItemLineItemStatusName="Unpacked") for ln in parent["lines"]]
            return [self.package_json(p) for p in new], None

    def collection_request(self, doc: dict) -> str | None:
        """REST collectionRequest: the carrier collects an approved package at the seller
        (Horoz HLZ, Ceva CEVA, Borusan BL only). → error text or None."""
        with self.lock:
            self.tick()
            code = doc.get("shipmentCompany")
            if code not in COLLECTION_CARRIERS:
                return "shipmentCompany alanı geçersizdir (HLZ, CEVA, BL)."
            try:
                pid, lid, boxes = int(doc["id"]), int(doc["orderLineId"]), int(doc["boxQuantity"])
                desi = dec(doc.get("desi"))
            except (KeyError, TypeError, ValueError):
                return "id, orderLineId, boxQuantity ve desi alanları zorunludur."
            if boxes < 1 or desi is None or desi <= 0 or isinstance(doc.get("desi"), bool):
                return "boxQuantity ve desi 0'dan büyük olmalıdır."
            pkg = self.packages.get(pid)
            if pkg is None or pkg.get("_hide_id"):
                return f"Paket bulunamadı: {pid}"
            if not any(ln["orderLineId"] == lid for ln in pkg["lines"]):
                return f"Sipariş kalemi pakette bulunamadı: {lid}"
            carrier = pkg["cargoProviderName"] or ""
            if COLLECTION_CARRIERS[code] not in carrier:
                return (f"Paketin kargo firması ({carrier}) toplama talebi için {code} değil; toplama "
                        "talebi yalnızca Horoz, Ceva ve Borusan için oluşturulur.")
            if pkg["shipmentPackageStatus"] != "Picking":
                return "Toplama talebi yalnızca onaylanmış (Picking) paketler için oluşturulabilir."
            self.collection_requests.append({"id": pid, "orderLineId": lid, "boxQuantity": boxes,
                                             "desi": str(desi), "shipmentCompany": code})
            return None

    def combine_lines(self, line_ids: list) -> str | None:
        """SOAP CombineItems: put the lines' packages together into one new package."""
        with self.lock:
            found = [self._active_line(i) for i in line_ids]
            if any(f is None for f in found):
                return "Sipariş kalemi bulunamadı."
            pkgs = {f[0]["id"]: f[0] for f in found}
            if len({p["orderNumber"] for p in pkgs.values()}) != 1:
                return "Yalnızca aynı siparişin kalemleri birleştirilebilir."
            if len(pkgs) == 1:
                return None  # already together
            statuses = {p["shipmentPackageStatus"] for p in pkgs.values()}
            if len(statuses) != 1 or statuses - {"Created", "Picking"}:
                return "Yalnızca aynı statüdeki (Created/Picking) paketler birleştirilebilir."
            first = next(iter(pkgs.values()))
            order = self.orders[first["orderNumber"]]
            company = data.shipment_company(first["shipmentCompanyId"]) or data.shipment_companies()[0]
            lines = [copy.deepcopy(ln) for p in pkgs.values() for ln in p["lines"]]
            self._new_package(order, lines, statuses.pop(), company)
            for p in pkgs.values():
                self._unpack(p)
            return None

    def separate_lines(self, line_ids: list) -> str | None:
        """SOAP SeparateCombinedItems: each given line leaves its package for one of its own."""
        with self.lock:
            found = [self._active_line(i) for i in line_ids]
            if any(f is None for f in found):
                return "Sipariş kalemi bulunamadı."
            by_pkg: dict[int, list[int]] = {}
            for pkg, ln in found:
                by_pkg.setdefault(pkg["id"], []).append(ln["orderLineId"])
            for pid, ids in by_pkg.items():
                pkg = self.packages[pid]
                if len(pkg["lines"]) < 2 or pkg["shipmentPackageStatus"] not in ("Created", "Picking"):
                    continue  # nothing to separate (a shipped package stays as it is)
                order = self.orders[pkg["orderNumber"]]
                company = data.shipment_company(pkg["shipmentCompanyId"]) or data.shipment_companies()[0]
                rest = [copy.deepcopy(ln) for ln in pkg["lines"] if ln["orderLineId"] not in ids]
                groups = [[copy.deepcopy(ln)] for ln in pkg["lines"] if ln["orderLineId"] in ids]
                if rest:
                    groups.append(rest)
                for g in groups:
                    self._new_package(order, g, pkg["shipmentPackageStatus"], company)
                self._unpack(pkg)
            return None

    def _unpack(self, pkg: dict) -> None:
        self._set_package_status(pkg, "Unpacked")

    def _split_line(self, ln: dict, qty: int) -> dict:
        new = copy.deepcopy(ln)
        new["orderLineId"] = next(self._line_ids)
        new["quantity"] = qty
        new["totalSellerDiscountPrice"] = money(ln["sellerDiscount"] * qty + ln["sellerCouponDiscount"])
        new["totalMallDiscountPrice"] = money(ln["mallDiscount"] * qty)
        new["sellerInvoiceAmount"] = money(ln["price"] * qty - new["totalSellerDiscountPrice"])
        new["dueAmount"] = money(new["sellerInvoiceAmount"] * (100 - ln["commissionRate"]) / Decimal(100))
        return new

    # ----- SOAP order views -----------------------------------------------------

    def soap_item_status(self, ln: dict) -> int:
        if ln["_soap"] is not None:
            return ln["_soap"]
        if ln["orderItemLineItemStatusName"] == "Created" and ln.get("_ship_by") \
                and now_ms() > ln["_ship_by"]:
            return 14  # Kargo Yapılması Gecikmiş: not shipped by the agreed date
        return REST_TO_SOAP_ITEM.get(ln["orderItemLineItemStatusName"], 2)

    def order_lines(self, order: dict) -> list[tuple[dict, dict]]:
        out = []
        for pid in order["packages"]:
            pkg = self.packages[pid]
            if pkg["shipmentPackageStatus"] == "Unpacked":
                continue
            out += [(pkg, ln) for ln in pkg["lines"]]
        return out

    def soap_order_status(self, order: dict) -> int:
        sts = [self.soap_item_status(ln) for _, ln in self.order_lines(order)]
        if not sts:
            return 1
        if all(s in (3, 4, 8) for s in sts):
            return 3
        if all(s in (7, 10) for s in sts):
            return 5
        if any(s == 2 for s in sts):
            return 1
        return 2

    def find_order_by_id(self, oid) -> dict | None:
        try:
            oid = int(oid)
        except (TypeError, ValueError):
            return None
        return self.orders.get(self._order_ids_index.get(oid, ""))

    def soap_line_op(self, line_ids: list, op: str, **kw) -> tuple[list[tuple[dict, dict]], str | None]:
        """OrderItemAccept/Reject/MakeOrderItemShipment on lines. → (lines, error)"""
        with self.lock:
            self.tick()
            found = []
            for lid in line_ids:
                f = self._active_line(lid)
                if f is None:
                    return [], f"Sipariş kalemi bulunamadı: {lid}"
                found.append(f)
            for pkg, ln in found:
                st = ln["orderItemLineItemStatusName"]
                if op == "accept" and st != "Created":
                    return [], f"Sipariş kalemi onaylanabilir durumda değil: {ln['orderLineId']}"
                if op == "reject" and st not in ("Created",):
                    return [], f"Sipariş kalemi reddedilebilir durumda değil: {ln['orderLineId']}"
                if op == "ship" and st not in ("Picking",):
                    return [], f"Sipariş kalemi kargoya verilebilir durumda değil: {ln['orderLineId']}"
            pkgs = {pkg["id"]: pkg for pkg, _ in found}
            for pkg in pkgs.values():
                if op == "accept":
                    self._set_package_status(pkg, "Picking")
                elif op == "reject":
                    self._set_package_status(pkg, "UnSupplied")
                    for ln in pkg["lines"]:
                        ln["_rejectReason"] = kw.get("reason") or "Stokta yok"
                elif op == "ship":
                    self._set_package_status(pkg, "Shipped")
            if op == "ship":
                for pkg, ln in found:
                    info = kw.get("info", {}).get(ln["orderLineId"], {})
                    ln["_shipmentInfo"] = info
                    if info.get("trackingNumber"):
                        pkg["cargoSenderNumber"] = info["trackingNumber"]
            return found, None

    # ------------------------------------------------------------------ claims / returns

    def create_claim(self, order_number: str, line_id, status: str = "REQUESTED", *,
                     kind: str = "cancel", quantity: int | None = None,
                     reason: str | None = None, reason_type: str | None = None) -> dict:
        """Create a cancel claim (``kind='cancel'``) or a return claim (``kind='return'``).
        ``reason_type``: the buyer's reason as N11 sends it (a code such as VAZGECTIM or an id such as 501)."""
        with self.lock:
            self.tick()
            order = self.orders.get(str(order_number))
            if order is None:
                raise KeyError(f"order {order_number} not found")
            match = [(p, ln) for p, ln in self.order_lines(order) if ln["orderLineId"] == int(line_id)]
            if not match:
                raise KeyError(f"line {line_id} not in order {order_number}")
            pkg, ln = match[0]
            qty = quantity or ln["quantity"]
            buyer = order["buyer"]
            common = dict(orderNumber=order["orderNumber"], requestDate=fmt_ms(now_ms(), "%d/%m/%Y"),
                          productId=ln["productId"],
                          skuId=ln["orderLineId"] if self.claim_sku_is_line else ln["productId"] + 1,
                          productName=ln["productName"], quantity=qty, unitPrice=ln["price"],
                          finalPrice=money(ln["sellerInvoiceAmount"] * qty / ln["quantity"]),
                          buyerName=buyer["fullName"], buyerEmail=buyer["email"],
                          buyerPhone=buyer["gsm"], _line=ln["orderLineId"], _ts=now_ms())
            if kind == "cancel":
                cid = next(self._claim_ids)
                claim = dict(claimCancelId=cid, status=status, executer="BUYER",
                             cancelReasonType=str(reason_type or "VAZGECTIM"),
                             cancelReasonDescription=reason or "Siparişten vazgeçtim",
                             denyReasonType=None, completedDate=None,
                             paymentDate=fmt_ms(order["createDate"], "%d/%m/%Y"),
                             shipmentCompany=pkg["cargoProviderName"], deliveryFeeType=2, **common)
                self.claims[cid] = claim
                if status == "REQUESTED":
                    ln["_soap"] = 11
                elif status == "COMPLETED":
                    self._finish_cancel_claim(claim, status)
                return self._public(claim)
            if kind == "return":
                rid = next(self._return_ids)
                ret = dict(claimReturnId=rid, status=status, executer="BUYER",
                           returnReasonType=str(reason_type or "DEFECTIVE"),
                           returnReasonDescription=reason or "Ürün hasarlı geldi",
                           shipmentMethod=1, attributesNames="", approvalRemainingTime="72 saat",
                           sender="SELLER", deniedDate=None, approvedDate=None, **common)
                self.returns[rid] = ret
                if status == "REQUESTED":
                    ln["_soap"] = 11
                elif status in ("APPROVED", "DENIED"):
                    self._finish_return(ret, status)
                return self._public(ret)
            raise ValueError("kind must be 'cancel' or 'return'")

    @staticmethod
    def _public(d: dict) -> dict:
        return {k: (num(v) if isinstance(v, Decimal) else v) for k, v in d.items()
                if not k.startswith("_")}

    def _line_by_id(self, lid) -> tuple[dict, dict] | None:
        return self._active_line(lid)

    def complete_claim(self, claim_id: int, status: str = "COMPLETED") -> dict:
        """Finish a cancel claim (COMPLETED cancels the line) or a return (APPROVED)."""
        with self.lock:
            claim = self.claims.get(int(claim_id))
            if claim is not None:
                self._finish_cancel_claim(claim, status)
                return self._public(claim)
            ret = self.returns.get(int(claim_id))
            if ret is None:
                raise KeyError(f"claim {claim_id} not found")
            self._finish_return(ret, "APPROVED" if status == "COMPLETED" else status)
            return self._public(ret)

    def _finish_cancel_claim(self, claim: dict, status: str) -> None:
        claim["status"] = status
        found = self._line_by_id(claim["_line"])
        if status == "COMPLETED":
            claim["completedDate"] = fmt_ms(now_ms(), "%d/%m/%Y")
            if found:
                pkg, ln = found
                ln["_soap"] = None
                if all(x["orderLineId"] == ln["orderLineId"] for x in pkg["lines"]):
                    self._set_package_status(pkg, "Cancelled")
                else:
                    ln["orderItemLineItemStatusName"] = "Cancelled"
                    pkg["lastModifiedDate"] = max(now_ms(), pkg["lastModifiedDate"] + 1)
        elif found:
            found[1]["_soap"] = None

    def _finish_return(self, ret: dict, status: str) -> None:
        ret["status"] = status
        found = self._line_by_id(ret["_line"])
        if status == "APPROVED":
            ret["approvedDate"] = fmt_ms(now_ms(), "%d/%m/%Y")
            if found:
                found[1]["_soap"] = 9
        elif status == "DENIED":
            ret["deniedDate"] = fmt_ms(now_ms(), "%d/%m/%Y")
            if found:
                found[1]["_soap"] = None

    # ------------------------------------------------------------------ demo generator

    def demo_tick(self) -> None:
        """One step of the demo scenario: new order, sometimes advance or claim."""
        with self.lock:
            self.create_order(delivery_address_type=self.demo_pickup_type())
            r = self.rng.random()
            created = [p for p in self.packages.values() if p["shipmentPackageStatus"] == "Created"]
            picking = [p for p in self.packages.values() if p["shipmentPackageStatus"] == "Picking"]
            shipped = [p for p in self.packages.values() if p["shipmentPackageStatus"] == "Shipped"]
            if picking and r < 0.4:
                self._set_package_status(self.rng.choice(picking), "Shipped")
            elif shipped and r < 0.7:
                self._set_package_status(self.rng.choice(shipped), "Delivered")
            elif created and r < 0.8:
                pkg = self.rng.choice(created)
                self.create_claim(pkg["orderNumber"], pkg["lines"][0]["orderLineId"])
            else:
                delivered = [p for p in self.packages.values()
                             if p["shipmentPackageStatus"] == "Delivered"
                             and not any(x["_line"] == p["lines"][0]["orderLineId"]
                                         for x in self.returns.values())]
                if delivered and r < 0.9:
                    pkg = self.rng.choice(delivered)
                    self.create_claim(pkg["orderNumber"], pkg["lines"][0]["orderLineId"],
                                      kind="return")
