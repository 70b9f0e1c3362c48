import json

from n11_desktop.cli import main

MIXED = ("sku;title;price;stock;images\n"
         "C-1;Kadın Sneaker Beyaz Deri;1.234,50;4;https://img.example.com/c1.jpg\n"
         "C-2;Erkek Tişört Pamuklu Siyah;bedava;2;\n"
         "C-3;Erkek Gömlek Slim Fit Beyaz;299,90;;http://img.example.com/c3.jpg\n"
         "C-4;Kadın Elbise Midi Çiçekli;450;7;\n")


def test_catalog_import_reports_bad_rows_and_imports_good_ones(tmp_path, capsys):
    db = str(tmp_path / "c.db")
    f = tmp_path / "mixed.csv"
    f.write_text(MIXED, encoding="cp1254")

    assert main(["--db", db, "catalog", "import", str(f), "--dry-run"]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == ["row 3, column price: 'bedava' is not a number",
                                "row 4, column images: 'http://img.example.com/c3.jpg' is not an https:// image URL"]
    assert "+ C-1: new product" in out and "Dry run" in out and "2 would be created" in out
    assert main(["--db", db, "products", "list", "--json"]) == 0
    assert capsys.readouterr().out == ""  # the dry run wrote nothing

    assert main(["--db", db, "catalog", "import", str(f)]) == 1
    out, err = capsys.readouterr()
    assert len(err.splitlines()) == 2 and "2 created" in out

    assert main(["--db", db, "products", "list", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["sku"] for r in rows] == ["C-1", "C-4"]
    assert rows[0]["price"] == "1234.50" and rows[0]["stock"] == 4 and rows[0]["state"] == "not_sent"
    assert {"sku", "state", "n11_product_id", "last_error", "price", "stock", "in_catalog"} <= set(rows[0])
    assert rows[0]["title"] == "Kadın Sneaker Beyaz Deri"

    good = tmp_path / "good.csv"
    good.write_text("sku,stock\nC-1,9\n", encoding="utf-8")
    assert main(["--db", db, "catalog", "import", str(good)]) == 0
    assert "1 updated" in capsys.readouterr().out

    assert main(["--db", db, "products", "list", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "C-1" in out and "C-4" not in out and "1 of 2 products" in out
    assert main(["--db", db, "products", "list", "--state", "not_sent", "--text", "elbise", "--json"]) == 0
    assert [json.loads(x)["sku"] for x in capsys.readouterr().out.splitlines()] == ["C-4"]


def test_catalog_import_unusable_file_is_one_line(tmp_path, capsys):
    db = str(tmp_path / "c.db")
    assert main(["--db", db, "catalog", "import", str(tmp_path / "nope.csv")]) == 1
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "no such file" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("sku;stok\nA;1\n", encoding="utf-8")
    assert main(["--db", db, "catalog", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "column stok: unknown column" in err and "Traceback" not in err
