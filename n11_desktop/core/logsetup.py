"""Python logging to a rotating file; every record passes through a secret redactor."""

from __future__ import annotations

import logging
import logging.handlers
import os
import threading
from pathlib import Path

_secrets: set[str] = set()
_lock = threading.Lock()
REDACTED = "***"


def register_secret(value: str | None) -> None:
    """Never let ``value`` reach a log line from now on."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for s in secrets:
        if s in text:
            text = text.replace(s, REDACTED)
    return text


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are readable by their owner only (like the database)."""

    def _open(self):  # noqa: D401 - logging API
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.chmod(self.baseFilename, 0o600)
        except OSError:  # pragma: no cover - filesystems without modes
            pass
        return os.fdopen(fd, self.mode, encoding=self.encoding, errors=self.errors)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        clean = redact(msg)
        if clean != msg:
            record.msg, record.args = clean, None
        return True


def setup_logging(log_dir: Path | None, level: int = logging.INFO) -> Path | None:
    """Log to ``log_dir/n11-desktop.log`` (rotating, 5 × 2 MB). Returns the file path."""
    root = logging.getLogger("n11_desktop")
    root.setLevel(level)
    for h in list(root.handlers):
        if getattr(h, "_n11_handler", False):
            root.removeHandler(h)
            h.close()
    if log_dir is None:
        return None
    log_dir.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(log_dir, 0o700)
    except OSError:  # pragma: no cover - filesystems without modes
        pass
    path = log_dir / "n11-desktop.log"
    handler = PrivateRotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler._n11_handler = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    return path
