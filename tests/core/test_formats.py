"""Numbers, money, dates and Turkish letters as the operator reads them (issue 15)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from n11_desktop.core import formats as f


def test_money_and_numbers_by_language():
    assert f.money(Decimal("1234.56"), "tr") == "1.234,56 TL"
    assert f.money(Decimal("1234.56"), "en") == "1,234.56 TL"
    assert f.money(None, "tr") == "—"
    assert f.money(Decimal("-1234567.5"), "tr") == "-1.234.567,50 TL"
    assert f.money(Decimal("-0.001"), "tr") == "0,00 TL"
    assert f.number(1234567, 0, "tr") == "1.234.567"
    assert f.number(999, 0, "tr") == "999"
    assert f.percent(12.5, 1, "tr") == "%12,5" and f.percent(12.5, 1, "en") == "12.5%"


def test_dates_by_language():
    assert f.date_text(date(2026, 12, 4), "tr") == "04.12.2026"
    assert f.date_text(date(2026, 12, 4), "en") == "2026-12-04"
    local = datetime(2026, 12, 4, 14, 5, tzinfo=timezone.utc).astimezone()
    assert f.datetime_text(datetime(2026, 12, 4, 14, 5), "tr") == local.strftime("%d.%m.%Y %H:%M")


def test_active_language_is_used_by_default():
    try:
        f.set_language("tr")
        assert f.money(1000) == "1.000,00 TL"
        f.set_language("en")
        assert f.money(1000) == "1,000.00 TL"
    finally:
        f.set_language("en")
    with pytest.raises(ValueError):
        f.set_language("de")


def test_turkish_letters():
    assert f.tr_lower("İSTANBUL ISPARTA") == "istanbul ısparta"
    assert f.tr_upper("istanbul ısparta") == "İSTANBUL ISPARTA"
    assert f.contains("İSTANBUL Kargo", "istanbul")
    assert f.contains("ISPARTA", "ısparta") and f.contains("iPhone KILIF", "kılıf")
    assert not f.contains("Ankara", "istanbul")
    words = ["Zeytin", "çanta", "Ceket", "ılık", "İğne", "ışık", "iplik", "Ördek", "oyun", "şal", "sabun", "ütü", "Uzun"]
    assert sorted(words, key=f.tr_sort_key) == ["Ceket", "çanta", "ılık", "ışık", "İğne", "iplik", "oyun", "Ördek",
                                                 "sabun", "şal", "Uzun", "ütü", "Zeytin"]


def test_language_choice(tmp_path, monkeypatch):
    path = tmp_path / "prefs.json"
    monkeypatch.delenv("N11_DESKTOP_LANG", raising=False)
    assert f.system_language({"LANG": "tr_TR.UTF-8"}) == "tr"
    assert f.system_language({"LANG": "en_US.UTF-8"}) == "en"
    monkeypatch.setattr(f, "system_language", lambda env=None: "tr")
    assert f.choose_language(None, path) == "tr"  # a Turkish system
    f.save_language("en", path)
    assert f.choose_language(None, path) == "en"  # the saved preference
    assert f.choose_language("tr", path) == "tr"  # --lang wins
    path.write_text("{broken", encoding="utf-8")
    assert f.saved_language(path) is None  # a damaged file means no preference
