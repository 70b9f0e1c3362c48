import pytest
from sqlalchemy import select

from n11_desktop.core.mapping.csvfile import export_mapping_csv, import_mapping_csv
from n11_desktop.core.mapping.store import (
    MappingError,
    set_attribute_rule,
    set_category_mapping,
    set_value_mapping,
)
from n11_desktop.core.storage.models import AttributeRule, CategoryMapping, ValueMapping

from .mapping_fixtures import load_attributes, load_tree

SNEAKER, TSHIRT = 1214202, 1001915


@pytest.fixture
def mdb(db):
    load_tree(db)
    load_attributes(db, SNEAKER, TSHIRT)
    return db


def _counts(db):
    with db.session_factory.begin() as s:
        return (len(s.scalars(select(CategoryMapping)).all()), len(s.scalars(select(AttributeRule)).all()),
                len(s.scalars(select(ValueMapping)).all()))


def test_category_mapping_needs_a_live_leaf_and_is_one_to_one(mdb):
    with mdb.session_factory.begin() as s:
        with pytest.raises(MappingError, match="not a leaf"):
            set_category_mapping(s, "Ayakkabı > Kadın > Sneaker", 1001794)  # Kadın Ayakkabı (has children)
        with pytest.raises(MappingError, match="not in the category tree"):
            set_category_mapping(s, "Ayakkabı > Kadın > Sneaker", 999)
        assert set_category_mapping(s, " Ayakkabı >Kadın> Sneaker ", SNEAKER).action == "added"
        assert set_category_mapping(s, "Ayakkabı > Kadın > Sneaker", SNEAKER).action == "unchanged"
        with pytest.raises(MappingError, match="only one N11 category"):
            set_category_mapping(s, "Ayakkabı > Kadın > Sneaker", 1214222)
        assert set_category_mapping(s, "Ayakkabı > Kadın > Sneaker", 1214222, replace=True).action == "updated"
    assert _counts(mdb) == (1, 0, 0)


def test_rules_and_values_validate_against_n11(mdb):
    with mdb.session_factory.begin() as s:
        set_attribute_rule(s, "Renk", 429)
        set_attribute_rule(s, "Beden", 370, SNEAKER)
        with pytest.raises(MappingError, match="not an attribute of"):
            set_attribute_rule(s, "Beden", 370, TSHIRT)  # shoes use Numara, shirts Beden
        with pytest.raises(MappingError, match="unknown"):
            set_attribute_rule(s, "Foo", 987654)
        with pytest.raises(MappingError, match="not in N11's list"):
            set_value_mapping(s, "Beden", "38", value_id=1, category_id=SNEAKER)
        with pytest.raises(MappingError, match="no attribute rule"):
            set_value_mapping(s, "Cinsiyet", "Kadın", value_id=1)
        assert set_value_mapping(s, "Renk", "Koyu Siyah", custom_value="Siyah").action == "added"
    assert _counts(mdb) == (0, 2, 1)


def test_csv_import_keeps_exactly_the_good_rows_and_is_idempotent(mdb, tmp_path):
    from n11_desktop.sandbox import data

    numara_38 = next(v["id"] for a in data.category_attributes(SNEAKER) if a["id"] == 370
                     for v in a["values"] if v["name"] == "38")
    f = tmp_path / "map.csv"
    f.write_text(
        "kind,local,n11_id,category_id\n"
        "category,Ayakkabı > Kadın > Sneaker,1214202,\n"     # 2 good
        "category,Giyim > Erkek > Tişört,1001873,\n"         # 3 bad: not a leaf
        "category,Ayakkabı > Kadın > Sneaker,1214222,\n"     # 4 bad: second leaf for the same local
        "attribute,Renk,429,\n"                              # 5 good (global)
        f"attribute,Beden,370,{SNEAKER}\n"                   # 6 good (scoped)
        "attribute,Beden,abc,\n"                             # 7 bad: not a number
        f"value,Beden=38,{numara_38},{SNEAKER}\n"            # 8 good
        "value,Beden38,1,\n"                                 # 9 bad: not Name=Value
        f"value,Beden=39,12345,{SNEAKER}\n"                  # 10 bad: value not in list
        "colour,x,1,\n"                                      # 11 bad: kind
        "attribute,Beden,361,1001794\n",                     # 12 bad: scope is not a leaf
        encoding="utf-8")
    with mdb.session_factory.begin() as s:
        rep = import_mapping_csv(s, f)
    assert (rep.added, rep.updated, rep.unchanged) == (4, 0, 0)
    assert [(e.row, e.column) for e in rep.errors] == [(3, "n11_id"), (4, "n11_id"), (7, "n11_id"), (9, "local"),
                                                       (10, "n11_id"), (11, "kind"), (12, "category_id")]
    assert "not a leaf" in rep.errors[0].reason and "row 2" in rep.errors[1].reason
    assert _counts(mdb) == (1, 2, 1)
    with mdb.session_factory.begin() as s:
        again = import_mapping_csv(s, f)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)
    assert _counts(mdb) == (1, 2, 1)
    out1, out2 = tmp_path / "a.csv", tmp_path / "b.csv"
    with mdb.session_factory.begin() as s:
        assert export_mapping_csv(s, out1) == 4
    with mdb.session_factory.begin() as s:
        assert import_mapping_csv(s, out1).written == 0
        export_mapping_csv(s, out2)
    assert out1.read_bytes() == out2.read_bytes()
    assert out1.read_text(encoding="utf-8").splitlines()[0] == "kind,local,n11_id,category_id,custom_value"


def test_csv_without_required_columns_changes_nothing(mdb, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("type,name\ncategory,x\n", encoding="utf-8")
    with mdb.session_factory.begin() as s, pytest.raises(MappingError, match="missing column"):
        import_mapping_csv(s, f)
    f.write_bytes(b"kind,local,n11_id,category_id\ncategory,\xff\xfe,1,\n")
    with mdb.session_factory.begin() as s, pytest.raises(MappingError, match="UTF-8"):
        import_mapping_csv(s, f)
    assert _counts(mdb) == (0, 0, 0)
