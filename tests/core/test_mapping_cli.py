"""`n11-desktop mapping import|export|suggest` (DESIGN §9): same code as the GUI, clear exit codes."""

import json

from n11_desktop.cli import main

from .mapping_fixtures import import_demo_catalog, load_tree


def test_mapping_cli_round_trip(db, tmp_path, capsys):
    load_tree(db)
    import_demo_catalog(db)
    path = db.target()
    db.dispose()
    good = tmp_path / "map.csv"
    good.write_text("kind,local,n11_id,category_id\n"
                    "category,Ayakkabı > Kadın > Sneaker,1214202,\n"
                    "category,Ayakkabı > Kadın > Bot,1001797,\n", encoding="utf-8")
    assert main(["--db", path, "mapping", "import", str(good)]) == 1  # one bad row: exit 1, good row kept
    captured = capsys.readouterr()
    assert "row 3, n11_id:" in captured.err and "not a leaf" in captured.err
    assert "1 added" in captured.out
    out = tmp_path / "out.csv"
    assert main(["--db", path, "mapping", "export", str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines()[1] == "category,Ayakkabı > Kadın > Sneaker,1214202,,"
    capsys.readouterr()
    assert main(["--db", path, "mapping", "suggest", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows and {"kind", "local", "n11_id", "n11_name", "confidence", "reason"} <= set(rows[0])
    assert all(r["local"] != "Ayakkabı > Kadın > Sneaker" for r in rows if r["kind"] == "category")
    bot = [r for r in rows if r["local"] == "Ayakkabı > Kadın > Bot" and r["rank"] == 1]
    assert bot and bot[0]["n11_id"] == 1001799
    assert "for Kadın" in bot[0]["reason"] and "covers" in bot[0]["reason"]  # the new ranking's reason
    assert main(["--db", path, "mapping", "import", str(tmp_path / "missing.csv")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_mapping_cli_terms_and_defaults(db, capsys):
    from .mapping_fixtures import load_attributes

    load_tree(db)
    load_attributes(db, 1209218)  # Elbise: Menşei (463) is mandatory
    path = db.target()
    db.dispose()
    assert main(["--db", path, "mapping", "term", "add", "Smart Saat", "Akıllı Saat"]) == 0
    assert "treat “Smart Saat” as “Akıllı Saat”" in capsys.readouterr().out
    assert main(["--db", path, "mapping", "term", "list"]) == 0
    assert capsys.readouterr().out == "Smart Saat\tAkıllı Saat\n"
    assert main(["--db", path, "mapping", "term", "add", " ", "x"]) == 1
    assert "both words" in capsys.readouterr().err
    assert main(["--db", path, "mapping", "term", "remove", "smart saat"]) == 0
    assert main(["--db", path, "mapping", "default", "set", "463", "--text", "Türkiye", "--category", "1209218"]) == 0
    assert "Menşei defaults to Türkiye" in capsys.readouterr().out
    assert main(["--db", path, "mapping", "default", "list"]) == 0
    assert capsys.readouterr().out.startswith("463\t1209218\tTürkiye")
    assert main(["--db", path, "mapping", "default", "set", "463", "--value-id", "1"]) == 1
    assert "not in N11's list" in capsys.readouterr().err
    assert main(["--db", path, "mapping", "default", "remove", "463", "--category", "1209218"]) == 0


def test_mapping_csv_carries_terms_and_defaults(db, tmp_path, capsys):
    from .mapping_fixtures import load_attributes

    load_tree(db)
    load_attributes(db, 1209218)
    path = db.target()
    db.dispose()
    f = tmp_path / "map.csv"
    f.write_text("kind,local,n11_id,category_id,custom_value\n"
                 "term,Smart Saat,,,Akıllı Saat\n"
                 "default,463,,1209218,Türkiye\n"
                 "default,463,,,Kocaman\n"
                 "term,Boş,,,\n", encoding="utf-8")
    assert main(["--db", path, "mapping", "import", str(f)]) == 1
    err = capsys.readouterr().err
    assert "row 4" in err and "row 5, custom_value" in err
    out = tmp_path / "out.csv"
    assert main(["--db", path, "mapping", "export", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert "term,Smart Saat,,,Akıllı Saat" in lines and "default,463,,1209218,Türkiye" in lines
    capsys.readouterr()
    assert main(["--db", path, "mapping", "import", str(out)]) == 0  # round trip: nothing changes
    assert "2 unchanged" in capsys.readouterr().out
