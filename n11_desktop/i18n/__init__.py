"""The Turkish UI through Qt's own translation machinery.

``n11_desktop_tr.ts`` (kept in the repo, updated with ``python -m n11_desktop.i18n update``, which runs
``pyside6-lupdate`` over the sources) is compiled to ``.qm`` by ``pyside6-lrelease``:
``python -m n11_desktop.i18n build`` writes it next to the ``.ts`` for packaging; when that file is missing
or stale (its ``.src`` stamp names another ``.ts`` content) the app compiles it into the user cache
directory at start. Qt's own ``qtbase_tr.qm`` translates the standard dialogs' buttons.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..core import formats

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent
#: what lupdate scans: every file that shows text to the operator (the desktop app and the command line)
SOURCE_GLOBS = ("views/*.py", "views/*/*.py", "gui.py", "workers/*.py", "cli.py", "commands/*.py",
                "i18n/argparse_texts.py", "i18n/core_texts.py")
LANGS = ("tr",)


def ts_path(lang: str = "tr") -> Path:
    return HERE / f"n11_desktop_{lang}.ts"


def packaged_qm_path(lang: str = "tr") -> Path:
    return HERE / f"n11_desktop_{lang}.qm"


def source_files() -> list[Path]:
    files: list[Path] = []
    for pattern in SOURCE_GLOBS:
        files.extend(sorted(PACKAGE.glob(pattern)))
    return files


def _tool(name: str) -> str:
    """``lupdate`` / ``lrelease`` as shipped inside the PySide6 wheel (else the pyside6-* wrapper)."""
    import PySide6

    exe = name + (".exe" if sys.platform == "win32" else "")
    for candidate in (Path(PySide6.__file__).parent / exe, Path(PySide6.__file__).parent / "Qt" / "bin" / exe):
        if candidate.is_file():
            return str(candidate)
    wrapper = shutil.which(f"pyside6-{name}")
    if wrapper:
        return wrapper
    raise FileNotFoundError(f"{name} not found (it ships with PySide6-Essentials)")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_lupdate(ts: Path, sources: list[Path] | None = None) -> None:
    """Update ``ts`` from the sources (no line numbers, so edits elsewhere do not churn the file)."""
    files = sources if sources is not None else source_files()
    cmd = [_tool("lupdate"), *[str(f) for f in files], "-ts", str(ts), "-locations", "none",
           "-no-obsolete", "-source-language", "en", "-target-language", "tr_TR"]
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def compile_qm(ts: Path, qm: Path) -> Path:
    qm.parent.mkdir(parents=True, exist_ok=True)
    tmp = qm.with_name(qm.name + f".{os.getpid()}.tmp")
    subprocess.run([_tool("lrelease"), "-silent", str(ts), "-qm", str(tmp)], check=True,
                   capture_output=True, text=True)
    os.replace(tmp, qm)
    return qm


def build(lang: str = "tr") -> Path:
    """Compile the packaged ``.qm`` next to the ``.ts`` (what a wheel or a desktop build ships)."""
    ts, qm = ts_path(lang), packaged_qm_path(lang)
    compile_qm(ts, qm)
    qm.with_suffix(".qm.src").write_text(_digest(ts) + "\n", encoding="utf-8")
    return qm


def qm_file(lang: str = "tr") -> Path | None:
    """The compiled translations for ``lang``: the packaged one when it matches the ``.ts``, else one
    compiled into the user cache directory (``None`` when neither is possible)."""
    ts, packaged = ts_path(lang), packaged_qm_path(lang)
    stamp = packaged.with_suffix(".qm.src")
    if not ts.is_file():  # a frozen build may ship the .qm alone
        return packaged if packaged.is_file() else None
    digest = _digest(ts)
    try:
        if packaged.is_file() and stamp.read_text(encoding="utf-8").strip() == digest:
            return packaged
    except OSError:
        pass
    import platformdirs

    from ..core.paths import APP_AUTHOR, APP_NAME

    cached = Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR)) / "i18n" / f"n11_desktop_{lang}-{digest[:16]}.qm"
    if cached.is_file():
        return cached
    try:
        return compile_qm(ts, cached)
    except (OSError, subprocess.CalledProcessError) as exc:
        log.warning("could not compile the %s translations (%s); showing English", lang, exc)
        return packaged if packaged.is_file() else None


_installed: list = []  # translators stay referenced while the application lives


def install(app, lang: str) -> list:
    """Set the language for formats and load Qt's and our translations into ``app``."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    formats.set_language(lang)
    _headless.clear()  # the application's translators answer from now on
    for tr in _installed:
        app.removeTranslator(tr)
    _installed.clear()
    if lang == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return []
    QLocale.setDefault(QLocale(QLocale.Language.Turkish, QLocale.Country.Turkey))
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in (f"qtbase_{lang}", f"qt_{lang}"):
        qt = QTranslator(app)
        if qt.load(name, qt_dir):
            app.installTranslator(qt)
            _installed.append(qt)
            break
    qm = qm_file(lang)
    ours = QTranslator(app)
    if qm is not None and ours.load(str(qm)):
        app.installTranslator(ours)
        _installed.append(ours)
    else:
        log.warning("no %s translations found; showing English", lang)
    return list(_installed)


# ---------------------------------------------------------------------------- headless (command line)
_headless: list = []  # the QTranslator the command line reads (no QCoreApplication there)


def use_language(lang: str) -> None:
    """The command line's language: formats, and our ``.qm`` loaded into a bare QTranslator (the
    commands never create a QCoreApplication; PySide6.QtCore is imported only for Turkish, ~70 ms)."""
    formats.set_language(lang)
    _headless.clear()
    if lang == "en":
        return
    from PySide6.QtCore import QTranslator

    qm = qm_file(lang)
    translator = QTranslator()
    if qm is not None and translator.load(str(qm)):
        _headless.append(translator)
    else:
        log.warning("no %s translations found; the command line speaks English", lang)


def translate(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """``QCoreApplication.translate`` for code that runs with or without an application: the
    application's translators when there is one, else the command line's (``use_language``), else
    ``text``. ``%n`` is replaced by ``n`` as Qt does. lupdate extracts ``translate("ctx", "text")``
    calls from the sources."""
    out = ""
    if _headless:
        out = _headless[0].translate(context, text, disambiguation, n)
    elif "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QCoreApplication

        if QCoreApplication.instance() is not None:
            out = QCoreApplication.translate(context, text, disambiguation, n)
    out = out or text
    if n >= 0:
        out = out.replace("%n", str(n))
    return out


def fill(template: str, *values: object) -> str:
    """Put ``values`` into a translated template's %1, %2, … in one pass (chained replace() would
    turn "%10" into the value of %1 followed by "0")."""
    import re

    return re.sub(r"%(\d+)", lambda m: str(values[int(m.group(1)) - 1]) if 0 < int(m.group(1)) <= len(values)
                  else m.group(0), template)

