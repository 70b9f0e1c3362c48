"""Labels the core defines (alarm kinds and their settings, flow names, order statuses, KPI names, channel setting names, their help and the feature flags' descriptions), made
translatable: lupdate finds them here, and views and the command line show them through ``core_tr``.

No Qt import here (``translate`` uses the application's translators in the desktop app, the command
line's QTranslator headless). tests/i18n/test_translations.py checks that this list holds every such
label the core defines.
"""

from __future__ import annotations

import re

from . import fill, translate  # noqa: F401 - fill is part of this module's interface


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    return text

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
    QT_TRANSLATE_NOOP("core", 'Total SKU in catalog'),
    QT_TRANSLATE_NOOP("core", 'Simple, active products in the N11 catalog.'),
    QT_TRANSLATE_NOOP("core", 'SKUs on sale'),
    QT_TRANSLATE_NOOP("core", 'Sent to N11 and currently on sale there.'),
    QT_TRANSLATE_NOOP("core", 'Total SKU difference'),
    QT_TRANSLATE_NOOP("core", 'In the catalog with price, stock > 0, category and image, but not on sale on N11.'),
    QT_TRANSLATE_NOOP("core", 'SKUs with price difference'),
    QT_TRANSLATE_NOOP("core", 'On sale with a different sale or list price on N11.'),
    QT_TRANSLATE_NOOP("core", 'Total stock in catalog'),
    QT_TRANSLATE_NOOP("core", 'Stock of all products in the N11 catalog.'),
    QT_TRANSLATE_NOOP("core", 'Total stock on sale'),
    QT_TRANSLATE_NOOP("core", 'Stock N11 shows for the products on sale.'),
    QT_TRANSLATE_NOOP("core", 'Total stock difference'),
    QT_TRANSLATE_NOOP("core", 'Stock of catalog products that are not on sale on N11.'),
    QT_TRANSLATE_NOOP("core", 'SKUs with stock difference'),
    QT_TRANSLATE_NOOP("core", 'On sale with a different quantity on N11 than stock − Buffer Stock.'),
    QT_TRANSLATE_NOOP("core", 'App Key'),
    QT_TRANSLATE_NOOP("core", 'App Secret'),
    QT_TRANSLATE_NOOP("core", 'Base Url'),
    QT_TRANSLATE_NOOP("core", 'Sales Url'),
    QT_TRANSLATE_NOOP("core", 'ERP Code'),
    QT_TRANSLATE_NOOP("core", 'Category Ids'),
    QT_TRANSLATE_NOOP("core", 'Feature Flags'),
    QT_TRANSLATE_NOOP("core", 'Deny Reason Id'),
    QT_TRANSLATE_NOOP("core", 'Cancellation Reason Id'),
    QT_TRANSLATE_NOOP("core", 'Unsupplied Reason Id'),
    QT_TRANSLATE_NOOP("core", 'Unpacked Reason Id'),
    QT_TRANSLATE_NOOP("core", 'Refund Reason Id'),
    QT_TRANSLATE_NOOP("core", 'Cancellation Map'),
    QT_TRANSLATE_NOOP("core", 'Cargo Company Id'),
    QT_TRANSLATE_NOOP("core", 'Use Neighborhood'),
    QT_TRANSLATE_NOOP("core", 'Failed Integration'),
    QT_TRANSLATE_NOOP("core", 'Send Shipping Info'),
    QT_TRANSLATE_NOOP("core", 'Cancellation Reason Type Id'),
    QT_TRANSLATE_NOOP("core", 'Attribute Set Strategy'),
    QT_TRANSLATE_NOOP("core", 'Exclude Cargo Company Ids'),
    QT_TRANSLATE_NOOP("core", 'Order Start Date'),
    QT_TRANSLATE_NOOP("core", 'Get Discount Amount'),
    QT_TRANSLATE_NOOP("core", 'Order Number Format'),
    QT_TRANSLATE_NOOP("core", 'Use Channel ID In Address Mapping'),
    QT_TRANSLATE_NOOP("core", 'Buffer Stock'),
    QT_TRANSLATE_NOOP("core", 'OMS Enabled'),
    QT_TRANSLATE_NOOP("core", 'OMS Web Hook Token'),
    QT_TRANSLATE_NOOP("core", 'OMS Web Hook Port'),
    QT_TRANSLATE_NOOP("core", 'Queue Page Size'),
    QT_TRANSLATE_NOOP("core", 'Queue Max Tasks'),
    QT_TRANSLATE_NOOP("core", 'Guard: Price Drop %'),
    QT_TRANSLATE_NOOP("core", 'Guard: Stock Jump'),
    QT_TRANSLATE_NOOP("core", 'Sending (n11-desktop)'),
    QT_TRANSLATE_NOOP("core", 'Obtained from N11.'),
    QT_TRANSLATE_NOOP("core", 'Obtained from N11. Kept in the system keyring when available.'),
    QT_TRANSLATE_NOOP("core", 'API URL for N11.'),
    QT_TRANSLATE_NOOP("core", 'N11 site URL.'),
    QT_TRANSLATE_NOOP("core", 'Sales channel code for N11 in the ERP (e.g. 4000).'),
    QT_TRANSLATE_NOOP("core", 'Main N11 category ids used by this channel.'),
    QT_TRANSLATE_NOOP("core", 'Used when a cancellation request is denied (order has an invoice).'),
    QT_TRANSLATE_NOOP("core", 'Local cancel reason written for orders cancelled on N11.'),
    QT_TRANSLATE_NOOP("core", 'Local cancel reason for "Unsupplied" packages.'),
    QT_TRANSLATE_NOOP("core", 'Local cancel reason for "Unpacked" packages.'),
    QT_TRANSLATE_NOOP("core", 'Local refund reason for invoiced cancelled lines.'),
    QT_TRANSLATE_NOOP("core", 'N11 reason, as N11 sends it (an id such as 501 or a code such as VAZGECTIM) → local reason id; empty = Cancellation Reason Id for all.'),
    QT_TRANSLATE_NOOP("core", 'Local cargo company for incoming orders; empty = the cargo company mapping.'),
    QT_TRANSLATE_NOOP("core", 'Use the neighborhood of shipping and billing addresses.'),
    QT_TRANSLATE_NOOP("core", 'On: the brand manages shipping (tracking numbers are sent). Off: N11 does.'),
    QT_TRANSLATE_NOOP("core", 'Sent with partial cancellations (needed by send_cancel_order_items).'),
    QT_TRANSLATE_NOOP("core", 'Should not be changed.'),
    QT_TRANSLATE_NOOP("core", 'N11 cargo companies to ignore; their orders use Cargo Company Id.'),
    QT_TRANSLATE_NOOP("core", 'Start date of the order integration (dd/MM/yyyy).'),
    QT_TRANSLATE_NOOP("core", 'Use the discount information of orders.'),
    QT_TRANSLATE_NOOP("core", 'Placeholders {orderNumber} and {id}; empty = {orderNumber}-{id}.'),
    QT_TRANSLATE_NOOP("core", 'Prefix address mapping with the channel id.'),
    QT_TRANSLATE_NOOP("core", 'Deducted from stock sent to N11; empty = none.'),
    QT_TRANSLATE_NOOP("core", "Write the OMS package tracking number from N11's campaignNumber."),
    QT_TRANSLATE_NOOP("core", 'split_packages: the token the OMS sends (Authorization: Token …) to the split-package web hook. Generate one and give it to the OMS.'),
    QT_TRANSLATE_NOOP("core", 'split_packages: the loopback port the web hook listens on (default 8765).'),
    QT_TRANSLATE_NOOP("core", 'SKUs per N11 task (1–1000; N11 accepts at most 1000). Default 1000.'),
    QT_TRANSLATE_NOOP("core", 'At most this many tasks (pages) per product run (1–1000). Default 100.'),
    QT_TRANSLATE_NOOP("core", 'Send preview warns when a price drops by more than this percent (1–100). Default 50.'),
    QT_TRANSLATE_NOOP("core", 'Send preview warns when stock rises by more than this many units over what N11 last got (1 or more). Default 1000.'),
    QT_TRANSLATE_NOOP("core", 'Pulls orders with "New" and "LATE_SHIPMENT" statuses from N11; lines are created "waiting for approval" and become "approved" once approved on N11.'),
    QT_TRANSLATE_NOOP("core", 'Sends updated orders to N11 with item-specific shipping company and tracking number; updates invoice and order status. The tracking number is only sent if Send Shipping Info is active.'),
    QT_TRANSLATE_NOOP("core", 'Splits N11 orders into multiple packages on a request sent by the OMS web hook.'),
    QT_TRANSLATE_NOOP("core", 'Sets the stock of products removed from the catalog to 0 on N11.'),
    QT_TRANSLATE_NOOP("core", 'Sends products added to the catalog to N11 (create / update).'),
    QT_TRANSLATE_NOOP("core", 'Goes back 15 days to fetch "Completed" and "Shipped" orders from N11 and updates status and tracking number per item.'),
    QT_TRANSLATE_NOOP("core", '"REQUESTED" cancellation requests of the last 24 hours: denied with Deny Reason Id if the order has an invoice, otherwise approved on N11.'),
    QT_TRANSLATE_NOOP("core", '"COMPLETED" cancellation requests of the last 24 hours: a refund if the line has an invoice, else a cancellation (at most 6 cancellation plan attempts).'),
    QT_TRANSLATE_NOOP("core", 'Sends updated product prices to N11.'),
    QT_TRANSLATE_NOOP("core", 'Sends updated product stock levels to N11 (stock minus Buffer Stock).'),
    QT_TRANSLATE_NOOP("core", 'Reports package changes after an OMS split to N11 as "combine/separate".'),
    QT_TRANSLATE_NOOP("core", 'Sends partial cancellations made locally to N11 as partial cancellations.'),
    QT_TRANSLATE_NOOP("core", 'Sends the invoice link of invoiced orders to N11.'),
    QT_TRANSLATE_NOOP("core", 'Fixes "listed with XXXX seller code" errors: deletes the product on N11 under the old seller code and creates it anew.'),
    QT_TRANSLATE_NOOP("core", 'Every 5 minutes for "New", every 8 hours for "LATE_SHIPMENT".'),
    QT_TRANSLATE_NOOP("core", 'Every 5 minutes.'),
    QT_TRANSLATE_NOOP("core", 'On the OMS web hook (outbound trigger).'),
    QT_TRANSLATE_NOOP("core", 'Every morning at 06:00.'),
    QT_TRANSLATE_NOOP("core", 'Every minute.'),
)


def core_tr(text: str) -> str:
    """The operator's language for a label the core defines (unknown text is shown as it is)."""
    return translate("core", text) if text else text


core_text = core_tr


#: words the scheduler and the flow runs report (states), shown translated
STATE_WORDS = {
    "off": QT_TRANSLATE_NOOP("core", "off"), "running": QT_TRANSLATE_NOOP("core", "running"),
    "paused": QT_TRANSLATE_NOOP("core", "paused"), "inactive channel": QT_TRANSLATE_NOOP("core", "inactive channel"),
    "stopped": QT_TRANSLATE_NOOP("core", "stopped"), "done": QT_TRANSLATE_NOOP("core", "done"),
    "failed": QT_TRANSLATE_NOOP("core", "failed"), "cancelled": QT_TRANSLATE_NOOP("core", "cancelled"),
    "partial": QT_TRANSLATE_NOOP("core", "partial"), "queued": QT_TRANSLATE_NOOP("core", "queued"),
}


def state_word(text: str) -> str:
    """A scheduler or run state in the operator's language ("off — another n11-desktop …" keeps its detail)."""
    if text in STATE_WORDS:
        return core_tr(STATE_WORDS[text])
    other = re.fullmatch(r"off — another n11-desktop \((.*)\) drives this database", text)
    if other:
        return translate("core", "off — another n11-desktop (%1) drives this database").replace(
            "%1", other.group(1))
    return text


#: the seed §8 penalty messages and their fixes, as core/penalty.py writes them (the test keeps these in step)
PENALTY_TEXTS = (
    QT_TRANSLATE_NOOP("core", "Stock data not found"),
    QT_TRANSLATE_NOOP("core", "Price data not found"),
    QT_TRANSLATE_NOOP("core", "Product not found"),
    QT_TRANSLATE_NOOP("core", "The product is listed in the category {name} on N11 with category ID {id}. "
                              "You can enter this ID to resend the product."),
    QT_TRANSLATE_NOOP("core", "This product is already pending approval. It will be published once approved."),
    QT_TRANSLATE_NOOP("core", "The product you entered is listed with {code} seller code on your side. "
                              "You can update your product through this product."),
    QT_TRANSLATE_NOOP("core", "The relevant record is not in queue. The item may have been penalized or check "
                              "product is saleable"),
    QT_TRANSLATE_NOOP("core", "Failed to suggest product to the catalog"),
    QT_TRANSLATE_NOOP("core", "If it is about attribute values: run Category Attribute and Values (N11's latest "
                              "values), then Compare Attributes, and send the product again."),
    QT_TRANSLATE_NOOP("core", "No result from N11 within {hours:g} hours (sent_to_remote EXPIRATION_HOUR); the record "
                              "will be retried per the Failed Integration settings."),
    QT_TRANSLATE_NOOP("core", "N11 rejected the record: "),
    QT_TRANSLATE_NOOP("core", "N11 reported a failure without a reason"),
)
_FIELD = re.compile(r"\\\{(\w+)(?::[^}]*)?\\\}")
_PENALTY_PATTERNS: list[tuple[re.Pattern, str]] = []


#: template fields that hold a number (matched as one, so "{n} created" inside a longer line takes the number only)
_NUMBERS = {"n", "n1", "n2", "n3", "n4", "count", "limit", "hours", "minutes", "row", "prev", "percent", "window",
            "rate", "low", "high", "id", "a", "b", "page", "digits"}
#: template fields that hold another core message (translated in turn)
_NESTED = {"message", "detail", "snapshot", "name", "flow", "database"}


def _field(m: re.Match) -> str:
    name = m.group(1)
    return f"(?P<{name}>-?\\d+(?:[.,]\\d+)?)" if name in _NUMBERS else f"(?P<{name}>.+?)"


def _patterns(templates) -> list[tuple[re.Pattern, str]]:
    out = []
    for template in sorted(templates, key=len, reverse=True):
        pattern = _FIELD.sub(_field, re.escape(template))
        if pattern.endswith(".+?)"):  # a field at the end takes the rest of the line
            pattern = pattern[:-3] + "+)"
        out.append((re.compile(pattern), template))
    return out


def _where(text: str, depth: int) -> str | None:
    """"x.csv: row 3, column sku: reason" (a file name, then a known message) translated, else None."""
    if depth >= 3:
        return None
    source, sep, rest = text.partition(": ")
    if sep:
        translated = _core_message(rest, depth + 1)
        if translated != rest:
            return source + sep + translated
    translated = _core_message(text, depth + 1)
    return translated if translated != text else None


def _put(m: re.Match, template: str, depth: int = 9) -> str:
    """``template``'s translation with the values ``m`` found (nested messages translated too)."""
    def value(f: re.Match) -> str:
        text = m.group(f.group(1))
        if f.group(1) == "where":
            return _where(text, depth) or text
        if f.group(1) == "action":
            return audit_action(text)
        if f.group(1) == "object":
            return audit_object(text)
        return _core_message(text, depth + 1) if f.group(1) in _NESTED and depth < 3 else text
    return re.sub(r"\{(\w+)(?::[^}]*)?\}", value, core_tr(template))


def _translate_parts(message: str, patterns: list[tuple[re.Pattern, str]]) -> str:
    """Each known template inside ``message`` replaced by its translation, its {fields} kept."""
    out = message
    for pattern, template in patterns:
        out = pattern.sub(lambda m, template=template: _put(m, template), out)
    return out


def penalty_text(message: str | None) -> str:
    """A penalty message (seed §8) in the operator's language; N11's own words inside them stay as they are."""
    if not message:
        return message or ""
    from ..core.formats import language

    if language() == "en":
        return message
    if not _PENALTY_PATTERNS:
        _PENALTY_PATTERNS.extend(_patterns(PENALTY_TEXTS))
    return _translate_parts(message, _PENALTY_PATTERNS)


def _t(text: str) -> str:
    return translate("schedule", text)


#: the parts core.flows.base.Schedule.describe() joins with ", " (English; %1 is a number, a time or a flow)
_SCHEDULE_PARTS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"every hour"), QT_TRANSLATE_NOOP("schedule", "every hour")),
    (re.compile(r"every minute"), QT_TRANSLATE_NOOP("schedule", "every minute")),
    (re.compile(r"every (\d+) h"), QT_TRANSLATE_NOOP("schedule", "every %1 h")),
    (re.compile(r"every (\d+) min"), QT_TRANSLATE_NOOP("schedule", "every %1 min")),
    (re.compile(r"every (\d+) s"), QT_TRANSLATE_NOOP("schedule", "every %1 s")),
    (re.compile(r"daily (\d\d:\d\d) \(Istanbul\)"), QT_TRANSLATE_NOOP("schedule", "daily %1 (Istanbul)")),
    (re.compile(r"daily (\d\d:\d\d)"), QT_TRANSLATE_NOOP("schedule", "daily %1")),
    (re.compile(r"after task results change products"),
     QT_TRANSLATE_NOOP("schedule", "after task results change products")),
    (re.compile(r"after (\w+)"), QT_TRANSLATE_NOOP("schedule", "after %1")),
    (re.compile(r"on activation"), QT_TRANSLATE_NOOP("schedule", "on activation")),
    (re.compile(r"on the OMS web hook"), QT_TRANSLATE_NOOP("schedule", "on the OMS web hook")),
    (re.compile(r"manual"), QT_TRANSLATE_NOOP("schedule", "manual")),
)


def schedule_text(text: str) -> str:
    """A flow's schedule as core describes it ("every 5 min, daily 03:00 (Istanbul)") in the operator's language."""
    out = []
    for part in (text or "").split(", "):
        late = part.endswith(" (late shipments)")
        core = part.removesuffix(" (late shipments)")
        for pattern, template in _SCHEDULE_PARTS:
            m = pattern.fullmatch(core)
            if m:
                core = _t(template).replace("%1", m.group(1)) if m.groups() else _t(template)
                break
        out.append(core + (" " + _t("(late shipments)") if late else ""))
    return ", ".join(out)


QT_TRANSLATE_NOOP("schedule", "(late shipments)")

# ---------------------------------------------------------------------------- messages the core writes
#: sentences the core builds (validation and import errors, summaries, alarm messages), as templates with
#: the core's {fields}; ``core_message`` finds them inside a message and translates them, values kept
CORE_MESSAGES: tuple[str, ...] = (
    QT_TRANSLATE_NOOP("core", 'A flow keeps failing'),
    QT_TRANSLATE_NOOP("core", 'Stock not sent for 30 minutes'),
    QT_TRANSLATE_NOOP("core", 'Penalty box is filling up'),
    QT_TRANSLATE_NOOP("core", 'N11 data is getting old'),
    QT_TRANSLATE_NOOP("core", 'Cancellations wait for the ERP'),
    QT_TRANSLATE_NOOP("core", 'any flow'),
    QT_TRANSLATE_NOOP("core", '{flow} failed {count} times in a row'),
    QT_TRANSLATE_NOOP("core", '{flow} error rate ≥ {percent}% over {window} min'),
    QT_TRANSLATE_NOOP("core", 'no successful {flow} run for {minutes} min'),
    QT_TRANSLATE_NOOP("core", 'penalty box above {count} records'),
    QT_TRANSLATE_NOOP("core", 'more than {count} products waiting to be sent'),
    QT_TRANSLATE_NOOP("core", 'more than {count} SKUs with a stock difference on N11'),
    QT_TRANSLATE_NOOP("core", 'more than {count} SKUs with a price difference on N11'),
    QT_TRANSLATE_NOOP("core", 'more than {count} cancellation(s) waiting for the ERP longer than {hours} h'),
    QT_TRANSLATE_NOOP("core", '{flow}: {n1} of {n2} runs failed ({rate}%) in the last {window} min'),
    QT_TRANSLATE_NOOP("core", 'no successful {flow} run since {when} (limit {minutes} min)'),
    QT_TRANSLATE_NOOP("core", 'no successful {flow} run ever (limit {minutes} min)'),
    QT_TRANSLATE_NOOP("core", '{count} records in the penalty box (limit {limit})'),
    QT_TRANSLATE_NOOP("core", '{count} cancellation(s) have waited more than {hours} h for their order to be marked ERP-reported (limit {limit}; Orders tab → Cancellation waiting for ERP)'),
    QT_TRANSLATE_NOOP("core", '{count} products waiting to be sent (limit {limit})'),
    QT_TRANSLATE_NOOP("core", '{count} SKUs with a stock difference on N11 (limit {limit}; {snapshot})'),
    QT_TRANSLATE_NOOP("core", '{count} SKUs with a price difference on N11 (limit {limit}; {snapshot})'),
    QT_TRANSLATE_NOOP("core", 'N11 data never synced'),
    QT_TRANSLATE_NOOP("core", 'N11 data {age} old, older than two sync periods'),
    QT_TRANSLATE_NOOP("core", 'N11 data {age} old'),
    QT_TRANSLATE_NOOP("core", '{name}: cleared'),
    QT_TRANSLATE_NOOP("core", 'Name: give the alarm a name'),
    QT_TRANSLATE_NOOP("core", 'Kind: unknown alarm kind {kind}'),
    QT_TRANSLATE_NOOP("core", 'Flow: unknown flow {what}'),
    QT_TRANSLATE_NOOP("core", '{label}: {value} is not a whole number'),
    QT_TRANSLATE_NOOP("core", '{label}: {value} is out of range'),
    QT_TRANSLATE_NOOP("core", 'alarm {id} does not exist'),
    QT_TRANSLATE_NOOP("core", 'is required'),
    QT_TRANSLATE_NOOP("core", 'must be a date in dd/MM/yyyy like 30/07/2023, got {value}'),
    QT_TRANSLATE_NOOP("core", 'must be an e-mail address like name@example.com, got {value}'),
    QT_TRANSLATE_NOOP("core", 'must not be negative (got {value}); leave it empty for none'),
    QT_TRANSLATE_NOOP("core", 'must be a positive id, got {value}'),
    QT_TRANSLATE_NOOP("core", 'must be between {low} and {high}, got {value}'),
    QT_TRANSLATE_NOOP("core", 'must be {low} or more, got {value}'),
    QT_TRANSLATE_NOOP("core", 'must be one of {values}, got {value}'),
    QT_TRANSLATE_NOOP("core", 'must be a port between 1024 and 65535, got {value}'),
    QT_TRANSLATE_NOOP("core", "must be 16-128 letters, digits, '-' or '_' (use Generate)"),
    QT_TRANSLATE_NOOP("core", 'there is no local cancellation reason with id {value}'),
    QT_TRANSLATE_NOOP("core", 'there is no local cargo company with id {value} (known: {known})'),
    QT_TRANSLATE_NOOP("core", 'must be true or false, not {kind}'),
    QT_TRANSLATE_NOOP("core", 'must be a whole number, not {kind}'),
    QT_TRANSLATE_NOOP("core", 'must be a list, not {kind}'),
    QT_TRANSLATE_NOOP("core", 'must be a text, not {kind}'),
    QT_TRANSLATE_NOOP("core", 'row {row}, column {column}: {message}'),
    QT_TRANSLATE_NOOP("core", 'row {row}: {message}'),
    QT_TRANSLATE_NOOP("core", 'file, column {column}: {message}'),
    QT_TRANSLATE_NOOP("core", 'sku is required'),
    QT_TRANSLATE_NOOP("core", 'the price must be above 0'),
    QT_TRANSLATE_NOOP("core", 'list price {list} is below the sale price {price}'),
    QT_TRANSLATE_NOOP("core", 'a list_price needs a price in the same row'),
    QT_TRANSLATE_NOOP("core", 'a title is required for a new product'),
    QT_TRANSLATE_NOOP("core", 'contains a control character (the file is damaged or not text)'),
    QT_TRANSLATE_NOOP("core", 'is {n} characters long; at most {limit} allowed'),
    QT_TRANSLATE_NOOP("core", 'is {n} characters; N11 needs at least {limit} to create the product'),
    QT_TRANSLATE_NOOP("core", "'{sku}' already appears in row {prev}; each sku once per file"),
    QT_TRANSLATE_NOOP("core", "the required column 'sku' is missing from the header"),
    QT_TRANSLATE_NOOP("core", 'the column appears twice (columns {a} and {b})'),
    QT_TRANSLATE_NOOP("core", 'attribute column without a name; write it as attr:<Name>'),
    QT_TRANSLATE_NOOP("core", 'Dry run: {detail}'),
    QT_TRANSLATE_NOOP("core", '{n} rows read'),
    QT_TRANSLATE_NOOP("core", '{n} row read'),
    QT_TRANSLATE_NOOP("core", '{n} would be created'),
    QT_TRANSLATE_NOOP("core", '{n} would be updated'),
    QT_TRANSLATE_NOOP("core", '{n} created'),
    QT_TRANSLATE_NOOP("core", '{n} updated'),
    QT_TRANSLATE_NOOP("core", '{n} unchanged'),
    QT_TRANSLATE_NOOP("core", '{n} bad rows skipped'),
    QT_TRANSLATE_NOOP("core", '{n} bad row skipped'),
    QT_TRANSLATE_NOOP("core", '{n} warnings'),
    QT_TRANSLATE_NOOP("core", '{n} warning'),
    QT_TRANSLATE_NOOP("core", '{n} rows: {n1} added, {n2} updated, {n3} unchanged, {n4} refused'),
    QT_TRANSLATE_NOOP("core", 'local category is empty'),
    QT_TRANSLATE_NOOP("core", 'local attribute name is empty'),
    QT_TRANSLATE_NOOP("core", 'a value map needs both the local attribute name and the local value'),
    QT_TRANSLATE_NOOP("core", 'N11 category id must be a number (got {value})'),
    QT_TRANSLATE_NOOP("core", 'N11 attribute id must be a number (got {value})'),
    QT_TRANSLATE_NOOP("core", 'N11 value id must be a number (got {value})'),
    QT_TRANSLATE_NOOP("core", 'N11 attribute {id} is unknown — run Category Attribute and Values first'),
    QT_TRANSLATE_NOOP("core", 'N11 attribute {id} has no values loaded — run Category Attribute and Values first'),
    QT_TRANSLATE_NOOP("core", '{attribute} does not accept free text on N11 — choose one of its values'),
    QT_TRANSLATE_NOOP("core", '{n} bad row(s); nothing changed'),
    QT_TRANSLATE_NOOP("core", '{n} row(s): {n1} penalty(ies) lifted, {n2} failed integration(s) deleted, {n3} version date(s) bumped'),
    # the Mapper's value table (core/mapping/detail.py): how a local value reaches N11
    QT_TRANSLATE_NOOP("core", 'same name'),
    QT_TRANSLATE_NOOP("core", 'free text'),
    QT_TRANSLATE_NOOP("core", 'mapped here'),
    QT_TRANSLATE_NOOP("core", 'mapped globally'),
    QT_TRANSLATE_NOOP("core", '{detail} (same value name)'),
    QT_TRANSLATE_NOOP("core", "{detail} — not in N11's list"),
    QT_TRANSLATE_NOOP("core", 'attribute not offered'),
    QT_TRANSLATE_NOOP("core", "not in N11's list — map it"),
    QT_TRANSLATE_NOOP("core", 'free text: {text}'),
    QT_TRANSLATE_NOOP("core", 'value {id}'),
    # reports (core/reports.py): why a catalog product is not on sale on N11, and the fix
    QT_TRANSLATE_NOOP("core", 'Penalized: {detail}'),
    QT_TRANSLATE_NOOP("core", 'Fix the cause, then lift the penalty (Penalty box → Update by uploading a file).'),
    QT_TRANSLATE_NOOP("core", 'Add a price for the product.'),
    QT_TRANSLATE_NOOP("core", 'Price is 0'),
    QT_TRANSLATE_NOOP("core", 'Set a price above 0.'),
    QT_TRANSLATE_NOOP("core", 'No stock'),
    QT_TRANSLATE_NOOP("core", 'Add stock for the product.'),
    QT_TRANSLATE_NOOP("core", 'No N11 category'),
    QT_TRANSLATE_NOOP("core", "Map the product's category in Categories & Mapping."),
    QT_TRANSLATE_NOOP("core", 'No image'),
    QT_TRANSLATE_NOOP("core", 'Add at least one https image.'),
    QT_TRANSLATE_NOOP("core", 'Not sent to N11 yet'),
    QT_TRANSLATE_NOOP("core", 'Send it (Products → Send selected) or wait for Product Create.'),
    QT_TRANSLATE_NOOP("core", 'Rejected by N11: {reject}'),
    QT_TRANSLATE_NOOP("core", 'no reason given'),
    QT_TRANSLATE_NOOP("core", 'Fix what N11 says, then resend.'),
    QT_TRANSLATE_NOOP("core", "Approval happens on N11's side."),
    QT_TRANSLATE_NOOP("core", 'Suspended on N11'),
    QT_TRANSLATE_NOOP("core", 'Resume selling (Product Update with status Active).'),
    QT_TRANSLATE_NOOP("core", 'Out of stock on N11'),
    QT_TRANSLATE_NOOP("core", 'Send the stock (Stock flow).'),
    QT_TRANSLATE_NOOP("core", 'N11 status {status}'),
    QT_TRANSLATE_NOOP("core", 'Check the product on N11.'),
    QT_TRANSLATE_NOOP("core", 'price+stock'),
    # outside input (core/inputs.py): files and values the operator hands in
    QT_TRANSLATE_NOOP("core", 'cannot read: no such file'),
    QT_TRANSLATE_NOOP("core", 'cannot read: {detail}'),
    QT_TRANSLATE_NOOP("core", 'is a folder, not a file'),
    QT_TRANSLATE_NOOP("core", 'is not a regular file'),
    QT_TRANSLATE_NOOP("core", 'is {n} KB; at most {limit} KB'),
    QT_TRANSLATE_NOOP("core", 'is over {n} KB'),
    QT_TRANSLATE_NOOP("core", 'JSON nested too deeply'),
    QT_TRANSLATE_NOOP("core", 'must be a whole number, not {value}'),
    QT_TRANSLATE_NOOP("core", 'must be at least {low} (got {value})'),
    QT_TRANSLATE_NOOP("core", 'must be at most {high} (got {value})'),
    QT_TRANSLATE_NOOP("core", 'must have at most {n} digits'),
    QT_TRANSLATE_NOOP("core", 'must be a number, not {value}'),
    QT_TRANSLATE_NOOP("core", 'is empty (a whole number is needed)'),
    QT_TRANSLATE_NOOP("core", 'is {n} characters long (at most {limit})'),
    QT_TRANSLATE_NOOP("core", 'contains a NUL byte (the file is binary or damaged)'),
    QT_TRANSLATE_NOOP("core", 'must be an http(s) URL like https://api.n11.com/ws/, got {value}'),
    QT_TRANSLATE_NOOP("core", 'must not contain spaces or control characters (line breaks), got {value}'),
    QT_TRANSLATE_NOOP("core", 'must not contain a user name or password'),
    QT_TRANSLATE_NOOP("core", "'{value}' must be between {low} and {high}"),
    # flow results (core/flows): what a run reports
    QT_TRANSLATE_NOOP("core", 'Cancellation Reason Type Id must be set to 61–65 (Channel Settings) to send partial cancellations to N11'),
    QT_TRANSLATE_NOOP("core", 'Category Ids are empty — set the N11 main category ids in Channel Settings'),
    QT_TRANSLATE_NOOP("core", 'no local category is mapped to an N11 leaf yet — map categories in Categories & Mapping, then run this again'),
    QT_TRANSLATE_NOOP("core", 'Order Start Date is not set (Channel Settings, dd/MM/yyyy); orders are fetched from that date on'),
    QT_TRANSLATE_NOOP("core", 'order {order} split into {n} packages'),
    QT_TRANSLATE_NOOP("core", 'nothing to split (the flow runs on the OMS web hook)'),
    QT_TRANSLATE_NOOP("core", 'split request names lines {lines} that are not in order {order}'),
    QT_TRANSLATE_NOOP("core", 'split request for unknown order {order}'),
    QT_TRANSLATE_NOOP("core", '{n1} leaf categories, {n2} attributes, {n3} values'),
    QT_TRANSLATE_NOOP("core", '{n} nodes'),
    QT_TRANSLATE_NOOP("core", '{n} new'),
    QT_TRANSLATE_NOOP("core", '{n} renamed'),
    QT_TRANSLATE_NOOP("core", '{n} moved'),
    QT_TRANSLATE_NOOP("core", '{n} marked removed'),
    QT_TRANSLATE_NOOP("core", 'not found on N11: {ids}'),
    QT_TRANSLATE_NOOP("core", '{n} categories compared'),
    QT_TRANSLATE_NOOP("core", 'no changes'),
    QT_TRANSLATE_NOOP("core", '{n} mapping(s) broken'),
    QT_TRANSLATE_NOOP("core", '{n} predefined fields ready ({n1} added, {n2} updated)'),
    QT_TRANSLATE_NOOP("core", '; global rule brand → Marka (1) added'),
    # a run's line (core/flows/base.py, the runner's log) and what the flows report
    QT_TRANSLATE_NOOP("core", 'done — {detail}'),
    QT_TRANSLATE_NOOP("core", 'failed — {detail}'),
    QT_TRANSLATE_NOOP("core", 'partial — {detail}'),
    QT_TRANSLATE_NOOP("core", 'cancelled — {detail}'),
    QT_TRANSLATE_NOOP("core", '{n} total'),
    QT_TRANSLATE_NOOP("core", '{n} ok'),
    QT_TRANSLATE_NOOP("core", '{n} failed'),
    QT_TRANSLATE_NOOP("core", '{n} penalized'),
    QT_TRANSLATE_NOOP("core", '{n} skipped'),
    QT_TRANSLATE_NOOP("core", 'nothing to send'),
    QT_TRANSLATE_NOOP("core", 'no tasks in flight'),
    QT_TRANSLATE_NOOP("core", '{n} record(s) sent in {n1} task(s) (batch {n2})'),
    QT_TRANSLATE_NOOP("core", 'N11 processed it: {n} ok'),
    QT_TRANSLATE_NOOP("core", 'N11 already processed {n} of the tasks: {n1} ok'),
    QT_TRANSLATE_NOOP("core", 'stopped: {detail}'),
    QT_TRANSLATE_NOOP("core", "{n} record(s) still in N11's queue"),
    QT_TRANSLATE_NOOP("core", '{n} batch(es) finished'),
    QT_TRANSLATE_NOOP("core", '{n} unacknowledged record(s) resolved via product-query'),
    QT_TRANSLATE_NOOP("core", '{n} product(s) left catalog approval'),
    QT_TRANSLATE_NOOP("core", '{n} product(s) left catalog approval on N11'),
    QT_TRANSLATE_NOOP("core", '{n} written, {n1} waiting for the ERP (mark the orders ERP-reported)'),
    QT_TRANSLATE_NOOP("core", '{n} new orders'),
    QT_TRANSLATE_NOOP("core", '{n} not written (see log)'),
    QT_TRANSLATE_NOOP("core", '{n} earlier failures retried'),
    QT_TRANSLATE_NOOP("core", '{n} first seen past New recorded as history (not new work; `orders import-history` brings them in)'),
    QT_TRANSLATE_NOOP("core", 'late-shipment pass: {n} late orders'),
    QT_TRANSLATE_NOOP("core", 'Category mapping not found for {category}'),
    QT_TRANSLATE_NOOP("core", 'task {id}: {status}, {n} of {n1} SKU(s) succeeded'),
    # run triggers (Monitoring → Runs)
    QT_TRANSLATE_NOOP("core", 'startup'),
    QT_TRANSLATE_NOOP("core", 'manual'),
    QT_TRANSLATE_NOOP("core", 'start'),
    QT_TRANSLATE_NOOP("core", 'schedule'),
    QT_TRANSLATE_NOOP("core", 'cli'),
    QT_TRANSLATE_NOOP("core", 'webhook'),
    QT_TRANSLATE_NOOP("core", 'bench'),
    # Mapping Control (core/mapping/control.py): why a product cannot be sent, and what would be sent
    QT_TRANSLATE_NOOP("core", 'Product {id} not found'),
    QT_TRANSLATE_NOOP("core", 'Product has no local category'),
    QT_TRANSLATE_NOOP("core", '{detail} — map {what} again'),
    QT_TRANSLATE_NOOP("core", 'the product'),
    QT_TRANSLATE_NOOP("core", 'N11 category {id} is not in the category tree'),
    QT_TRANSLATE_NOOP("core", 'Attributes of N11 category “{name}” ({id}) are not loaded — run Category Attribute and Values'),
    QT_TRANSLATE_NOOP("core", 'VAT rate {rate} is not accepted by N11 (0, 1, 10 or 20)'),
    QT_TRANSLATE_NOOP("core", 'No shipment template — set the N11 shipment template name in the catalog'),
    QT_TRANSLATE_NOOP("core", 'Title must be at least {n} characters on N11 (has {n1})'),
    QT_TRANSLATE_NOOP("core", 'Description is empty — N11 requires a product description; fill it in the catalog'),
    QT_TRANSLATE_NOOP("core", 'Image {url} is not an https address'),
    QT_TRANSLATE_NOOP("core", 'Sale price {price} must be greater than 0'),
    QT_TRANSLATE_NOOP("core", 'List price {list} is lower than sale price {price} (N11 needs listPrice ≥ salePrice)'),
    QT_TRANSLATE_NOOP("core", 'Currency {currency} is not TL'),
    QT_TRANSLATE_NOOP("core", 'Mandatory attribute {attribute} is missing'),
    QT_TRANSLATE_NOOP("core", "Value {value} is not in N11's list for {attribute} (mapped to value {id}, which “{category}” does not offer)"),
    QT_TRANSLATE_NOOP("core", '{attribute} does not accept free text on N11; map {value} to one of its values'),
    QT_TRANSLATE_NOOP("core", "Value {value} is not in N11's list for {attribute}"),
    QT_TRANSLATE_NOOP("core", '{name} = “{value}” (free text)'),
    # files handed in (core/inputs.InputError: 'door: file: row R, column C: reason')
    QT_TRANSLATE_NOOP("core", 'catalog file: {where}'),
    QT_TRANSLATE_NOOP("core", 'mapping file: {where}'),
    QT_TRANSLATE_NOOP("core", 'settings file: {where}'),
    QT_TRANSLATE_NOOP("core", 'penalty CSV: {where}'),
    QT_TRANSLATE_NOOP("core", 'no such file'),
    # schedules (core/schedules.py)
    QT_TRANSLATE_NOOP("core", 'interval: {value} is not a duration (examples: 90s, 5m, 2h, 1d)'),
    QT_TRANSLATE_NOOP("core", 'interval: {value} is under the minimum of 1 minute'),
    QT_TRANSLATE_NOOP("core", 'interval: {value} is over the maximum of 7 days'),
    QT_TRANSLATE_NOOP("core", 'interval: {value} must be a whole number of seconds'),
    QT_TRANSLATE_NOOP("core", 'daily time: {value} is not a time HH:MM between 00:00 and 23:59 (Europe/Istanbul)'),
    QT_TRANSLATE_NOOP("core", 'flow: unknown flow {value}; see `n11-desktop schedule list`'),
    QT_TRANSLATE_NOOP("core", 'flow: {slug} runs on the OMS web hook, it has no timer to change'),
    QT_TRANSLATE_NOOP("core", 'schedule: give either an interval or a daily time'),
    # the optimistic version check (core/audit.py)
    QT_TRANSLATE_NOOP("core", 'the channel settings changed by {who} at {when} UTC after you loaded them ({action}); reload and make your change again'),
    QT_TRANSLATE_NOOP("core", 'the mapping of {object} changed by {who} at {when} UTC after you loaded it ({action}); reload and make your change again'),
    # order actions (core/orders/actions.py): what the Orders tab says after a button
    QT_TRANSLATE_NOOP("core", '{n} line(s) of {order} approved; sending to N11'),
    QT_TRANSLATE_NOOP("core", '{n} line(s) of {order} shipped with {tracking}; sending to N11'),
    QT_TRANSLATE_NOOP("core", 'invoice link attached to {order}; sending to N11'),
    QT_TRANSLATE_NOOP("core", '{n} unit(s) of {order} cancelled; sending to N11'),
    QT_TRANSLATE_NOOP("core", '{n} order(s) marked as reported to the ERP'),
    QT_TRANSLATE_NOOP("core", 'order {order}: select at least one line'),
    QT_TRANSLATE_NOOP("core", 'order {order}: some selected lines do not belong to it'),
    QT_TRANSLATE_NOOP("core", 'order {order}: line {line} is {name}, only lines waiting for approval can be approved'),
    QT_TRANSLATE_NOOP("core", 'order {order}: line {line} is {name} and cannot be shipped (statuses never go backwards)'),
    QT_TRANSLATE_NOOP("core", 'order {order}: line {line} is {name}; only lines not yet shipped can be cancelled'),
    QT_TRANSLATE_NOOP("core", 'order {order}: line {line}: quantity to cancel must be 1–{n} (got {value})'),
    QT_TRANSLATE_NOOP("core", 'order #{id} does not exist'),
    QT_TRANSLATE_NOOP("core", 'tracking number must be 1–100 characters without spaces'),
    QT_TRANSLATE_NOOP("core", 'invoice date and time {value} is not like 31/01/2026 14:30'),
    QT_TRANSLATE_NOOP("core", 'invoice link must be an https:// address (N11 accepts https PDF/PNG/JPEG links)'),
    QT_TRANSLATE_NOOP("core", 'invoice link is longer than 2048 characters'),
    QT_TRANSLATE_NOOP("core", 'micro-export order: N11 needs the invoice number and the invoice date and time with the link'),
    QT_TRANSLATE_NOOP("core", 'choose at least one line and a quantity to cancel'),
    QT_TRANSLATE_NOOP("core", 'give at least one order number'),
    QT_TRANSLATE_NOOP("core", 'order {order} not found'),
    QT_TRANSLATE_NOOP("core", '{n} orders not found ({shown}); nothing was marked'),
    QT_TRANSLATE_NOOP("core", '{file}: file not found'),
    QT_TRANSLATE_NOOP("core", '{file}: not a UTF-8 text file'),
    QT_TRANSLATE_NOOP("core", '{file}: no order numbers in the file'),
    QT_TRANSLATE_NOOP("core", 'waiting to be sent to N11'),
    # the store registry (core/stores.py): what `stores add|rename|remove|use` and Manage stores… refuse
    QT_TRANSLATE_NOOP("core", 'a store needs a name'),
    QT_TRANSLATE_NOOP("core", 'store name {store} is too long (at most {n} characters)'),
    QT_TRANSLATE_NOOP("core", "store name {store} is not usable: use letters, digits, '-', '_' and '.', starting with a letter or digit (e.g. shop-a)"),
    QT_TRANSLATE_NOOP("core", 'a store named {store} already exists'),
    QT_TRANSLATE_NOOP("core", 'no store named {store} (known: {known}; `n11-desktop stores add NAME` adds one)'),
    QT_TRANSLATE_NOOP("core", 'store {store} already uses {db}; two stores never share a database'),
    QT_TRANSLATE_NOOP("core", 'store {store} is in use: {who} already drives this database; only one scheduler may run per database. Stop it first (its lease goes stale {n} s after it stops).'),
    # the database (core/storage/db.py, postgres.py, core/stores.check_database_url): why it cannot be opened;
    # {database} is a file path or one of the "PostgreSQL database …" lines below, {reason} the driver's own words
    QT_TRANSLATE_NOOP("core", 'PostgreSQL database {label}'),
    QT_TRANSLATE_NOOP("core", 'PostgreSQL database {label} (schema {schema})'),
    QT_TRANSLATE_NOOP("core", 'cannot open PostgreSQL database {label}: {reason}'),
    QT_TRANSLATE_NOOP("core", '{database} holds the tables of another application ({tables}); n11-desktop opens only its own schema and left it untouched (choose another database or schema: ?options=-csearch_path%3Dname)'),
    QT_TRANSLATE_NOOP("core", '{database} holds the tables of another application ({tables} and {n} more); n11-desktop opens only its own schema and left it untouched (choose another database or schema: ?options=-csearch_path%3Dname)'),
    QT_TRANSLATE_NOOP("core", '{database} was written by a newer n11-desktop (schema {revision}); upgrade the app to open it'),
    QT_TRANSLATE_NOOP("core", 'the search_path names no schema to create the tables in'),
    QT_TRANSLATE_NOOP("core", "PostgreSQL needs the psycopg package: pip install 'psycopg[binary]'"),
    QT_TRANSLATE_NOOP("core", '{url} is not a database URL (expected postgresql+psycopg://user:password@host:port/dbname)'),
    QT_TRANSLATE_NOOP("core", '{driver}:// databases are not supported; use an SQLite file path or postgresql+psycopg://user:password@host:port/dbname'),
    QT_TRANSLATE_NOOP("core", '{url} names no database (postgresql+psycopg://user@host/DBNAME)'),
    QT_TRANSLATE_NOOP("core", '{database} is a folder, not a database file'),
    QT_TRANSLATE_NOOP("core", 'cannot read database file {database}: {reason}'),
    QT_TRANSLATE_NOOP("core", '{database} is not an n11-desktop database (not an SQLite file)'),
    QT_TRANSLATE_NOOP("core", '{database} cannot be opened as a database: {reason}'),
    QT_TRANSLATE_NOOP("core", '{database} belongs to another application (SQLite application id {appid}); n11-desktop opens only its own database files and left it untouched'),
    QT_TRANSLATE_NOOP("core", '{database} is the database of another application (tables {tables}); n11-desktop opens only its own database files and left it untouched'),
    QT_TRANSLATE_NOOP("core", '{database} is the database of another application (tables {tables} and {n} more); n11-desktop opens only its own database files and left it untouched'),
    QT_TRANSLATE_NOOP("core", '{database} is damaged (integrity check: {reason})'),
    QT_TRANSLATE_NOOP("core", '{database} cannot be read: {reason}'),
    QT_TRANSLATE_NOOP("core", 'cannot read {database}: {reason}'),
)
_CORE_PATTERNS: list[tuple[re.Pattern, str]] = []


def core_message(message: str | None) -> str:
    """A message the core wrote (English) in the operator's language: a label the core defines, or the
    sentences of CORE_MESSAGES and the penalty messages inside it; anything else stays as it is (N11's
    own Turkish words, file names, values)."""
    if not message:
        return message or ""
    from ..core.formats import language

    if language() == "en":
        return message
    return _core_message(message, 0)


_LABEL_PREFIX = re.compile(r"([^:]{2,60}): (.+)", re.S)


_LONG_PATTERNS: list[tuple[re.Pattern, str]] = []


def _core_message(message: str, depth: int) -> str:
    """Translated when the whole message is known, or each of its comma/semicolon-separated parts is
    ("254 total, 254 ok, nothing to send"); else long known sentences inside it are, and the rest stays
    as written — never a line half Turkish, half English from short pieces."""
    whole = _whole(message, depth)
    if whole is not None:
        return whole
    parts = _split(message)
    if len(parts) > 1 and depth < 4:
        texts = [_whole(p, depth + 1) for p in parts[::2]]
        if all(t is not None for t in texts):
            out = list(parts)
            out[::2] = texts
            return "".join(out)
    if not _LONG_PATTERNS:
        _CORE_PATTERNS or _CORE_PATTERNS.extend(_patterns(CORE_MESSAGES + PENALTY_TEXTS))
        _LONG_PATTERNS.extend(_patterns(PENALTY_TEXTS))
    return _translate_parts(message, _LONG_PATTERNS)  # seed §8 penalty messages inside a longer line


def _whole(message: str, depth: int) -> str | None:
    """``message`` translated as one known text, else None."""
    exact = core_tr(message)
    if exact != message:
        return exact
    if not _CORE_PATTERNS:
        _CORE_PATTERNS.extend(_patterns(CORE_MESSAGES + PENALTY_TEXTS))
    for pattern, template in _CORE_PATTERNS:  # the whole message is one sentence the core writes
        m = pattern.fullmatch(message)
        if m and ("where" not in pattern.groupindex or _where(m.group("where"), depth) is not None):
            return _put(m, template, depth)
    m = _LABEL_PREFIX.fullmatch(message)  # "App Key: is required": a setting's label, then what is wrong
    if m and core_tr(m.group(1)) != m.group(1) and depth < 4:
        rest = _core_message(m.group(2), depth + 1)
        if rest != m.group(2):
            return core_tr(m.group(1)) + ": " + rest
    return None


def _split(message: str) -> list[str]:
    """``message`` cut at ", " and "; " outside brackets: [part, separator, part, …]."""
    out, start, level, i = [], 0, 0, 0
    while i < len(message):
        ch = message[i]
        if ch in "([{":
            level += 1
        elif ch in ")]}":
            level = max(0, level - 1)
        elif level == 0 and ch in ",;" and message.startswith(" ", i + 1):
            out += [message[start:i], message[i:i + 2]]
            start = i = i + 2
            continue
        i += 1
    return out + [message[start:]]


# ---------------------------------------------------------------------------- the N11 snapshot's age
def age_words(seconds: float) -> str:
    """``core.remote_sync.format_age`` in the operator's language ("90 s", "5 min", "2.5 h", "3.0 days")."""
    from ..core.formats import number

    s = int(max(0, seconds))
    if s < 90:
        return fill(translate("core", "%1 s"), s)
    if s < 90 * 60:
        return fill(translate("core", "%1 min"), round(s / 60))
    if s < 48 * 3600:
        return fill(translate("core", "%1 h"), number(s / 3600, 1))
    return fill(translate("core", "%1 days"), number(s / 86400, 1))


def age_text(age) -> str:
    """``SnapshotAge.describe()`` in the operator's language (Turkish: local time, 04.12.2026 17:05)."""
    from ..core.formats import datetime_text, language

    if language() == "en":
        return age.describe()
    if age.as_of is None:
        text = translate("core", "N11 data: never synced (run N11 State Sync)")
    else:
        text = fill(translate("core", "N11 data as of %1 (%2 ago)"), datetime_text(age.as_of), age_words(age.age_s or 0))
        if age.stale:
            text += fill(translate("core", " — older than two sync periods (%1); check N11 State Sync"),
                         age_words(2 * age.period_s))
    if age.in_progress_page is not None:
        text += fill(translate("core", "; a sync is part-way (next page %1)"), age.in_progress_page)
    return text


# ---------------------------------------------------------------------- the audit trail (core/audit.py)
# what the audit trail stores (language-neutral) → what the operator reads
AUDIT_ACTIONS = {
    "save": QT_TRANSLATE_NOOP("core", "save"), "activate": QT_TRANSLATE_NOOP("core", "activate"),
    "deactivate": QT_TRANSLATE_NOOP("core", "deactivate"), "import": QT_TRANSLATE_NOOP("core", "import"),
    "category added": QT_TRANSLATE_NOOP("core", "category added"),
    "category updated": QT_TRANSLATE_NOOP("core", "category updated"),
    "category removed": QT_TRANSLATE_NOOP("core", "category removed"),
    "attribute rule added": QT_TRANSLATE_NOOP("core", "attribute rule added"),
    "attribute rule updated": QT_TRANSLATE_NOOP("core", "attribute rule updated"),
    "attribute rule removed": QT_TRANSLATE_NOOP("core", "attribute rule removed"),
    "value map added": QT_TRANSLATE_NOOP("core", "value map added"),
    "value map updated": QT_TRANSLATE_NOOP("core", "value map updated"),
    "value map removed": QT_TRANSLATE_NOOP("core", "value map removed"),
    "default added": QT_TRANSLATE_NOOP("core", "default added"),
    "default updated": QT_TRANSLATE_NOOP("core", "default updated"),
    "default removed": QT_TRANSLATE_NOOP("core", "default removed"),
    "term set": QT_TRANSLATE_NOOP("core", "term set"), "term removed": QT_TRANSLATE_NOOP("core", "term removed"),
    "schedule set": QT_TRANSLATE_NOOP("core", "schedule set"),
    "schedule reset": QT_TRANSLATE_NOOP("core", "schedule reset"),
    "mapping import": QT_TRANSLATE_NOOP("core", "mapping import"),
}
# the kinds of object an audit row names (``category:Giyim > Tişört``: the part before the colon)
AUDIT_OBJECTS = {
    "channel": QT_TRANSLATE_NOOP("core", "channel"), "category": QT_TRANSLATE_NOOP("core", "category"),
    "attribute": QT_TRANSLATE_NOOP("core", "attribute"), "value": QT_TRANSLATE_NOOP("core", "value"),
    "default": QT_TRANSLATE_NOOP("core", "default"), "term": QT_TRANSLATE_NOOP("core", "term"),
    "schedule": QT_TRANSLATE_NOOP("core", "schedule"), "mapping": QT_TRANSLATE_NOOP("core", "mapping"),
    "file": QT_TRANSLATE_NOOP("core", "file"),
}
# the areas of the audit trail
AUDIT_AREAS = {
    "settings": QT_TRANSLATE_NOOP("core", "settings"), "mapping": QT_TRANSLATE_NOOP("core", "mapping"),
    "schedules": QT_TRANSLATE_NOOP("core", "schedules"),
}


def audit_action(action: str) -> str:
    """An audit row's action in the operator's language (the stored value stays as it is)."""
    return core_tr(AUDIT_ACTIONS[action]) if action in AUDIT_ACTIONS else action


def audit_object(key: str) -> str:
    """``category:Giyim > Tişört`` → ``kategori:Giyim > Tişört`` (the operator's own names stay)."""
    kind, sep, rest = str(key).partition(":")
    if kind in AUDIT_OBJECTS:
        return core_tr(AUDIT_OBJECTS[kind]) + sep + rest
    return key


def audit_area(area: str) -> str:
    return core_tr(AUDIT_AREAS[area]) if area in AUDIT_AREAS else area
