"""SQLAlchemy 2 models for the whole data model of DESIGN §3.

ORM objects never leave ``core``: repositories convert them to frozen dataclasses
(``core.domain``) inside the session scope.

Money is ``Decimal`` in Python and stored as integer kuruş (hundredths), so SQLite
compares and sums it exactly and no float rounding can creep into a price sent to N11.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from ..clock import utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Money(TypeDecorator):
    """Decimal in Python, integer hundredths in the database (SQLite and PostgreSQL alike)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        d = value if isinstance(value, Decimal) else Decimal(str(value))
        return int((d * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


#: tables made by SQL of their own, not by the models: the log's FTS5 index and its shadow tables
#: (migration 0005); Alembic's model comparison leaves them alone
FTS_TABLE_PREFIX = "log_entry_fts"
#: the PostgreSQL counterpart: the log's pg_trgm GIN indexes (migration 0005), also SQL of their own
TRGM_INDEX_SUFFIX = "_trgm"


def include_in_autogenerate(name: str | None, type_: str, _parent_names: Any = None) -> bool:
    """Alembic ``include_name`` hook: everything except the full-text index tables and indexes."""
    if name is None:
        return True
    if type_ == "table" and name.startswith(FTS_TABLE_PREFIX):
        return False
    return not (type_ == "index" and name.startswith("ix_log_entry_") and name.endswith(TRGM_INDEX_SUFFIX))


@compiles(String, "postgresql")
def _pg_varchar(type_: String, compiler: Any, **kw: Any) -> str:
    """``VARCHAR`` without a length on PostgreSQL: SQLite never enforced the declared lengths, so
    the app never learnt to cut values to them; on PostgreSQL a longer value would fail the
    whole transaction. Both engines keep every value as the app wrote it."""
    return "VARCHAR"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


# --------------------------------------------------------------------------- channel
class Channel(Base):
    """The N11 sales channel (seed §2). One row; created inactive."""

    __tablename__ = "channel"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="N11")
    catalog_name: Mapped[str] = mapped_column(String(100), default="N11")
    channel_type: Mapped[str] = mapped_column(String(50), default="sales_channel")
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    schema_type: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    conf: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class SecretValue(Base):
    """Fallback store for secrets when no system keyring is available (the UI warns)."""

    __tablename__ = "secret_value"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AppState(Base):
    """Small key/value store: flow cursors, last runs, UI-independent app state."""

    __tablename__ = "app_state"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


# --------------------------------------------------------------------------- reference
class CancellationReason(Base):
    __tablename__ = "cancellation_reason"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    reason_type: Mapped[str] = mapped_column(String(10))  # cancel | refund
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class N11ShipmentCompany(Base):
    __tablename__ = "n11_shipment_company"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(50))


class CargoCompany(Base):
    """Local cargo company (Omnitron side) and its mapping to an N11 shipment company."""

    __tablename__ = "cargo_company"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(50))
    n11_shipment_company_id: Mapped[int | None] = mapped_column(Integer, index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class N11City(Base):
    __tablename__ = "n11_city"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class N11District(Base):
    __tablename__ = "n11_district"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    city_id: Mapped[int] = mapped_column(ForeignKey("n11_city.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class N11Neighborhood(Base):
    __tablename__ = "n11_neighborhood"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    district_id: Mapped[int] = mapped_column(ForeignKey("n11_district.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))


class LocalCity(Base):
    __tablename__ = "local_city"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class LocalTownship(Base):
    __tablename__ = "local_township"
    __table_args__ = (UniqueConstraint("city_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("local_city.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class LocalDistrict(Base):
    __tablename__ = "local_district"
    __table_args__ = (UniqueConstraint("township_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("local_township.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))


class AddressMapping(Base):
    """N11 address text (city / township / district) → local address node.

    ``code`` is the lookup key, e.g. ``137_Merkez`` when Use Channel ID In Address
    Mapping is on, else ``Merkez``; ``model`` is City, Township or District.
    """

    __tablename__ = "address_mapping"
    __table_args__ = (UniqueConstraint("model", "code", "parent_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(300))
    parent_code: Mapped[str] = mapped_column(String(300), default="")
    local_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# --------------------------------------------------------------------------- catalog
class Product(Base):
    __tablename__ = "product"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(255), unique=True)  # N11 stockCode
    product_code: Mapped[str] = mapped_column(String(255), index=True)  # productMainId
    title: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    brand: Mapped[str | None] = mapped_column(String(200))
    barcode: Mapped[str | None] = mapped_column(String(100))
    vat_rate: Mapped[int] = mapped_column(Integer, default=20)
    images: Mapped[list[Any]] = mapped_column(JSON, default=list)
    category: Mapped[str | None] = mapped_column(String(500), index=True)  # local path "A > B > C"
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    preparing_day: Mapped[int | None] = mapped_column(Integer)
    shipment_template: Mapped[str | None] = mapped_column(String(200))
    product_type: Mapped[str] = mapped_column(String(20), default="simple")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    version_date: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    price: Mapped[Price | None] = relationship(back_populates="product", uselist=False, cascade="all, delete-orphan")
    stock: Mapped[Stock | None] = relationship(back_populates="product", uselist=False, cascade="all, delete-orphan")
    catalog_item: Mapped[CatalogItem | None] = relationship(
        back_populates="product", uselist=False, cascade="all, delete-orphan"
    )


class Price(Base):
    __tablename__ = "price"
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    price: Mapped[Decimal] = mapped_column(Money)
    list_price: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="TL")
    version: Mapped[int] = mapped_column(Integer, default=1)
    version_date: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    product: Mapped[Product] = relationship(back_populates="price")


class Stock(Base):
    __tablename__ = "stock"
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    version_date: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    product: Mapped[Product] = relationship(back_populates="stock")


class CatalogItem(Base):
    """Membership of the N11 catalog. ``removed_at`` set = removed (product_delete acts on it)."""

    __tablename__ = "catalog_item"
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    product: Mapped[Product] = relationship(back_populates="catalog_item")


# --------------------------------------------------------------------------- remote (N11 side)
class CategoryNode(Base):
    __tablename__ = "category_node"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # N11 category id
    parent_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    root_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(String(300))
    path: Mapped[str] = mapped_column(String(2000))
    depth: Mapped[int] = mapped_column(Integer)
    is_leaf: Mapped[bool] = mapped_column(Boolean)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    attributes_fetched_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class CategoryAttribute(Base):
    __tablename__ = "category_attribute"
    __table_args__ = (UniqueConstraint("category_id", "attribute_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category_node.id", ondelete="CASCADE"), index=True)
    attribute_id: Mapped[int] = mapped_column(BigInteger, index=True)  # N11 attribute id (Marka = 1)
    name: Mapped[str] = mapped_column(String(300))
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    variant: Mapped[bool] = mapped_column(Boolean, default=False)
    slicer: Mapped[bool] = mapped_column(Boolean, default=False)
    custom_value: Mapped[bool] = mapped_column(Boolean, default=False)
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    order: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)


class AttributeValue(Base):
    __tablename__ = "attribute_value"
    __table_args__ = (UniqueConstraint("category_attribute_id", "value_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    category_attribute_id: Mapped[int] = mapped_column(
        ForeignKey("category_attribute.id", ondelete="CASCADE"), index=True
    )
    value_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(500))
    removed: Mapped[bool] = mapped_column(Boolean, default=False)


class DefaultAttribute(Base):
    """Predefined mapping fields made by create_default_attributes (remote_id, title, ...)."""

    __tablename__ = "default_attribute"
    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(100))  # product column or expression it maps from
    data_type: Mapped[str] = mapped_column(String(20), default="text")
    required: Mapped[bool] = mapped_column(Boolean, default=False)


class ProductCategory(Base):
    """Explicit product → exactly one N11 leaf (overrides the local-category mapping)."""

    __tablename__ = "product_category"
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    category_id: Mapped[int] = mapped_column(BigInteger, index=True)


# --------------------------------------------------------------------------- mapping
class CategoryMapping(Base):
    __tablename__ = "category_mapping"
    id: Mapped[int] = mapped_column(primary_key=True)
    local_category: Mapped[str] = mapped_column(String(500), unique=True)
    category_id: Mapped[int] = mapped_column(BigInteger, index=True)  # N11 leaf
    source: Mapped[str] = mapped_column(String(20), default="manual")  # manual | suggestion | import
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class AttributeRule(Base):
    """Local attribute name → N11 attribute id. ``category_id`` 0 = global rule."""

    __tablename__ = "attribute_rule"
    __table_args__ = (UniqueConstraint("local_attribute", "category_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    local_attribute: Mapped[str] = mapped_column(String(200))
    attribute_id: Mapped[int] = mapped_column(BigInteger)
    category_id: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    source: Mapped[str] = mapped_column(String(20), default="manual")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ValueMapping(Base):
    """``Name=Value`` → N11 value id (or free text for custom-value attributes). category 0 = global."""

    __tablename__ = "value_mapping"
    __table_args__ = (UniqueConstraint("local_attribute", "local_value", "category_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    local_attribute: Mapped[str] = mapped_column(String(200))
    local_value: Mapped[str] = mapped_column(String(500))
    attribute_id: Mapped[int | None] = mapped_column(BigInteger)
    value_id: Mapped[int | None] = mapped_column(BigInteger)
    custom_value: Mapped[str | None] = mapped_column(String(500))
    category_id: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    source: Mapped[str] = mapped_column(String(20), default="manual")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


# --------------------------------------------------------------------------- integration
BATCH_ACTIVE_STATES = ("initialized", "commit", "sent_to_remote", "ongoing")


class Batch(Base):
    """A batch of records sent as one N11 task. initialized → commit → sent_to_remote → ongoing → done|fail."""

    __tablename__ = "batch"
    __table_args__ = (
        Index(
            "uq_batch_one_active_per_content_type",
            "content_type",
            unique=True,
            sqlite_where=text("state IN ('initialized','commit','sent_to_remote','ongoing')"),
            postgresql_where=text("state IN ('initialized','commit','sent_to_remote','ongoing')"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(String(50), index=True)  # product | productprice | productstock | ...
    flow: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(20), default="initialized", index=True)
    remote_task_id: Mapped[str | None] = mapped_column(String(50), index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    succeeded: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class BatchItem(Base):
    __tablename__ = "batch_item"
    __table_args__ = (UniqueConstraint("batch_id", "object_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), index=True)
    object_id: Mapped[int] = mapped_column(Integer, index=True)
    object_key: Mapped[str] = mapped_column(String(255))  # sku / order number
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version_date: Mapped[datetime | None] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending | success | fail | unsent
    message: Mapped[str | None] = mapped_column(Text)
    # --- issue 6 (batches): N11 task that carried this record (a batch may span several tasks)
    remote_task_id: Mapped[str | None] = mapped_column(String(50), index=True)


class IntegrationAction(Base):
    """The ledger: one row per (content type, object) with what N11 last accepted."""

    __tablename__ = "integration_action"
    __table_args__ = (UniqueConstraint("content_type", "object_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[int] = mapped_column(Integer, index=True)
    object_key: Mapped[str] = mapped_column(String(255), index=True)
    remote_id: Mapped[str | None] = mapped_column(String(100))
    version_date: Mapped[datetime | None] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(30), default="pending")
    remote_status: Mapped[str | None] = mapped_column(String(50))  # N11 productStatus / saleStatus
    last_values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class FailedIntegration(Base):
    """The penalty box (seed §3, §8)."""

    __tablename__ = "failed_integration"
    __table_args__ = (
        Index("ix_failed_integration_lookup", "content_type", "object_id", "is_active"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[int] = mapped_column(Integer)
    object_key: Mapped[str] = mapped_column(String(255), index=True)
    reason_type: Mapped[str] = mapped_column(String(20))  # mapping | remote | channel_app
    message: Mapped[str] = mapped_column(Text)
    retry_count: Mapped[int] = mapped_column(Integer, default=0)
    next_retry_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


# --------------------------------------------------------------------------- orders
class Order(Base):
    __tablename__ = "order"
    id: Mapped[int] = mapped_column(primary_key=True)
    n11_order_number: Mapped[str] = mapped_column(String(50), unique=True)
    number: Mapped[str] = mapped_column(String(100), index=True)  # formatted (Order Number Format)
    status: Mapped[str] = mapped_column(String(30), index=True)
    customer_name: Mapped[str | None] = mapped_column(String(300))
    customer_email: Mapped[str | None] = mapped_column(String(300))
    customer_id: Mapped[str | None] = mapped_column(String(50))
    tax_id: Mapped[str | None] = mapped_column(String(50))
    tax_office: Mapped[str | None] = mapped_column(String(200))
    tc_id: Mapped[str | None] = mapped_column(String(20))
    shipping_address: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    billing_address: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cargo_company_id: Mapped[int | None] = mapped_column(Integer)
    n11_shipment_company_id: Mapped[int | None] = mapped_column(Integer)
    discount_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    total_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="TL")
    invoice_link: Mapped[str | None] = mapped_column(String(2048))
    invoice_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    erp_reported: Mapped[bool] = mapped_column(Boolean, default=False)
    ordered_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    items: Mapped[list[OrderItem]] = relationship(back_populates="order", cascade="all, delete-orphan")
    packages: Mapped[list[Package]] = relationship(back_populates="order", cascade="all, delete-orphan")


class Package(Base):
    __tablename__ = "package"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    n11_package_id: Mapped[str | None] = mapped_column(String(50), unique=True)
    status: Mapped[str] = mapped_column(String(30))
    campaign_number: Mapped[str | None] = mapped_column(String(100))
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    tracking_link: Mapped[str | None] = mapped_column(String(1000))
    shipment_company_id: Mapped[int | None] = mapped_column(Integer)
    last_modified: Mapped[datetime | None] = mapped_column(DateTime)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    order: Mapped[Order] = relationship(back_populates="packages")


class OrderItem(Base):
    __tablename__ = "order_item"
    __table_args__ = (UniqueConstraint("order_id", "n11_line_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    package_id: Mapped[int | None] = mapped_column(ForeignKey("package.id", ondelete="SET NULL"), index=True)
    n11_line_id: Mapped[str] = mapped_column(String(50))
    sku: Mapped[str | None] = mapped_column(String(255), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"))
    product_name: Mapped[str | None] = mapped_column(String(500))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    price: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    discount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(30), index=True)  # waiting_approval | approved | shipped | ...
    n11_status: Mapped[str | None] = mapped_column(String(30))
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    cancelled_quantity: Mapped[int] = mapped_column(Integer, default=0)
    sent_status: Mapped[str | None] = mapped_column(String(30))  # last status reported to N11
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    order: Mapped[Order] = relationship(back_populates="items")
    # lets the importer link a line to a package written in the same flush (no flush per package)
    package: Mapped[Package | None] = relationship()


class CancellationRequest(Base):
    __tablename__ = "cancellation_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    n11_claim_id: Mapped[str] = mapped_column(String(50), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    order_item_id: Mapped[int | None] = mapped_column(ForeignKey("order_item.id", ondelete="SET NULL"))
    n11_order_number: Mapped[str] = mapped_column(String(50), index=True)
    status: Mapped[str] = mapped_column(String(30))  # REQUESTED | COMPLETED | DENIED | ...
    decision: Mapped[str | None] = mapped_column(String(20))  # approved | denied
    reason: Mapped[str | None] = mapped_column(String(500))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    requested_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Cancellation(Base):
    """A cancellation or refund plan written locally (≤ 6 plan attempts, seed §9)."""

    __tablename__ = "cancellation"
    __table_args__ = (UniqueConstraint("order_item_id", "kind", "source_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    order_item_id: Mapped[int | None] = mapped_column(ForeignKey("order_item.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(10))  # cancel | refund
    source_key: Mapped[str] = mapped_column(String(100), default="")  # claim id or local action id
    reason_id: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(20), default="planned")  # planned | done | failed | sent
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


# --------------------------------------------------------------------------- audit trail
class AuditEntry(Base):
    """Who changed a setting or a mapping, and when (core.audit; migration 0007). The newest id
    of an area is that area's version: an edit based on an older one is refused."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_area_id", "area", "id"),
        Index("ix_audit_entry_area_object_key_id", "area", "object_key", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    operator: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(20))  # settings | mapping
    action: Mapped[str] = mapped_column(String(60))
    object_key: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


# --------------------------------------------------------------------------- monitoring
class FlowRun(Base):
    __tablename__ = "flow_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    flow: Mapped[str] = mapped_column(String(60), index=True)
    trigger: Mapped[str] = mapped_column(String(20), default="manual")
    state: Mapped[str] = mapped_column(String(20), default="running", index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    total: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    succeeded: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    penalized: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)


class LogEntry(Base):
    __tablename__ = "log_entry"
    __table_args__ = (
        Index("ix_log_entry_flow_created", "flow", "created_at"),
        Index("ix_log_entry_level_created", "level", "created_at"),
        # the Log screen's newest-first pages of a level / flow, read in id order (migration 0006)
        Index("ix_log_entry_level_id", "level", "id"),
        Index("ix_log_entry_flow_id", "flow", "id"),
        Index("ix_log_entry_flow_level_id", "flow", "level", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("flow_run.id", ondelete="CASCADE"), index=True)
    flow: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    level: Mapped[str] = mapped_column(String(10), default="INFO")
    object_type: Mapped[str | None] = mapped_column(String(50))
    object_key: Mapped[str | None] = mapped_column(String(255), index=True)
    message: Mapped[str] = mapped_column(Text)
    request: Mapped[str | None] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)


class KpiSnapshot(Base):
    __tablename__ = "kpi_snapshot"
    id: Mapped[int] = mapped_column(primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Alarm(Base):
    __tablename__ = "alarm"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))  # consecutive_failures | error_rate | staleness | penalty_depth | ...
    flow: Mapped[str | None] = mapped_column(String(60))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(String(10), default="ok")  # ok | firing
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class AlarmEvent(Base):
    __tablename__ = "alarm_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    alarm_id: Mapped[int] = mapped_column(ForeignKey("alarm.id", ondelete="CASCADE"), index=True)
    fired_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime)
    message: Mapped[str] = mapped_column(Text)


# --------------------------------------------------------------------------- remote snapshot (issue 9: KPIs, reports)
class RemoteProduct(Base):
    """What N11 says about each of our SKUs (product-query snapshot, refreshed by reconcile)."""

    __tablename__ = "remote_product"
    stock_code: Mapped[str] = mapped_column(String(255), primary_key=True)
    n11_product_id: Mapped[str | None] = mapped_column(String(50))
    product_main_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str | None] = mapped_column(String(40), index=True)  # Active | InCatalogApproval | ...
    sale_status: Mapped[str | None] = mapped_column(String(40), index=True)  # On_Sale | Out_Of_Stock | ...
    category_id: Mapped[int | None] = mapped_column(BigInteger)
    sale_price: Mapped[Decimal | None] = mapped_column(Money)
    list_price: Mapped[Decimal | None] = mapped_column(Money)
    quantity: Mapped[int | None] = mapped_column(Integer)
    reject_info: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
