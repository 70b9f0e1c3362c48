"""Labels the core defines (alarm kinds and their settings, flow names, order statuses), made
translatable: lupdate finds them here, and views show them through ``core_tr``.

tests/i18n/test_translations.py checks that this list holds every such label the core defines.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CORE_LABELS = (
    QT_TRANSLATE_NOOP("core", 'Flow failed N times in a row'),
    QT_TRANSLATE_NOOP("core", 'Failures in a row'),
    QT_TRANSLATE_NOOP("core", 'Error rate above X% over a window'),
    QT_TRANSLATE_NOOP("core", 'Error rate %'),
    QT_TRANSLATE_NOOP("core", 'Window (minutes)'),
    QT_TRANSLATE_NOOP("core", 'At least runs'),
    QT_TRANSLATE_NOOP("core", 'No successful run for Y minutes'),
    QT_TRANSLATE_NOOP("core", 'Minutes'),
    QT_TRANSLATE_NOOP("core", 'Penalty box above N'),
    QT_TRANSLATE_NOOP("core", 'Penalized records'),
    QT_TRANSLATE_NOOP("core", 'Send queue above N'),
    QT_TRANSLATE_NOOP("core", 'Waiting products'),
    QT_TRANSLATE_NOOP("core", 'Stock difference above N SKUs'),
    QT_TRANSLATE_NOOP("core", 'SKUs'),
    QT_TRANSLATE_NOOP("core", 'Price difference above N SKUs'),
    QT_TRANSLATE_NOOP("core", 'Cancellations waiting for the ERP'),
    QT_TRANSLATE_NOOP("core", 'Waiting cancellations'),
    QT_TRANSLATE_NOOP("core", 'Waiting longer than (hours)'),
    QT_TRANSLATE_NOOP("core", 'Category Node'),
    QT_TRANSLATE_NOOP("core", 'Category Attribute and Values'),
    QT_TRANSLATE_NOOP("core", 'Create Default Attributes'),
    QT_TRANSLATE_NOOP("core", 'Compare Attributes'),
    QT_TRANSLATE_NOOP("core", 'Product Create'),
    QT_TRANSLATE_NOOP("core", 'Product Update'),
    QT_TRANSLATE_NOOP("core", 'Product Delete'),
    QT_TRANSLATE_NOOP("core", 'Send Delete Product Seller Code'),
    QT_TRANSLATE_NOOP("core", 'Stock'),
    QT_TRANSLATE_NOOP("core", 'Price'),
    QT_TRANSLATE_NOOP("core", 'Task Results'),
    QT_TRANSLATE_NOOP("core", 'Order Create'),
    QT_TRANSLATE_NOOP("core", 'Order Update'),
    QT_TRANSLATE_NOOP("core", 'Send Invoice Link'),
    QT_TRANSLATE_NOOP("core", 'Get Updated Orders'),
    QT_TRANSLATE_NOOP("core", 'Cancellation Requests'),
    QT_TRANSLATE_NOOP("core", 'Cancel/Refund Orders'),
    QT_TRANSLATE_NOOP("core", 'Send Cancel Order Items'),
    QT_TRANSLATE_NOOP("core", 'Split Packages'),
    QT_TRANSLATE_NOOP("core", 'Handle Package Combinations'),
    QT_TRANSLATE_NOOP("core", 'Reference Data'),
    QT_TRANSLATE_NOOP("core", 'N11 State Sync'),
    QT_TRANSLATE_NOOP("core", 'Fix Differences'),
    QT_TRANSLATE_NOOP("core", 'Waiting for approval'),
    QT_TRANSLATE_NOOP("core", 'Approved'),
    QT_TRANSLATE_NOOP("core", 'Shipped'),
    QT_TRANSLATE_NOOP("core", 'Delivered'),
    QT_TRANSLATE_NOOP("core", 'Completed'),
    QT_TRANSLATE_NOOP("core", 'Cancelled'),
    QT_TRANSLATE_NOOP("core", 'Refunded'),
    QT_TRANSLATE_NOOP("core", 'Split (replaced)'),
    QT_TRANSLATE_NOOP("core", 'Partly cancelled'),
)


def core_tr(text: str) -> str:
    """The operator's language for a label the core defines (unknown text is shown as it is)."""
    return QCoreApplication.translate("core", text) if text else text
