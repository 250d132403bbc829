"""A throwaway PostgreSQL server for the test run (Debian's packages; see scripts/)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.net import free_port


def server_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """initdb + pg_ctl in a temporary directory; as root, the server runs as `postgres`."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="safeline-pg-"))
        self.port = free_port()
        self._as_server_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.base, "postgres", "postgres")
            self._as_server_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command: str) -> None:
        subprocess.run(
            [*self._as_server_user, *command], check=True, capture_output=True, cwd=self.base
        )

    def start(self) -> str:
        data = self.base / "data"
        self._run(
            str(self.bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "safeline",
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
            str(self.base / "server.log"), "-w", "start",
        )  # fmt: skip
        return f"postgresql+psycopg2://safeline@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"), "-m", "immediate",
                "stop",
            )  # fmt: skip
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
