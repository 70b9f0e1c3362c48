"""Orders of the sandbox: generated orders and their shipment packages (REST JSON), package
status changes, approve/split/cancel-by-quantity/combine/separate, collection requests, and
the SOAP view of orders and items."""

from __future__ import annotations

import itertools
import copy
import random
from decimal import Decimal

from .. import data
from . import clock
from .common import (
    CANCEL_REASONS, COLLECTION_CARRIERS, PICKUP_TYPES, REST_PACKAGE_STATUSES,
    CODE, SELLER_ID, STATUS, _FIRST, _LAST, _PRODUCT_WORDS, _STREETS, _pickup_point, dec, money, num,
)


class OrdersState:
    """Orders, packages and order lines (part of :class:`~.SandboxState`, under its lock).
    Owns ``orders``, ``packages``, the line and SOAP-id indexes, ``invoices`` and
    ``collection_requests``."""

    def _reset_orders(self) -> None:
        self.orders: dict[str, dict] = {}        # orderNumber -> order
        self.packages: dict[int, dict] = {}      # package id -> package
        self._line_index: dict[int, int] = {}    # orderLineId -> newest package id
        self._order_ids_index: dict[int, str] = {}  # SOAP order id -> orderNumber
        self.invoices: list[dict] = []
        self.collection_requests: list[dict] = []
        # SOAP order item ids = REST orderLineId + this; 0 by default (one id space), tests
        # set it to check the client never assumes the two are equal
        self.soap_item_id_offset = 0
        self._order_ids = itertools.count(286_000_001)
        self._package_ids = itertools.count(3_410_000_001)
        self._line_ids = itertools.count(5_120_000_001)
        self._order_numbers = itertools.count(2_026_000_000_001)

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
            created = created_ms if created_ms is not None else clock.now_ms()
            person = self._rand_person(rng)
            if customer_name:
                person["fullName"] = customer_name
            ship = self._rand_address(rng, person, plate)
            companies = data.shipment_companies()
            company = data.shipment_company(shipment_company_id) if shipment_company_id else None
            if company is None:
                company = rng.choice(companies[:6])
            if not lines:
                pool = [r[CODE] for r in self._products.rows() if r[STATUS] == "Active"]
                count = n_lines or rng.randint(1, 3)
                lines = []
                for _ in range(count):
                    if pool:
                        lines.append({"stockCode": rng.choice(pool)})
                    else:
                        lines.append({"stockCode": f"SKU-{rng.randint(10000, 99999)}",
                                      "productName": rng.choice(_PRODUCT_WORDS),
                                      "price": str(rng.choice([49.9, 89.9, 129.0, 249.99, 499.0]))})
            order_number = str(next(self._order_numbers))
            built = []
            for spec in lines:
                code = str(spec["stockCode"])
                prod = self._products.get(code)
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

    def _new_package(self, order: dict, lines: list[dict], status: str, company: dict,
                     created: int | None = None, pid=None) -> dict:
        ts = created if created is not None else clock.now_ms()
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
        ts = ts or clock.now_ms()
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
                pkg["lastModifiedDate"] = max(clock.now_ms(), pkg["lastModifiedDate"] + 1)
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
