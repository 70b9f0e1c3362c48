"""Typed results of the N11 client (frozen dataclasses; safe to pass between threads).

Conventions: money is ``Decimal`` (``None`` when N11 did not send it); identifiers that can be
long or carry leading zeros (order numbers, stock codes, city codes, campaign/tracking
numbers, tax/tc ids, postal codes) are ``str``; plain numeric ids are ``int``. Every model
built from a whole N11 record keeps it as ``raw`` (plain dict/list/str values) for the log
and for fields this module does not model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

__all__ = [
    "CategoryNode",
    "AttributeValue",
    "CategoryAttribute",
    "TaskAck",
    "TaskSkuResult",
    "TaskResult",
    "RemoteProduct",
    "Address",
    "PackageLine",
    "ShipmentPackage",
    "LineUpdateResult",
    "PackageOperationResult",
    "SoapOrderItem",
    "SoapOrder",
    "Claim",
    "ClaimReturn",
    "City",
    "District",
    "Neighborhood",
    "ShipmentCompany",
    "ShipmentTemplate",
]

_frozen = dict(frozen=True, slots=True)


# --------------------------------------------------------------------------- categories
@dataclass(**_frozen)
class CategoryNode:
    id: int
    name: str
    children: tuple["CategoryNode", ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self):
        """Yield this node and all descendants (depth first, pre-order)."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


@dataclass(**_frozen)
class AttributeValue:
    id: int
    name: str


@dataclass(**_frozen)
class CategoryAttribute:
    id: int
    name: str
    mandatory: bool
    variant: bool
    slicer: bool
    custom_value: bool
    multiple: bool
    order: int
    values: tuple[AttributeValue, ...] = ()


# --------------------------------------------------------------------------- product tasks
@dataclass(**_frozen)
class TaskAck:
    """Acknowledgement of one posted product task (one request of ≤ max_task_skus SKUs)."""

    task_id: int | None
    type: str | None
    status: str  # IN_QUEUE | REJECT (as N11 sent it)
    reasons: tuple[str, ...]
    stock_codes: tuple[str, ...]  # the SKUs this task carried (client side)

    @property
    def rejected(self) -> bool:
        return self.status.upper() == "REJECT"


@dataclass(**_frozen)
class TaskSkuResult:
    stock_code: str
    status: str  # SUCCESS | FAIL
    reasons: tuple[str, ...]
    sale_price: Decimal | None
    list_price: Decimal | None
    quantity: int | None

    @property
    def ok(self) -> bool:
        return self.status.upper() == "SUCCESS"


@dataclass(**_frozen)
class TaskResult:
    task_id: int
    status: str  # IN_QUEUE | PROCESSED | REJECT
    skus: tuple[TaskSkuResult, ...]
    reasons: tuple[str, ...] = ()

    @property
    def done(self) -> bool:
        return self.status.upper() in ("PROCESSED", "REJECT")


# --------------------------------------------------------------------------- remote products
@dataclass(**_frozen)
class RemoteProduct:
    n11_product_id: int | None
    stock_code: str
    product_main_id: str | None
    title: str | None
    status: str | None  # Active, InCatalogApproval, CatalogRejected, Suspended, ...
    sale_status: str | None  # On_Sale, Out_Of_Stock, Before_Sale, Sale_Closed
    category_id: int | None
    sale_price: Decimal | None
    list_price: Decimal | None
    quantity: int | None
    vat_rate: int | None
    reject_info: Any
    raw: dict = field(default_factory=dict, compare=False, repr=False)
    barcode: str | None = None
    currency_type: str | None = None
    shipment_template: str | None = None
    preparing_day: int | None = None


# --------------------------------------------------------------------------- packages (REST orders)
@dataclass(**_frozen)
class Address:
    address: str | None = None
    city: str | None = None
    district: str | None = None
    neighborhood: str | None = None
    full_name: str | None = None
    gsm: str | None = None
    tc_id: str | None = None
    postal_code: str | None = None
    tax_id: str | None = None
    tax_house: str | None = None


@dataclass(**_frozen)
class PackageLine:
    line_id: int
    stock_code: str | None
    product_id: int | None
    product_name: str | None
    barcode: str | None
    quantity: int
    price: Decimal | None  # unit price before discounts
    seller_discount: Decimal | None
    mall_discount: Decimal | None
    due_amount: Decimal | None
    seller_invoice_amount: Decimal | None
    vat_rate: int | None
    status: str | None  # orderItemLineItemStatusName
    total_seller_discount: Decimal | None = None
    total_mall_discount: Decimal | None = None
    commission_rate: Decimal | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(**_frozen)
class ShipmentPackage:
    id: int | None  # None for "Konuma Özel Teslimat"
    order_number: str
    status: str | None  # Created, Picking, Shipped, Cancelled, Delivered, Unpacked, UnSupplied
    last_modified: datetime | None
    created: datetime | None
    cargo_campaign_number: str | None  # REST cargoTrackingNumber (the campaign code)
    cargo_tracking_number: str | None  # REST cargoSenderNumber
    tracking_link: str | None
    shipment_company_id: int | None
    cargo_provider_name: str | None
    customer_name: str | None
    customer_email: str | None
    customer_id: int | None
    tax_id: str | None
    tax_office: str | None
    tc_id: str | None
    total_amount: Decimal | None
    total_discount_amount: Decimal | None
    billing_address: Address
    shipping_address: Address
    lines: tuple[PackageLine, ...]
    raw: dict = field(default_factory=dict, compare=False, repr=False)
    shipment_method: str | None = None
    agreed_delivery_date: datetime | None = None
    #: KTN | EASYPOINT | PUP for a pick-up-point package; None (absent on N11) for home delivery
    delivery_address_type: str | None = None
    #: micro-export order (its invoice link needs invoiceNumber and invoiceDateTime); N11 may send null
    micro: bool | None = None

    @property
    def is_pickup(self) -> bool:
        """The package goes to a pick-up point: ``shipping_address`` is the point, the buyer is
        in ``billing_address`` (lonca, API.md §9)."""
        return bool(self.delivery_address_type)

    @property
    def buyer_address(self) -> Address:
        """The customer's own address (billing address for a pick-up package)."""
        return self.billing_address if self.is_pickup else self.shipping_address

    @property
    def pickup_point(self) -> Address | None:
        """The pick-up point the package goes to, or None for home delivery."""
        return self.shipping_address if self.is_pickup else None


@dataclass(**_frozen)
class LineUpdateResult:
    line_id: int
    ok: bool
    message: str | None


@dataclass(**_frozen)
class PackageOperationResult:
    """Answer to split/combine/partial-cancel package calls."""

    ok: bool
    message: str | None
    packages: tuple[ShipmentPackage, ...] = ()
    raw: Any = field(default=None, compare=False, repr=False)


# --------------------------------------------------------------------------- SOAP orders
@dataclass(**_frozen)
class SoapOrderItem:
    id: int
    product_id: int | None
    seller_stock_code: str | None  # sellerStockCode, falling back to productSellerCode
    product_seller_code: str | None
    product_name: str | None
    status: str | None  # code as N11 sent it ("5"), kept as string
    quantity: int | None
    price: Decimal | None
    seller_discount: Decimal | None
    mall_discount: Decimal | None
    due_amount: Decimal | None
    seller_invoice_amount: Decimal | None
    campaign_number: str | None  # shipmentInfo.campaignNumber or shipmenCompanyCampaignNumber
    tracking_number: str | None
    shipment_company_id: int | None
    updated_date: str | None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(**_frozen)
class SoapOrder:
    id: int
    order_number: str
    status: str | None
    create_date: str | None  # as N11 sent it (dd/MM/yyyy HH:mm)
    total_amount: Decimal | None
    total_discount_amount: Decimal | None
    payment_type: str | None
    invoice_type: str | None
    citizenship_id: str | None
    buyer_name: str | None
    buyer_email: str | None
    buyer_id: int | None
    shipping_address: Address
    billing_address: Address
    items: tuple[SoapOrderItem, ...]
    raw: dict = field(default_factory=dict, compare=False, repr=False)


# --------------------------------------------------------------------------- claims
@dataclass(**_frozen)
class _ClaimFields:
    """What a cancellation request and a return request both carry."""

    claim_id: int
    status: str | None
    order_number: str | None
    line_id: int | None  # order item / line id when N11 sends one
    sku_id: int | None
    product_id: int | None
    product_name: str | None
    quantity: int | None
    reason_type: str | None
    reason: str | None
    request_date: str | None


@dataclass(**_frozen)
class Claim(_ClaimFields):
    """One cancellation request (ClaimCancelService)."""

    completed_date: str | None
    unit_price: Decimal | None = None
    final_price: Decimal | None = None
    executer: str | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(**_frozen)
class ClaimReturn(_ClaimFields):
    """One return request (ReturnService)."""

    approved_date: str | None
    denied_date: str | None
    unit_price: Decimal | None = None
    final_price: Decimal | None = None
    buyer_name: str | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


# --------------------------------------------------------------------------- reference data
@dataclass(**_frozen)
class City:
    code: str  # plate code, e.g. "34" (string: "01" keeps its zero)
    id: int
    name: str


@dataclass(**_frozen)
class District:
    id: int
    name: str


@dataclass(**_frozen)
class Neighborhood:
    id: int
    name: str


@dataclass(**_frozen)
class ShipmentCompany:
    id: int
    name: str
    short_name: str | None


@dataclass(**_frozen)
class ShipmentTemplate:
    name: str
    shipment_method: str | None = None
    delivery_fee_type: str | None = None
    combined_shipment_allowed: bool | None = None
    default: bool | None = None
    shipment_companies: tuple[str, ...] = ()
    raw: dict = field(default_factory=dict, compare=False, repr=False)
