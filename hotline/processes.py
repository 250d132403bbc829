"""Start the Rasa server, the action server and the hotline service together; stop them together.

Used by `make run` (through `hotline run`) and by the end-to-end tests, so both start the
system the same way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from hotline.config import REPO_ROOT

VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Ports:
    rasa: int = 5005
    actions: int = 5055
    hotline: int = 8000


def endpoints_file(ports: Ports, directory: Path) -> Path:
    """endpoints.yml as committed, or a copy in `directory` for another action-server port.
    (Rasa's tracker database follows HOTLINE_VAR_DIR, see bot/tracker_store.py.)"""
    source = REPO_ROOT / "endpoints.yml"
    if ports.actions == Ports.actions:
        return source
    target = directory / "endpoints.yml"
    target.write_text(source.read_text().replace("localhost:5055", f"localhost:{ports.actions}"))
    return target


def commands(model: Path, ports: Ports, endpoints: Path) -> dict[str, list[str]]:
    rasa = str(VENV_BIN / "rasa")
    return {
        "rasa": [
            rasa, "run", "--enable-api", "--model", str(model),
            "--interface", "127.0.0.1", "--port", str(ports.rasa),
            "--endpoints", str(endpoints), "--credentials", str(REPO_ROOT / "credentials.yml"),
        ],
        "actions": [rasa, "run", "actions", "--actions", "actions", "--port", str(ports.actions)],
        "hotline": [str(VENV_BIN / "python"), "-m", "hotline.cli", "serve"],
    }  # fmt: skip


class ProcessGroup:
    """Child processes that live and die together."""

    def __init__(self) -> None:
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], env: dict[str, str], log_file=None) -> None:
        self.processes[name] = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT if log_file else None,
            start_new_session=True,  # Ctrl-C reaches us once; we stop the children in order
        )

    def stop(self, name: str, timeout: float = 15) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def kill(self, name: str) -> None:
        """Stop a process abruptly, as a crash would."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop(name)

    def exited(self) -> str | None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                return name
        return None


def wait_until_healthy(url: str, group: ProcessGroup, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (name := group.exited()) is not None:
            raise RuntimeError(f"{name} exited while starting")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not become healthy in {timeout:.0f} s")


def run_all(model: Path) -> int:
    """`make run`: all three in the foreground until Ctrl-C or one of them stops."""
    ports = Ports(hotline=int(os.environ.get("HOTLINE_PORT", "8000")))
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    group = ProcessGroup()
    stopping = False

    def on_signal(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        for name, command in commands(model, ports, endpoints_file(ports, REPO_ROOT)).items():
            group.start(name, command, env)
        print("Starting Rasa, the action server and the hotline (Rasa takes ~30 s)...", flush=True)
        try:
            wait_until_healthy(f"http://localhost:{ports.hotline}/healthz", group)
            print(
                f"\nSafeline is running. Phone simulator: http://localhost:{ports.hotline}/simulator"
                "\nCtrl-C stops everything.\n",
                flush=True,
            )
        except (RuntimeError, TimeoutError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        while not stopping:
            if (name := group.exited()) is not None:
                print(f"error: {name} stopped; stopping the others", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    finally:
        print("Stopping...", flush=True)
        group.stop_all()
