"""Qt-free jobs the Channel Settings screen runs on its worker."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping


def check_connection(conf: Mapping[str, Any]) -> str:
    """Ask N11 once (no retries, short timeouts) whether it accepts these credentials; returns the
    line to show, raises the client's error when N11 refuses or cannot be reached."""
    from ..n11.client import client_from_config

    with client_from_config(conf, retries=0, timeout=(5.0, 15.0)) as client:
        client.test_connection()
    return f"Connected: N11 accepted the App Key and App Secret at {conf['base_url']}"



@dataclass(frozen=True)
class WriteResult:
    """What a settings write reports: the field errors (nothing written) or the saved settings."""

    errors: tuple  # FieldError, ...
    snapshot: Any  # SettingsSnapshot | None


def _write(db, fn: Callable[[Any], list]) -> WriteResult:
    """Run ``fn(session)`` in one transaction; roll back if it reports errors."""
    from . import load_settings

    with db.session_factory() as s:
        s.begin()
        try:
            errors = fn(s)
        except Exception:
            s.rollback()
            raise
        if errors:
            s.rollback()
            return WriteResult(tuple(errors), None)
        s.commit()
        with s.begin():
            return WriteResult((), load_settings(s))


def load_snapshot(db):
    """The saved settings (SettingsSnapshot)."""
    from . import load_settings

    with db.session_factory.begin() as s:
        return load_settings(s)


def channel_state(db) -> tuple[str, bool]:
    """(the channel's name, whether it is active) for the status bar."""
    from . import load_config

    with db.session_factory.begin() as s:
        cfg = load_config(s)
        return cfg.name, cfg.is_active


def save(db, conf: Mapping[str, Any], schema: Mapping[str, Any], reasons: Any, *, then_activate: bool = False,
         based_on: int | None = None) -> WriteResult:
    """Validate and save the settings (and activate the channel); nothing is written on an error.
    ``based_on``: the settings version the form was loaded at; refused when someone saved since."""
    from . import activate, save_settings

    def fn(s):
        errors = save_settings(s, conf, schema, reasons=reasons, expected_version=based_on)
        if not errors and then_activate:
            errors = activate(s)
        return errors

    return _write(db, fn)


def deactivate_channel(db, based_on: int | None = None) -> WriteResult:
    from . import deactivate
    from .store import _stale

    def fn(s):
        stale = _stale(s, based_on)
        if stale:
            return stale
        deactivate(s)
        return []

    return _write(db, fn)


def import_file(db, path: str | Path) -> WriteResult:
    """The same door as ``settings import``: a regular file within the size limit, all or nothing."""
    from ..inputs import MAX_SETTINGS_BYTES, InputError, read_limited
    from . import FieldError, import_settings

    def fn(s):
        try:
            text = read_limited(path, door="settings file", max_bytes=MAX_SETTINGS_BYTES).decode("utf-8")
        except InputError as exc:
            return [FieldError("file", "", f"Settings file: {Path(path).name}: {exc.reason}")]
        except UnicodeDecodeError as exc:
            return [FieldError("file", "", f"Settings file: cannot read {Path(path).name}: {exc}")]
        return import_settings(s, text)

    return _write(db, fn)


def export_file(db, path: str | Path, *, include_secret: bool) -> str:
    """Write the saved settings to ``path`` (the App Secret only when asked); returns the path."""
    from . import export_settings

    with db.session_factory.begin() as s:
        text = export_settings(s, include_secret=include_secret)
    Path(path).write_text(text, encoding="utf-8")
    return str(path)
