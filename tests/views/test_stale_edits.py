"""Two operators on one store (issue 16): an edit in a screen loaded before someone else's change is
refused with who and when, instead of silently overwriting it; after a reload it goes through."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from n11_desktop.core import audit
from n11_desktop.core.mapping.store import set_category_mapping
from n11_desktop.core.settings import load_config, load_settings, save_settings
from n11_desktop.core.storage.models import CategoryMapping

from .test_mapping_tab import SNEAKER, _select_local, _select_node
from .test_mapping_tab import tab as mapper  # noqa: F401 - the Mapper fixture
from .test_settings_tab import make_tab, save  # noqa: F401 - the fixture and a helper


@pytest.fixture(autouse=True)
def _operator():
    yield
    audit.set_operator(None)


def test_settings_saved_elsewhere_after_the_form_loaded_are_not_overwritten(qtbot, db, make_tab):  # noqa: F811
    tab = make_tab(db)
    audit.set_operator("b@ofis-2")  # another operator saves while this form is open
    with db.session_factory.begin() as s:
        assert save_settings(s, {"buffer_stock": 7}) == []
    audit.set_operator("a@ofis-1")
    tab.editors["buffer_stock"].set_value(2)
    errors = save(qtbot, tab)
    assert errors and "changed by b@ofis-2 at" in errors[0].message and "reload" in errors[0].message
    assert "changed by b@ofis-2" in tab.problems.text()
    with db.session_factory() as s:
        assert load_config(s).buffer_stock == 7  # B's value stands
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        tab.reload()
    assert tab.snapshot.conf["buffer_stock"] == 7
    tab.editors["buffer_stock"].set_value(2)
    assert save(qtbot, tab) == ()
    with db.session_factory() as s:
        assert load_config(s).buffer_stock == 2
    with db.session_factory() as s:
        rows = [(r.operator, r.action) for r in audit.history(s, "settings")]
    assert rows == [("a@ofis-1", "save"), ("b@ofis-2", "save")]


def test_a_category_mapped_elsewhere_after_the_mapper_loaded_is_not_remapped(qtbot, mapper):  # noqa: F811
    tab = mapper
    db = tab.services.db
    _select_local(tab, qtbot, "Ayakkabı > Kadın > Sneaker")
    audit.set_operator("b@ofis-2")
    with db.session_factory.begin() as s:  # another operator maps it meanwhile
        set_category_mapping(s, "Ayakkabı > Kadın > Sneaker", 1001799)  # Kadın Bot
    audit.set_operator("a@ofis-1")
    qtbot.keyClicks(tab.tree_filter, "KADIN SNEAKER")
    qtbot.waitUntil(lambda: tab.tree_proxy._keep is not None
                    and tab.tree_proxy.mapFromSource(tab.tree_model.index_of(SNEAKER)).isValid())
    _select_node(tab, SNEAKER)
    qtbot.mouseClick(tab.btn_map, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "changed by b@ofis-2" in tab.map_message.text(), timeout=10_000)
    assert "reload" in tab.map_message.text()
    # the Mapper reloads by itself: it now shows the other operator's mapping
    qtbot.waitUntil(lambda: any(r.local == "Ayakkabı > Kadın > Sneaker" and r.n11_id == 1001799
                                for r in tab.local_model.rows), timeout=10_000)
    with db.session_factory() as s:
        assert [m.category_id for m in s.scalars(select(CategoryMapping))] == [1001799]


def test_the_refusal_reads_in_turkish(db):
    """The line the screens show, in the operator's language (who and when stay as written)."""
    from n11_desktop.views.core_texts import core_message

    with db.session_factory() as s:
        loaded = load_settings(s)
    audit.set_operator("b@ofis-2")
    with db.session_factory.begin() as s:
        assert save_settings(s, {"buffer_stock": 7}) == []
    with db.session_factory.begin() as s:
        message = save_settings(s, {"buffer_stock": 2}, expected_version=loaded.version)[0].message
    from n11_desktop import i18n

    i18n.use_language("tr")
    try:
        text = core_message(message)
    finally:
        i18n.use_language("en")
    assert text.startswith("kanal ayarları, siz yükledikten sonra b@ofis-2 tarafından") and "(kaydetme)" in text  # the action too
