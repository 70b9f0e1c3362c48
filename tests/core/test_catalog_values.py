from decimal import Decimal

import pytest

from n11_desktop.core.catalog import values as V


@pytest.mark.parametrize("cell, expected", [
    ("1.234,50", "1234.50"), ("1234,5", "1234.50"), ("1,234.50", "1234.50"), ("1234.50", "1234.50"),
    ("1.234", "1234.00"), ("12.345.678,9", "12345678.90"), ("199,90 TL", "199.90"), ("₺ 49,9", "49.90"),
    ("1 299,00", "1299.00"), ("0,5", "0.50"), (1234.5, "1234.50"), (99, "99.00"),
])
def test_money_accepts_turkish_and_excel_formats(cell, expected):
    assert V.money(cell) == Decimal(expected)


@pytest.mark.parametrize("cell", ["abc", "1,2,3,4", "12,345,6", "-5", "1.2.3", "0.999", "1,2345", ""])
def test_money_rejects_garbage_with_a_message(cell):
    with pytest.raises(ValueError) as exc:
        V.money(cell)
    assert str(exc.value)


def test_codes_from_excel():
    assert V.code(8680000000123.0) == "8680000000123"
    assert V.code(" ABC-1 ") == "ABC-1"
    with pytest.raises(ValueError, match="scientific notation"):
        V.code("8,68E+12")


@pytest.mark.parametrize("cell, expected", [("20", 20), ("%10", 10), (1, 1), ("0", 0), (0.2, 20), ("0,10", 10)])
def test_vat(cell, expected):
    assert V.vat_rate(cell) == expected


@pytest.mark.parametrize("cell", ["18", "8", "abc", 5])
def test_vat_rejects_old_or_unknown_rates(cell):
    with pytest.raises(ValueError, match="0, 1, 10, 20"):
        V.vat_rate(cell)


def test_booleans_and_images_and_categories():
    assert V.boolean("Evet") is True and V.boolean("0") is False and V.boolean(1.0) is True
    with pytest.raises(ValueError):
        V.boolean("belki")
    assert V.images(" https://a.example/1.jpg | https://a.example/2.jpg ") == [
        "https://a.example/1.jpg", "https://a.example/2.jpg"]
    with pytest.raises(ValueError, match="https"):
        V.images("http://a.example/1.jpg")
    assert V.category_path("Giyim>Erkek >  Tişört") == "Giyim > Erkek > Tişört"
    with pytest.raises(ValueError):
        V.category_path("Giyim > > Tişört")
