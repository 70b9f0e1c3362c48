"""The Turkish UI is complete and in sync with the sources, and views pass their text through tr()."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from n11_desktop import i18n

from .scan import english_fstrings, tr_inside_fstrings, untranslated, untranslated_cli

VIEWS = Path(i18n.PACKAGE, "views")
#: views whose strings are not all behind tr() yet (issue 15 lands tab by tab); this list only shrinks
PENDING: set[str] = set()
_PLACEHOLDER = re.compile(r"%(?:n|\d+)")


def _messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    root = ET.parse(ts).getroot()
    return [(ctx.findtext("name"), m.findtext("source"), m) for ctx in root.iter("context") for m in ctx.iter("message")]


def test_every_turkish_string_is_finished():
    problems = []
    for ctx, source, msg in _messages(i18n.ts_path("tr")):
        tr = msg.find("translation")
        texts = [f.text or "" for f in tr.iter("numerusform")] if msg.get("numerus") == "yes" else [tr.text or ""]
        if tr.get("type") in ("unfinished", "vanished", "obsolete") or not all(t.strip() for t in texts):
            problems.append(f"[{ctx}] {source!r}: not translated")
            continue
        for t in texts:
            want, got = set(_PLACEHOLDER.findall(source)), set(_PLACEHOLDER.findall(t))
            # "%85" in Turkish is eighty-five percent (the sign goes first), not placeholder 85
            if want - got or {p for p in got - want if p == "%n" or int(p[1:]) <= 12}:
                problems.append(f"[{ctx}] {source!r}: the translation {t!r} lost or added a placeholder")
    assert not problems, "\n".join(problems)


def test_ts_is_in_sync_with_the_sources(tmp_path):
    """lupdate over today's sources finds exactly the strings the .ts holds (run
    ``python -m n11_desktop.i18n update`` and translate the new ones when this fails)."""
    fresh = tmp_path / "fresh_tr.ts"
    i18n.run_lupdate(fresh)
    want = {(c, s) for c, s, _ in _messages(fresh)}
    have = {(c, s) for c, s, _ in _messages(i18n.ts_path("tr"))}
    assert not want - have, f"strings missing from the .ts: {sorted(want - have)[:20]}"
    assert not have - want, f"strings in the .ts no source uses any more: {sorted(have - want)[:20]}"


def test_views_pass_their_text_through_tr():
    problems = []
    for path in sorted(VIEWS.rglob("*.py")) + [Path(i18n.PACKAGE, "gui.py")]:
        if path.name in PENDING:
            continue
        problems += [f"{path.name}:{line}: {text!r}" for line, text in untranslated(path)]
        problems += [f"{path.name}:{line}: {text} inside an f-string (lupdate cannot see it)"
                     for line, text in tr_inside_fstrings(path)]
        problems += [f"{path.name}:{line}: English f-string {text!r} (build it with tr() and %1)"
                     for line, text in english_fstrings(path)]
    assert not problems, "user-visible literals outside tr():\n" + "\n".join(problems)


def test_pending_list_only_names_files_still_pending():
    done = sorted(name for name in PENDING if not untranslated(VIEWS / name))
    assert not done, f"these views are fully translated now: take them off PENDING: {done}"


def test_scan_catches_literals(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('w.setToolTip("Send the products")\nQLabel(f"Total {n}")\n'
                   'QMessageBox.warning(self, self.tr("Ok"), "Broken")\nw.setText(self.tr("Fine"))\n'
                   'w.setText("—")\nt.setHorizontalHeaderLabels(["SKU", self.tr("Title")])\n', encoding="utf-8")
    assert [line for line, _ in untranslated(bad)] == [1, 2, 3, 6]


def test_stale_packaged_qm_is_compiled_into_the_cache(tmp_path, monkeypatch):
    import platformdirs

    here = tmp_path / "pkg"
    here.mkdir()
    shutil.copy(i18n.ts_path("tr"), here / "n11_desktop_tr.ts")
    monkeypatch.setattr(i18n, "HERE", here)
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: str(tmp_path / "cache"))
    qm = i18n.qm_file("tr")  # no packaged .qm: compiled into the cache
    assert qm is not None and qm.parent == tmp_path / "cache" / "i18n" and qm.stat().st_size > 1000
    built = i18n.build("tr")  # the packaged one once it matches the .ts
    assert i18n.qm_file("tr") == built
    (here / "n11_desktop_tr.ts").write_text((here / "n11_desktop_tr.ts").read_text(encoding="utf-8")
                                            .replace("Ürünler", "Ürün listesi"), encoding="utf-8")
    stale = i18n.qm_file("tr")  # the .ts changed: the packaged .qm is stale
    assert stale != built and stale.parent == tmp_path / "cache" / "i18n"


@pytest.fixture
def turkish(qapp):
    i18n.install(qapp, "tr")
    yield
    i18n.install(qapp, "en")


def test_main_window_in_turkish(qtbot, db, turkish):
    from PySide6.QtWidgets import QDialogButtonBox

    from n11_desktop.app import build_services
    from n11_desktop.views.main_window import MainWindow

    w = MainWindow(build_services(db))
    qtbot.addWidget(w)
    titles = [w.tabs.tabText(i).replace("&&", "&") for i in range(w.tabs.count())]
    assert titles == ["Kanal Ayarları", "Kategori Eşleştirme", "Ürünler", "Siparişler", "Gösterge Paneli",
                      "İzleme", "Alarmlar"]
    qtbot.waitUntil(lambda: "etkin" in w.channel_label.text())
    assert w.channel_label.text() == "Kanal N11: etkin değil"
    assert w.scheduler_label.text().startswith("Zamanlayıcı:")
    # Qt's own qtbase_tr.qm translates the standard buttons
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text().replace("&", "") == "İptal"
    w.close()


def test_preferences_dialog_stores_the_language(qtbot, tmp_path):
    from n11_desktop.core import formats
    from n11_desktop.views.preferences_dialog import PreferencesDialog

    path = tmp_path / "preferences.json"
    dlg = PreferencesDialog(path=path)
    qtbot.addWidget(dlg)
    dlg.language.setCurrentIndex(dlg.language.findData("tr"))
    dlg.accept()
    assert formats.saved_language(path) == "tr"
    assert formats.choose_language(None, path) in ("en", "tr")  # N11_DESKTOP_LANG may pin it in tests
    assert formats.choose_language("en", path) == "en"
    dlg2 = PreferencesDialog(path=path)
    qtbot.addWidget(dlg2)
    assert dlg2.language.currentData() == "tr"
    dlg2.language.setCurrentIndex(0)  # back to the system language
    dlg2.accept()
    assert formats.saved_language(path) is None


def test_lang_option_is_checked(capsys):
    from n11_desktop.cli import main

    assert main(["--lang", "de", "--version"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_core_labels_are_all_translatable():
    from n11_desktop.core import alarms
    from n11_desktop.core.flows.base import all_specs
    from n11_desktop.core.metrics import KPI_LABELS
    from n11_desktop.core.orders import status
    from n11_desktop.core.settings.defaults import FEATURE_FLAGS
    from n11_desktop.core.settings.schema import HELP, LABELS, SENDING_GROUP
    from n11_desktop.views.core_texts import CORE_LABELS

    labels = {k.label for k in alarms.KINDS.values()} | {p[1] for k in alarms.KINDS.values() for p in k.params}
    labels |= {s.name for s in all_specs()} | set(status.LABELS.values())
    labels |= {t for pair in KPI_LABELS.values() for t in pair}
    labels |= set(LABELS.values()) | {SENDING_GROUP} | set(HELP.values())
    labels |= {info[k] for info in FEATURE_FLAGS.values() for k in ("description", "schedule")}
    assert not labels - set(CORE_LABELS), f"add to views/core_texts.py: {sorted(labels - set(CORE_LABELS))}"


def test_local_categories_sort_in_turkish_alphabetical_order(qtbot, turkish):
    from PySide6.QtCore import Qt

    from n11_desktop.views.mapping_models import SORT_ROLE, Column, FoldFilterProxy, RowsModel

    model = RowsModel([Column("Local category", lambda r: r)])
    model.set_rows(["Zeytin", "çanta", "Ceket", "ılık", "İğne", "ışık", "iplik", "Ördek", "oyun", "şal", "sabun"])
    proxy = FoldFilterProxy(lambda r: r)  # built while Turkish is the language
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    shown = [proxy.index(i, 0).data() for i in range(proxy.rowCount())]
    assert shown == ["Ceket", "çanta", "ılık", "ışık", "İğne", "iplik", "oyun", "Ördek", "sabun", "şal", "Zeytin"]
    proxy.set_query("IGNE")  # search folds İ/ı/I/i
    assert [proxy.index(i, 0).data() for i in range(proxy.rowCount())] == ["İğne"]


def test_penalty_messages_are_shown_in_turkish_with_n11_words_kept(turkish):
    from n11_desktop.core import formats, penalty
    from n11_desktop.views.core_texts import PENALTY_TEXTS, penalty_text

    core = {penalty.MSG_STOCK_NOT_FOUND, penalty.MSG_PRICE_NOT_FOUND, penalty.MSG_PRODUCT_NOT_FOUND,
            penalty.MSG_CATEGORY, penalty.MSG_PENDING_APPROVAL, penalty.MSG_SELLER_CODE, penalty.MSG_NOT_IN_QUEUE,
            penalty.MSG_CATALOG_SUGGEST, penalty.CATALOG_SUGGEST_FIX, penalty.MSG_SENT_TO_REMOTE}
    assert not core - set(PENALTY_TEXTS), "views/core_texts.PENALTY_TEXTS is out of step with core/penalty.py"
    msg = penalty.MSG_CATEGORY.format(name="Kadın Sneaker", id=1214202)
    assert penalty_text(msg) == ("Ürün N11'de Kadın Sneaker kategorisinde, kategori ID'si 1214202 ile listeleniyor. "
                                 "Ürünü yeniden göndermek için bu ID'yi girebilirsiniz.")
    said = penalty.translate_reason("Ürün bulunamadı")
    assert penalty_text(said) == "Ürün bulunamadı"
    rejected = penalty.translate_reason("Geçersiz barkod")
    assert penalty_text(rejected) == "N11 kaydı reddetti: Geçersiz barkod"  # N11's own words unchanged
    assert "3 saat" in penalty_text(penalty.MSG_SENT_TO_REMOTE.format(hours=3))
    formats.set_language("en")
    try:
        assert penalty_text(msg) == msg
    finally:
        formats.set_language("tr")


def test_schedules_read_in_turkish(turkish):
    from n11_desktop.core.flows.base import all_specs
    from n11_desktop.core.schedules import describe
    from n11_desktop.views.core_texts import schedule_text

    texts = {describe(spec.schedule) for spec in all_specs()}
    assert schedule_text("every 5 min, every 8 h (late shipments)") == "her 5 dakikada, her 8 saatte (geciken kargolar)"
    assert schedule_text("daily 03:00 (Istanbul), on activation") == "her gün 03:00 (İstanbul), etkinleştirilince"
    for text in texts:  # every schedule a flow has today is fully translated
        assert not re.search(r"\b(every|daily|after|on|manual)\b", schedule_text(text)), (text, schedule_text(text))


CLI_FILES = sorted(Path(i18n.PACKAGE, "commands").glob("*.py")) + [Path(i18n.PACKAGE, "cli.py")]


def test_commands_pass_their_text_through_translate():
    """What the command line prints and its --help go through Qt's translations (translate("cli", …))."""
    problems = []
    for path in CLI_FILES:
        problems += [f"commands/{path.name}:{line}: {text!r}" for line, text in untranslated_cli(path)]
        problems += [f"commands/{path.name}:{line}: {text} inside an f-string (lupdate cannot see it)"
                     for line, text in tr_inside_fstrings(path)]
        problems += [f"commands/{path.name}:{line}: English f-string {text!r} (use fill(translate(...)))"
                     for line, text in english_fstrings(path, program_prefix=True)]
    assert not problems, "command line literals outside translate():\n" + "\n".join(problems)


def test_fstring_scan_catches_prose(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('text = f"{n} rows saved"\nstyle = f"color: {c}; font-weight: 600;"\nname = f"tab_{slug}"\n'
                   'raise AttributeError(f"{name!r} object has no attribute")\nlabel = f"<b>{x}</b>"\n', encoding="utf-8")
    assert [line for line, _ in english_fstrings(bad)] == [1]


def test_cli_scan_catches_literals(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('p.add_argument("--x", help="the x")\nprint(f"wrote {n} rows")\nctx.err("n11-desktop run: stopped")\n'
                   'print(translate("cli", "fine"))\nctx.err(f"n11-desktop run: {msg}")\nprint_table(["sku", x], rows)\n'
                   'raise ActionError("give numbers")\nprint(json.dumps(row))\n', encoding="utf-8")
    assert [line for line, _ in untranslated_cli(bad)] == [1, 2, 3, 6, 7]


def test_lupdate_sees_every_translate_call():
    """lupdate's Python parser can lose its way (quotes nested in f-strings): every translate("ctx", "…")
    and QT_TRANSLATE_NOOP("ctx", "…") the sources hold must be in the .ts."""
    import ast

    have = {(c, s) for c, s, _ in _messages(i18n.ts_path("tr"))}
    wanted = set()
    for path in i18n.source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in
                    ("translate", "QT_TRANSLATE_NOOP") and len(node.args) >= 2
                    and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:2])):
                wanted.add((node.args[0].value, node.args[1].value, path.name))
    lost = sorted(f"{name}: [{c}] {s!r}" for c, s, name in wanted if (c, s) not in have)
    assert not lost, "lupdate did not extract these (simplify the code around them):\n" + "\n".join(lost)


def test_command_line_speaks_turkish(tmp_path, capsys):
    from n11_desktop.cli import main
    from n11_desktop.core import formats

    db = str(tmp_path / "t.db")
    assert main(["--lang", "tr", "--db", db, "settings", "show"]) == 0
    out = capsys.readouterr().out
    assert "* zorunlu" in out and "Etkinleştirmeye hazır değil (6 sorun):" in out
    assert "Kategori Ağacı" not in out and "Kuyruk En Fazla Görev" in out  # the settings' labels in Turkish
    assert formats.language() == "en"  # main() called in-process leaves the language as it was
    assert main(["--lang", "tr", "--db", db, "flow", "run"]) == 2
    assert "hata: şu argümanlar gerekli: slug (bkz. --help)" in capsys.readouterr().err
    assert main(["--lang", "tr", "--db", db, "flow", "list"]) == 0
    out = capsys.readouterr().out
    assert "Kategori Ağacı" in out and "her gün 03:00 (İstanbul)" in out and "kısa ad" in out
    assert main(["--db", db, "flow", "list"]) == 0  # English without --lang (the tests pin N11_DESKTOP_LANG=en)
    assert "Category Node" in capsys.readouterr().out


def test_dashboard_dates_and_n11_data_age_in_turkish(qtbot, turkish):
    from datetime import datetime, timedelta, timezone

    from n11_desktop.core.remote_sync import SnapshotAge
    from n11_desktop.views.core_texts import age_text
    from n11_desktop.views.dashboard_charts import _plot

    w = _plot("x")
    qtbot.addWidget(w)
    w.resize(800, 300)
    w.show()
    axis = w.getPlotItem().getAxis("bottom")
    qtbot.waitUntil(lambda: hasattr(axis, "fontMetrics"))  # set when the axis first paints
    t0, t1 = (datetime(2026, 12, d, 12, tzinfo=timezone.utc).timestamp() for d in (3, 5))
    labels = [s for spacing, values in axis.tickValues(t0, t1, 700) for s in axis.tickStrings(values, 1, spacing)]
    assert "Cum 04" in labels and not any("Fri" in s or "Sat" in s for s in labels)
    as_of = datetime(2026, 12, 4, 11, 5)
    assert age_text(SnapshotAge(as_of, 5, False, 900, None, 10)).startswith("N11 verileri ")
    assert "(5 sn önce)" in age_text(SnapshotAge(as_of, 5, False, 900, None, 10))
    stale = age_text(SnapshotAge(as_of - timedelta(hours=3), 3 * 3600, True, 900, 4, 10))
    assert "(3,0 sa önce) — iki eşitleme süresinden (30 dk) eski" in stale and "sonraki sayfa 4" in stale
    assert age_text(SnapshotAge(None, None, True, 900, None, 0)) == "N11 verileri: hiç eşitlenmedi (N11 Durum Eşitleme'yi çalıştırın)"


def test_core_message_templates_keep_their_fields():
    from n11_desktop.views.core_texts import CORE_MESSAGES, core_tr

    field = re.compile(r"\{(\w+)(?::[^}]*)?\}")
    i18n.use_language("tr")
    try:
        bad = [t for t in CORE_MESSAGES if set(field.findall(t)) != set(field.findall(core_tr(t)))]
    finally:
        i18n.use_language("en")
    assert not bad, f"the Turkish of these lost or added a {{field}}: {bad}"


def test_core_messages_read_in_turkish(db, turkish):
    from n11_desktop.core import alarms
    from n11_desktop.core.catalog.importer import RowError
    from n11_desktop.views.core_texts import core_message

    with db.session_factory.begin() as s:
        alarms.seed_default_alarms(s)
        rows = alarms.list_alarms(s)
        for r in rows:  # the default alarms' names and conditions (core/alarms.py) in Turkish
            assert core_message(r.name) != r.name, r.name
            assert core_message(r.condition) != r.condition, r.condition
    assert core_message("no successful stock run ever (limit 30 min)") == "hiç başarılı stock çalışması yok (sınır 30 dk)"
    assert core_message("App Key: is required") == "App Key (API anahtarı): zorunlu"
    assert core_message(str(RowError(3, "price", "the price must be above 0"))) == "satır 3, sütun price: fiyat 0'dan büyük olmalı"
    assert core_message("Dry run: 296 rows read, 12 would be created, 3 would be updated, 281 unchanged") == (
        "Deneme: 296 satır okundu, 12 oluşturulacak, 3 güncellenecek, 281 değişmedi")
    assert [core_message(t) for t in ("same name", "free text", "free text: Kinetix")] == [  # the Mapper's How column
        "aynı ad", "serbest metin", "serbest metin: Kinetix"]
    assert core_message("Ürün bulunamadı") == "Ürün bulunamadı"  # N11's own words stay as they are
    assert core_message("some text the core does not know") == "some text the core does not know"
    run = "Product Create: done — 262 total, 254 ok, 8 penalized, 254 record(s) sent in 1 task(s) (batch 1)"
    assert core_message(run) == ("Ürün Oluşturma: tamamlandı — toplam 262, 254 başarılı, 8 cezalı, "
                                 "254 kayıt 1 görevle gönderildi (toplu iş 1)")
    assert core_message("700 record(s) sent in 4 task(s) (batch 2); N11 already processed 3 of the tasks: 597 ok, "
                        "3 failed") == ("700 kayıt 4 görevle gönderildi (toplu iş 2); N11 görevlerin 3 tanesini işledi "
                                        "bile: 597 başarılı, 3 başarısız")
    assert core_message("catalog file: x.csv: row 3, column price: the price must be above 0") == (
        "katalog dosyası: x.csv: satır 3, sütun price: fiyat 0'dan büyük olmalı")
    assert core_message("interval: '5x' is not a duration (examples: 90s, 5m, 2h, 1d)").startswith("aralık: '5x' bir")
    assert core_message("catalog file: x.csv: a reason the core never wrote") == (
        "catalog file: x.csv: a reason the core never wrote")
    half = "0 new orders, 24 updated, 3 parcels the core never described"
    assert core_message(half) == half  # a line is translated whole or not at all


def test_database_refusals_read_in_turkish(turkish):
    """What the core says when a database cannot be opened, as the store switch, Manage stores and the
    command line show it: the host, paths and the driver's own reason kept as they are."""
    from n11_desktop.views.core_texts import core_message

    assert core_message("cannot open PostgreSQL database db.example:5432/shop: Connection refused") == (
        "PostgreSQL veritabanı db.example:5432/shop açılamıyor: Connection refused")
    foreign = ("PostgreSQL database h:5432/shop (schema a) holds the tables of another application (x, y, z and 2 more); "
               "n11-desktop opens only its own schema and left it untouched "
               "(choose another database or schema: ?options=-csearch_path%3Dname)")
    assert core_message(foreign) == (
        "PostgreSQL veritabanı h:5432/shop (şema a) başka bir uygulamanın tablolarını içeriyor (x, y, z ve 2 tane daha); "
        "n11-desktop yalnızca kendi şemasını açar ve ona dokunmadı "
        "(başka bir veritabanı ya da şema seçin: ?options=-csearch_path%3Dname)")
    assert core_message("PostgreSQL database h/shop was written by a newer n11-desktop (schema 9999); "
                        "upgrade the app to open it") == (
        "PostgreSQL veritabanı h/shop daha yeni bir n11-desktop tarafından yazılmış (şema 9999); "
        "açmak için uygulamayı güncelleyin")
    assert core_message("PostgreSQL needs the psycopg package: pip install 'psycopg[binary]'") == (
        "PostgreSQL için psycopg paketi gerekiyor: pip install 'psycopg[binary]'")
    assert core_message("shop.db is not an n11-desktop database (not an SQLite file)") == (
        "shop.db bir n11-desktop veritabanı değil (SQLite dosyası değil)")


def test_english_command_line_does_not_load_qt(tmp_path):
    """Qt's translator is loaded only for Turkish: an English command pays no PySide6 import."""
    import os
    import subprocess
    import sys

    code = ("import sys; from n11_desktop.cli import main; "
            f"rc = main(['--lang', 'en', '--db', {str(tmp_path / 'x.db')!r}, 'flow', 'list']); "
            "print(rc, 'PySide6.QtCore' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(Path(i18n.PACKAGE).parent)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "0 False", out.stderr[-2000:]
