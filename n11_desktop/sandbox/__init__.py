"""Local, stateful simulator of N11's seller API (REST + SOAP). See ``server.SandboxServer``."""

from .server import DEMO_APP_KEY, DEMO_APP_SECRET, SandboxServer

__all__ = ["DEMO_APP_KEY", "DEMO_APP_SECRET", "SandboxServer"]
