"""Hostile files through the GUI doors (issue 20): the Mapper's import says what is wrong in one
line and changes nothing; a formula in a local name is refused while the good rows are kept."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from n11_desktop.core.storage.models import CategoryMapping
from n11_desktop.views.mapping_tab import MappingTab

from .test_mapping_tab import tab  # noqa: F401 - the fixture


def _mapped(tab) -> set[str]:  # noqa: F811
    with tab.services.db.session_factory() as s:
        return set(s.scalars(select(CategoryMapping.local_category)))


def _import(tab, qtbot, monkeypatch, path, until: str):  # noqa: F811
    monkeypatch.setattr(MappingTab, "ask_path", classmethod(lambda cls, parent, save: str(path)))
    seen: list[str] = []

    def shown() -> bool:
        if until in tab.status.text():
            seen.append(tab.status.text())
        return bool(seen)

    qtbot.mouseClick(tab.btn_import, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(shown)
    qtbot.waitUntil(tab.is_ready)
    return seen[0]


def test_mapper_import_of_a_broken_csv_is_one_line_and_changes_nothing(tab, qtbot, tmp_path, monkeypatch):  # noqa: F811
    before = _mapped(tab)
    broken = tmp_path / "broken.csv"
    broken.write_text("kind,local,n11_id,category_id\n"
                      "category,Ayakkabı > Kadın > Sneaker,1214202,\n"
                      'category,"Giyim > Erkek > Tişört,42,\n', encoding="utf-8")
    text = _import(tab, qtbot, monkeypatch, broken, "broken.csv")
    assert "broken.csv" in text and "row 3" in text and "never closed" in text, text
    assert "\n" not in text
    assert _mapped(tab) == before


def test_mapper_import_refuses_a_formula_name_and_keeps_the_good_row(tab, qtbot, tmp_path, monkeypatch):  # noqa: F811
    f = tmp_path / "mapping.csv"
    f.write_text("kind,local,n11_id,category_id\n"
                 "category,Ayakkabı > Kadın > Sneaker,1214202,\n"
                 'category,"=HYPERLINK(""http://evil.example"",""x"")",1214202,\n', encoding="utf-8")
    text = _import(tab, qtbot, monkeypatch, f, "Import:")
    assert "1 added" in text and "row 3" in text and "formula" in text, text
    assert "Ayakkabı > Kadın > Sneaker" in _mapped(tab)
    assert not [n for n in _mapped(tab) if n.startswith("=")]
