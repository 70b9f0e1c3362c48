"""A throwaway PostgreSQL server in a temporary directory, for the tests and ``n11-desktop bench``.

It uses the server programs of this machine (``$N11_DESKTOP_PG_BIN``, else ``initdb``/``pg_ctl``
on PATH, else the newest ``/usr/lib/postgresql/*/bin``), else those of the ``pgserver`` wheel
(PyPI; part of the ``test`` extra) when it is installed. PostgreSQL refuses to run as
root, so as root the cluster belongs to an unprivileged user (``nobody``) and lives in a
directory of the system temp folder that user owns. The server listens on loopback TCP on a
free port (and on a Unix socket in its directory), trusts local connections, and checks a
password for the role made by :meth:`LocalPostgres.create_role` (to test wrong passwords).
Durability is off (``fsync=off``): a test server, never a store's.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUPERUSER = "postgres"
#: the one role whose password the server checks (create it with create_role)
PASSWORD_ROLE = "n11_pw"


class LocalPostgresError(RuntimeError):
    """No server could be started here (no binaries, or they failed); the message says why."""


def find_bindir() -> Path | None:
    """The directory with ``initdb``, ``pg_ctl`` and ``postgres``, or None."""
    candidates: list[Path] = []
    env = os.environ.get("N11_DESKTOP_PG_BIN")
    if env:
        candidates.append(Path(env))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(os.path.realpath(initdb)).parent)

    def version(p: str) -> float:
        try:
            return float(Path(p).parent.name)
        except ValueError:
            return 0.0

    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        candidates.append(Path(d))
    try:  # the pgserver wheel ships a PostgreSQL build (without pg_trgm)
        import importlib.util

        spec = importlib.util.find_spec("pgserver")
        if spec is not None and spec.origin:
            candidates.append(Path(spec.origin).parent / "pginstall" / "bin")
    except (ImportError, ValueError):
        pass
    for d in candidates:
        if all((d / exe).exists() for exe in ("initdb", "pg_ctl", "postgres")):
            return d
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalPostgres:
    """``start()`` a fresh cluster, hand out URLs, ``stop()`` and remove it."""

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir or find_bindir()
        self.port = 0
        self.root: Path | None = None
        self._run_as: str | None = None
        self._started = False

    # ------------------------------------------------------------------ lifecycle
    def _run(self, args: list[str], **kw) -> subprocess.CompletedProcess:
        extra = {}
        if self._run_as is not None:
            extra = {"user": self._run_as, "group": _group_of(self._run_as), "extra_groups": []}
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C", "TZ": "UTC"}
        return subprocess.run(args, capture_output=True, text=True, env=env, cwd=str(self.root), **extra, **kw)

    def start(self, timeout_s: float = 60.0) -> "LocalPostgres":
        if self.bindir is None:
            raise LocalPostgresError("no PostgreSQL server programs (initdb, pg_ctl) on PATH or in "
                                     "/usr/lib/postgresql/*/bin (install the postgresql package)")
        as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        parent = _temp_parent() if as_root else None
        self.root = Path(tempfile.mkdtemp(prefix="n11-desktop-pg-", dir=parent))
        if as_root:  # initdb/postgres refuse root: the cluster belongs to nobody
            self._run_as = "nobody"
            import pwd

            pw = pwd.getpwnam(self._run_as)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        atexit.register(self.stop)
        data = self.root / "data"
        res = self._run([str(self.bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust",
                         "-E", "UTF8", "--no-locale", "--no-sync"], timeout=timeout_s)
        if res.returncode != 0:
            self.cleanup()
            raise LocalPostgresError(f"initdb failed: {(res.stderr or res.stdout).strip()[-400:]}")
        (data / "pg_hba.conf").write_text(
            "local all all trust\n"
            f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n"
            "host all all 127.0.0.1/32 trust\n"
            "host all all ::1/128 trust\n")
        last = ""
        for _attempt in range(3):
            self.port = _free_port()
            opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                    "-c shared_buffers=32MB")
            res = self._run([str(self.bindir / "pg_ctl"), "-D", str(data), "-l", str(self.root / "server.log"),
                             "-o", opts, "-w", "-t", str(int(timeout_s)), "start"], timeout=timeout_s + 10)
            if res.returncode == 0:
                self._started = True
                return self
            try:
                last = (self.root / "server.log").read_text()[-400:]
            except OSError:
                last = (res.stderr or res.stdout).strip()[-400:]
        self.cleanup()
        raise LocalPostgresError(f"the PostgreSQL server did not start: {last.strip()}")

    def stop(self) -> None:
        if self._started and self.root is not None:
            self._started = False
            try:
                self._run([str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate",
                           "-w", "stop"], timeout=60)
            except (OSError, subprocess.SubprocessError):
                pass
        self.cleanup()

    def cleanup(self) -> None:
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    # ------------------------------------------------------------------ addresses
    def url(self, dbname: str = "postgres", *, user: str = SUPERUSER, password: str | None = None,
            schema: str | None = None) -> str:
        auth = f"{user}:{password}" if password is not None else user
        url = f"postgresql+psycopg://{auth}@127.0.0.1:{self.port}/{dbname}"
        if schema:
            url += f"?options=-csearch_path%3D{schema}"
        return url

    def execute(self, sql: str, dbname: str = "postgres") -> None:
        """Run ``sql`` as the superuser (autocommit: CREATE DATABASE works)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=dbname,
                             autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, name: str) -> str:
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def create_role(self, password: str, name: str = PASSWORD_ROLE) -> str:
        """A login role that may create schemas in the database ``postgres``; the server checks
        the password of :data:`PASSWORD_ROLE` (other roles are trusted). Returns its name."""
        self.execute(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
        self.execute(f"GRANT CREATE ON DATABASE postgres TO {name}")
        return name

    def wait_ready(self, timeout_s: float = 10.0) -> None:
        end = time.monotonic() + timeout_s
        while True:
            try:
                self.execute("SELECT 1")
                return
            except Exception:  # noqa: BLE001
                if time.monotonic() > end:
                    raise
                time.sleep(0.1)


def _searchable_by_all(path: Path) -> bool:
    """Whether every folder from / down to ``path`` lets other users through (o+x)."""
    try:
        p = path.resolve()
        return all(os.stat(d).st_mode & 0o001 for d in [p, *p.parents])
    except OSError:
        return False


def _temp_parent() -> str:
    """A temp folder the unprivileged server user can reach ($TMPDIR may be root's own)."""
    for cand in (tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"):
        if Path(cand).is_dir() and _searchable_by_all(Path(cand)):
            return cand
    raise LocalPostgresError("no temp folder that the unprivileged user 'nobody' can reach "
                             "(set TMPDIR to one, e.g. /tmp)")


def _group_of(user: str) -> int:
    import pwd

    return pwd.getpwnam(user).pw_gid
