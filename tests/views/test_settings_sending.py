"""Channel Settings tab: the "Sending (n11-desktop)" group."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox

from n11_desktop.core.settings import ensure_channel, load_config
from n11_desktop.core.settings.schema import SENDING_FIELDS, SENDING_GROUP, default_schema

from .test_settings_tab import click, make_tab, save  # noqa: F401 - fixture

DEFAULTS = [1000, 100, 50, 1000]


def test_sending_group_shows_defaults_and_saves_values(db, make_tab, qtbot):
    tab = make_tab(db)
    box = tab.findChild(QGroupBox, "sending_group")
    assert box is not None and box.title() == SENDING_GROUP and box.isVisible()
    assert [tab.editors[f].value() for f in SENDING_FIELDS] == DEFAULTS
    assert "N11 accepts at most 1000" in tab.rows["queue_page_size"].help.text()
    spin = tab.editors["queue_page_size"].spin
    assert spin.maximum() == 1000  # the widget cannot go beyond N11's limit
    spin.setValue(250)
    tab.editors["guard_price_drop_pct"].spin.setValue(20)
    assert save(qtbot, tab) == ()
    with db.session_factory() as s:
        cfg = load_config(s)
        assert cfg.get("queue_page_size") == 250 and cfg.get("guard_price_drop_pct") == 20
    spin.setValue(spin.minimum())  # "default (1000)"
    assert spin.text() == "default (1000)"
    assert save(qtbot, tab) == ()
    with db.session_factory() as s:
        assert load_config(s).get("queue_page_size") == 1000


def test_a_database_from_before_shows_the_group_with_defaults(db, make_tab):
    with db.session_factory.begin() as s:
        ch = ensure_channel(s)
        ch.schema_type = {k: v for k, v in default_schema().items() if k not in SENDING_FIELDS}
        ch.conf = {k: v for k, v in ch.conf.items() if k not in SENDING_FIELDS}
    tab = make_tab(db)
    assert [tab.editors[f].value() for f in SENDING_FIELDS] == DEFAULTS
