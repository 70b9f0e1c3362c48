"""Qt-free jobs the Channel Settings screen runs on its worker."""

from __future__ import annotations

from typing import Any, Mapping


def check_connection(conf: Mapping[str, Any]) -> str:
    """Ask N11 once (no retries, short timeouts) whether it accepts these credentials; returns the
    line to show, raises the client's error when N11 refuses or cannot be reached."""
    from ..n11.client import client_from_config

    with client_from_config(conf, retries=0, timeout=(5.0, 15.0)) as client:
        client.test_connection()
    return f"Connected: N11 accepted the App Key and App Secret at {conf['base_url']}"

