"""Where the App Secret lives: the system keyring when one is usable, else the database.

The backend is chosen by ``N11_DESKTOP_KEYRING``: ``auto`` (default) uses the system keyring
unless it is keyring's fail/null backend (no keyring installed or running), ``none`` forces
the database fallback (table ``secret_value``; the UI shows a warning), ``system`` insists on
the keyring. Keyring entries are scoped to the database file, so two profiles don't share one.
Values are registered with the log redactor whenever they are read or written.
"""

from __future__ import annotations

import logging
import os

from sqlalchemy.orm import Session

from ..logsetup import register_secret
from ..storage.app_state import put_value
from ..storage.models import SecretValue

log = logging.getLogger(__name__)

SERVICE = "n11-desktop"
ENV = "N11_DESKTOP_KEYRING"


def _backend():
    mode = os.environ.get(ENV, "auto").strip().lower()
    if mode in ("none", "db", "database", "off"):
        return None
    try:
        import keyring
        from keyring.backends import fail

        kr = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - any import/backend problem means "no keyring"
        return None
    if isinstance(kr, fail.Keyring):
        return None
    try:
        from keyring.backends import null

        if isinstance(kr, null.Keyring):
            return None
    except ImportError:  # pragma: no cover
        pass
    try:
        if float(getattr(kr, "priority", 1)) <= 0 and mode != "system":
            return None
    except Exception:  # noqa: BLE001
        pass
    return kr


def keyring_available() -> bool:
    return _backend() is not None


def _username(session: Session, name: str) -> str:
    bind = session.get_bind()
    where = getattr(getattr(bind, "url", None), "database", None) or "default"
    return f"{name}@{where}"


def get_secret(session: Session, name: str) -> str | None:
    kr = _backend()
    if kr is not None:
        try:
            value = kr.get_password(SERVICE, _username(session, name))
        except Exception as exc:  # noqa: BLE001
            log.warning("system keyring could not be read (%s); using the database fallback", type(exc).__name__)
            value = None
        if value:
            register_secret(value)
            return value
    row = session.get(SecretValue, name)
    if row is not None and row.value:
        register_secret(row.value)
        return row.value
    return None


def set_secret(session: Session, name: str, value: str) -> bool:
    """Store ``value`` (empty clears it). True: the system keyring holds it; False: the database does."""
    value = value or ""
    register_secret(value)
    kr = _backend()
    if kr is not None:
        try:
            user = _username(session, name)
            if value:
                kr.set_password(SERVICE, user, value)
            else:
                try:
                    kr.delete_password(SERVICE, user)
                except Exception:  # noqa: BLE001 - nothing stored
                    pass
        except Exception as exc:  # noqa: BLE001
            log.warning("system keyring could not be written (%s); storing in the database", type(exc).__name__)
        else:
            row = session.get(SecretValue, name)
            if row is not None:
                session.delete(row)
            return True
    put_value(session, SecretValue, name, value or None)
    session.flush()
    return False


def secret_location(session: Session, name: str) -> str:
    """"keyring", "database" or "none" (not stored anywhere)."""
    kr = _backend()
    if kr is not None:
        try:
            if kr.get_password(SERVICE, _username(session, name)):
                return "keyring"
        except Exception:  # noqa: BLE001
            pass
    row = session.get(SecretValue, name)
    return "database" if row is not None and row.value else "none"
