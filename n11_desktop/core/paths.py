"""Where things live on disk (platformdirs: right on Windows, macOS and Linux)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "n11-desktop"
APP_AUTHOR = "n11-desktop"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def default_db_path() -> Path:
    return data_dir() / "n11-desktop.db"
