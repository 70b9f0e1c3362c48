"""Remote products of the sandbox: the rules N11 applies to each SKU of a product task
(create, update, delete, price-stock; prices, VAT, attributes, banned words), catalog
approval, and the control API's direct edits."""

from __future__ import annotations

import itertools
import re
import time
from decimal import Decimal
from functools import lru_cache

from .. import data
from .common import (
    APPROVE_AT, BANNED_WORDS, MAIN_ID, MAX_PRICE, QTY, REJECT, REJECT_TRIGGER,
    SALE_STATUS, STATUS, VAT_RATES, VERSION, ProductTable, attrs_in, dec, money, num,
    DueQueue, images_in, price_of, product_json, share_str, shared_attrs,
)
from .common import (
    CURRENCY, DESC, LIST_PRICE, MAX_QTY, PREP_DAY, REJECT_INFO, SALE_PRICE, TEMPLATE, VAT,
)


@lru_cache(maxsize=4096)
def _category_attributes(cid: int, seed: int) -> tuple[list[dict], dict[int, dict]]:
    """A leaf's attributes and the same by id (built once, not for every SKU)."""
    cat_attrs = data.category_attributes(cid, seed) or []
    return cat_attrs, {a["id"]: a for a in cat_attrs}


class ProductsState:
    """Remote products (part of :class:`~.SandboxState`, under its lock). Owns ``products``
    (stock code → product row) and ``templates``."""

    def _reset_products(self) -> None:
        self._products = ProductTable()  # stockCode -> product (a row tuple; see common.py)
        self.templates = data.default_shipment_templates()
        self._product_ids = itertools.count(741_800_001)
        self._approvals = DueQueue()  # (_approve_at, stockCode) of new products
        self._parked: list[tuple] = []  # (stockCode, _approve_at) due while not InCatalogApproval

    @property
    def products(self) -> ProductTable:
        """Stock code → product, every task accepted so far processed if it is due."""
        with self.lock:
            return self._products

    def approve_products_now(self) -> int:
        with self.lock:
            n = 0
            for code in [r[1] for r in self._products.rows() if r[STATUS] == "InCatalogApproval"]:
                self._finish_approval(code)
                n += 1
            return n

    def _approve_due(self, mono: float) -> None:
        """Finish the catalog approval of every product whose time has come (``tick``): a
        product past its time while not ``InCatalogApproval`` (changed by the control API) is
        looked at again on every tick, as every product was before."""
        rows = self._products._rows
        if self._parked:
            keep = []
            for code, at in self._parked:
                r = rows.get(code)
                if r is None or r[APPROVE_AT] != at:
                    continue
                if r[STATUS] == "InCatalogApproval":
                    self._finish_approval(code)
                else:
                    keep.append((code, at))
            self._parked = keep
        for at, code in self._approvals.pop_due(mono):
            r = rows.get(code)
            if r is None or r[APPROVE_AT] != at:
                continue  # removed, re-created or approved already
            if r[STATUS] == "InCatalogApproval":
                self._finish_approval(code)
            else:
                self._parked.append((code, at))


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

    def _template_name(self, name):
        """The stored template name equal to ``name`` (one string object for them all), or None."""
        for t in self.templates:
            if t["templateName"] == name:
                return t["templateName"]
        return None

    def _attribute_errors(self, cid: int, attrs) -> tuple[list[str], list[tuple]]:
        """The SKU's attribute errors and its resolved attributes as ``(id, name, value)``."""
        cat_attrs, by_id = _category_attributes(cid, self.seed)
        errs: list[str] = []
        resolved: list[tuple] = []
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
            resolved.append((aid, meta["name"], value))
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
        resolved: list[tuple] = []
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
        existing = self._products.row(code)
        if existing is not None and existing[STATUS] == "CatalogRejected" \
                and existing[MAIN_ID] == main_id:
            existing = None  # a rejected product may be sent again (resubmission)
        if existing is not None:
            if existing[MAIN_ID] != main_id:
                errs.append(f"Stok kodu ({code}) başka bir ürün (productMainId: "
                            f"{existing[MAIN_ID]}) tarafından kullanılmaktadır.")
            else:
                errs.append(f"Bu stok kodu ({code}) ile daha önce ürün oluşturulmuştur.")
        if errs:
            return errs
        pid = next(self._product_ids)
        rejected = REJECT_TRIGGER in (title or "") or REJECT_TRIGGER in str(sku.get("description") or "")
        approve_at = time.monotonic() + self.approval_delay_ms / 1000.0
        self._products.set_row(code, (
            pid, code, title, share_str(sku.get("description") or ""), cid,
            code if main_id == code else main_id, "InCatalogApproval", "Before_Sale",
            pday if pday is not None else 3, self._template_name(sku.get("shipmentTemplate")),
            sku.get("maxPurchaseQuantity"), sku.get("catalogId"), sku.get("barcode"),
            share_str(cur), price_of(sku["salePrice"]), price_of(sku["listPrice"]),
            sku["quantity"], None, shared_attrs(tuple(resolved)),
            images_in(i["url"] for i in sorted(images, key=lambda i: i.get("order") or 0)),
            int(dec(sku["vatRate"])), "SELLER", 1, rejected, approve_at))
        if self.approval_delay_ms <= 0:
            self._finish_approval(code)
        else:
            self._approvals.push(approve_at, code)
        return []

    def _finish_approval(self, code: str) -> None:
        r = list(self._products.row(code))
        if r[REJECT]:
            r[STATUS] = "CatalogRejected"
            r[SALE_STATUS] = "Sale_Closed"
            r[REJECT_INFO] = ("Ürününüz katalog onay sürecinde reddedilmiştir: ürün bilgileri "
                              "n11 yayın kurallarına uygun değildir.")
        else:
            r[STATUS] = "Active"
            r[SALE_STATUS] = "On_Sale" if r[QTY] > 0 else "Out_Of_Stock"
        r[APPROVE_AT] = None
        self._products.set_row(code, tuple(r))

    def _do_update(self, sku: dict) -> list[str]:
        code = sku.get("stockCode")
        r = self._products.row(code) if isinstance(code, str) else None
        if r is None:
            return [f"Ürün bulunamadı (stockCode: {code})."]
        if r[STATUS] not in ("Active", "Suspended"):
            return [f"Ürün {r[STATUS]} durumunda. Yalnızca Active veya Suspended durumundaki "
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
        p = list(r)
        p[VAT] = int(dec(sku["vatRate"]))
        if st is not None:
            p[STATUS] = "Active" if st == "Active" else "Suspended"
            p[SALE_STATUS] = "Sale_Closed" if st == "Suspended" else (
                "On_Sale" if p[QTY] > 0 else "Out_Of_Stock")
        for k, i in (("preparingDay", PREP_DAY), ("shipmentTemplate", TEMPLATE),
                     ("description", DESC), ("currencyType", CURRENCY)):
            if k in sku and sku[k] is not None:
                p[i] = share_str(sku[k])
        # N11 applies productMainId / maxPurchaseQuantity only with their delete* flag set to
        # true; without it the SKU still answers SUCCESS and nothing changes (API.md §9, TX)
        if sku.get("deleteProductMainId") is True and sku.get("productMainId") is not None:
            p[MAIN_ID] = sku["productMainId"]
        if sku.get("deleteMaxPurchaseQuantity") is True:
            p[MAX_QTY] = sku.get("maxPurchaseQuantity")
        p[VERSION] += 1
        self._products.set_row(code, tuple(p))
        return []

    def _do_delete(self, sku: dict) -> list[str]:
        code = sku.get("stockCode")
        if not isinstance(code, str) or code not in self._products:
            return [f"Ürün bulunamadı (stockCode: {code})."]
        del self._products[code]
        return []

    def _do_price_stock(self, sku: dict) -> list[str]:
        code = sku.get("stockCode")
        r = self._products.row(code) if isinstance(code, str) else None
        if r is None:
            return [f"Ürün bulunamadı (stockCode: {code})."]
        errs = self._price_errors(sku, required=False)
        errs += self._quantity_errors(sku.get("quantity"), required=False)
        if sku.get("quantity") is None and sku.get("listPrice") is None and sku.get("salePrice") is None:
            errs.append("Güncellenecek fiyat veya stok bilgisi gönderilmelidir.")
        if "currencyType" in sku and sku["currencyType"] not in ("TL", "USD", "EUR"):
            errs.append("currencyType alanı geçersizdir (TL, USD, EUR).")
        if errs:
            return errs
        p = list(r)
        if sku.get("listPrice") is not None:
            p[LIST_PRICE] = price_of(sku["listPrice"])
            p[SALE_PRICE] = price_of(sku["salePrice"])
        if sku.get("quantity") is not None:
            p[QTY] = sku["quantity"]
            if p[STATUS] == "Active":
                p[SALE_STATUS] = "On_Sale" if p[QTY] > 0 else "Out_Of_Stock"
        if sku.get("currencyType"):
            p[CURRENCY] = share_str(sku["currencyType"])
        p[VERSION] += 1
        self._products.set_row(code, tuple(p))
        return []

    def product_row(self, p) -> dict:
        """A product (row tuple or view) as product-query shows it: ``rejectInfo`` only on a
        rejected product (N11 omits it otherwise; lonca)."""
        return product_json(p if type(p) is tuple else self._products.row(p["stockCode"]))

    def add_product(self, **fields) -> dict:
        """Put an Active remote product straight into the catalog (test/demo helper)."""
        with self.lock:
            code = fields["stockCode"]
            pid = next(self._product_ids)
            leaf = fields.get("categoryId") or data.leaf_ids()[0]
            quantity = int(fields.get("quantity", 10))
            self._products.set_row(code, (
                pid, code, fields.get("title", f"Sandbox Ürünü {code} Test"),
                fields.get("description", ""), leaf, fields.get("productMainId", code),
                fields.get("status", "Active"), "On_Sale" if quantity != 0 else "Out_Of_Stock",
                3, "Standart", None, None, fields.get("barcode"), "TL",
                money(Decimal(str(fields.get("salePrice", "100")))),
                money(Decimal(str(fields.get("listPrice", fields.get("salePrice", "100"))))),
                quantity, None, attrs_in(fields.get("attributes", [])),
                images_in(fields.get("imageUrls", ["https://cdn.example.com/p/1.jpg"])),
                int(fields.get("vatRate", 20)), "SELLER", 1, False, None))
            return product_json(self._products.row(code))

    def edit_product(self, code: str, **fields) -> dict:
        """Change a product on N11's side (as N11 or the seller's panel would): salePrice,
        listPrice, quantity, status, saleStatus. Test/demo helper of the control API."""
        allowed = {"salePrice", "listPrice", "quantity", "status", "saleStatus"}
        bad = sorted(set(fields) - allowed)
        if bad:
            raise ValueError(f"cannot edit {bad}; allowed: {sorted(allowed)}")
        with self.lock:
            r = self._products.row(code)
            if r is None:
                raise KeyError(f"no product with stockCode {code}")
            p = list(r)
            if "salePrice" in fields:
                p[SALE_PRICE] = money(Decimal(str(fields["salePrice"])))
            if "listPrice" in fields:
                p[LIST_PRICE] = money(Decimal(str(fields["listPrice"])))
            if "quantity" in fields:
                p[QTY] = int(fields["quantity"])
                if p[STATUS] == "Active" and "saleStatus" not in fields:
                    p[SALE_STATUS] = "On_Sale" if p[QTY] > 0 else "Out_Of_Stock"
            if "status" in fields:
                p[STATUS] = str(fields["status"])
            if "saleStatus" in fields:
                p[SALE_STATUS] = str(fields["saleStatus"])
            p[VERSION] += 1
            self._products.set_row(code, tuple(p))
            return product_json(self._products.row(code))

    def remove_product(self, code: str) -> dict:
        with self.lock:
            if self._products.pop(code, None) is None:
                raise KeyError(f"no product with stockCode {code}")
            return {"removed": code}

    def product_rows(self) -> list[dict]:
        """Every product as product-query shows it (no paging; the control API's ground truth)."""
        with self.lock:
            self.tick()
            return [{"stockCode": r[1], "status": r[STATUS], "saleStatus": r[SALE_STATUS],
                     "salePrice": num(r[SALE_PRICE]), "listPrice": num(r[LIST_PRICE]),
                     "quantity": r[QTY]} for r in self._products.rows()]
