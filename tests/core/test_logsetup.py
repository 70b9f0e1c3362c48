import logging
import os
import stat
import sys

import pytest

from n11_desktop.core.logsetup import register_secret, setup_logging


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_log_file_private_rotating_and_redacted(tmp_path):
    log_dir = tmp_path / "logs"
    path = setup_logging(log_dir)
    try:
        register_secret("s3cr3t-value-xyz")
        logging.getLogger("n11_desktop.test").warning("calling N11 with appSecret=s3cr3t-value-xyz")
        for h in logging.getLogger("n11_desktop").handlers:
            h.flush()
        text = path.read_text(encoding="utf-8")
        assert "s3cr3t-value-xyz" not in text and "appSecret=***" in text
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(log_dir).st_mode) == 0o700
    finally:
        setup_logging(None)
