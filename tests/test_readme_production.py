"""The README's production section, run as written (issue 12 "Done when"): the commands
are read from the README's first shell block under "Production", and only what must
differ on a test machine is substituted (the database, the key file path, the port).
A fresh PostgreSQL schema, `keys generate`, `db upgrade`, `branches add`, `users create`
(password on stdin, as an operator types it), `serve --workers 2` and `worker`; then the admin signs
in over HTTP and both processes answer."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.consultations.test_kill import free_port
from tests.pg import PG_URL, schema_name

pytestmark = pytest.mark.postgres

README = Path(__file__).resolve().parents[1] / "README.md"
BIN = Path(sys.executable).parent
PASSWORD = "Readme-admin-pass-2026"


def production_block() -> tuple[dict[str, str], list[list[str]]]:
    """(exported variables, consultdesk command lines) of the README's production block."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Production", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "README: no ```sh block under ## Production"
    exports: dict[str, str] = {}
    commands: list[list[str]] = []
    for raw in block.group(1).splitlines():
        line = raw.split("  #", 1)[0].strip()
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            exports[name] = value
        elif line.startswith("consultdesk "):
            commands.append(shlex.split(line))
    return exports, commands


def wait_healthy(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "serve exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("serve did not become healthy")


def test_readme_production_block_is_the_expected_path() -> None:
    exports, commands = production_block()
    assert exports["CONSULTDESK_ENVIRONMENT"] == "production"
    assert exports["CONSULTDESK_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert {"CONSULTDESK_SECRET_KEY", "CONSULTDESK_KEY_FILE"} <= exports.keys()
    assert [c[1] for c in commands] == ["db", "branches", "users", "serve", "worker"]
    assert commands[3][1:4] == ["serve", "--workers", "2"]


def test_readme_production_commands_run_as_written(tmp_path: Path) -> None:
    exports, commands = production_block()
    key_file = tmp_path / "keys.json"
    port = free_port()
    with schema_name("readme") as schema:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULTDESK_")}
        env |= {
            "CONSULTDESK_ENVIRONMENT": exports["CONSULTDESK_ENVIRONMENT"],
            "CONSULTDESK_DATABASE_URL": PG_URL,  # the README's host is not this machine
            "CONSULTDESK_DATABASE_SCHEMA": schema,
            "CONSULTDESK_DATA_DIR": str(tmp_path),
            "CONSULTDESK_KEY_FILE": str(key_file),
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        }
        # The README computes the secret with a shell substitution; run it as written.
        secret = subprocess.run(
            ["bash", "-c", f"echo {exports['CONSULTDESK_SECRET_KEY']}"],
            capture_output=True,
            text=True,
            check=True,
            env=env | {"PATH": f"{BIN}{os.pathsep}/usr/bin:/bin"},
        ).stdout.strip()
        assert len(secret) >= 48
        env["CONSULTDESK_SECRET_KEY"] = secret

        keys = subprocess.run(
            ["consultdesk", "keys", "generate", "--file", str(key_file)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert keys.returncode == 0, keys.stderr

        upgrade, branch, create, serve, worker = commands
        for step in (upgrade, branch):
            done = subprocess.run(step, env=env, capture_output=True, text=True, check=False)
            assert done.returncode == 0, done.stderr
        made = subprocess.run(
            create, env=env, input=PASSWORD + "\n", capture_output=True, text=True, check=False
        )
        assert made.returncode == 0, made.stderr
        username = create[create.index("create") + 1]

        serve = [*serve[: serve.index("--port")], "--port", str(port)]
        web_log, jobs_log = tmp_path / "serve.log", tmp_path / "worker.log"
        with web_log.open("wb") as out:
            web = subprocess.Popen(serve, env=env, stdout=out, stderr=subprocess.STDOUT)
        with jobs_log.open("wb") as out:
            jobs = subprocess.Popen(worker, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_healthy(port, web)
            base = f"http://127.0.0.1:{port}"
            ready = httpx.get(f"{base}/readyz", timeout=5).json()
            assert ready["checks"]["database"]["state"] == "ok", ready
            token = httpx.post(
                f"{base}/api/v1/auth/token",
                json={"username": username, "password": PASSWORD},
                timeout=10,
            )
            assert token.status_code == 201, token.text
            bearer = {"Authorization": f"Bearer {token.json()['token']}"}
            # Two processes behind one port: every one of them knows the admin.
            for _ in range(12):
                me = httpx.get(f"{base}/api/v1/me", headers=bearer, timeout=5)
                assert me.status_code == 200 and me.json()["username"] == username
            assert jobs.poll() is None, jobs_log.read_text(encoding="utf-8")
        finally:
            for proc in (jobs, web):
                proc.send_signal(signal.SIGTERM)
            for proc in (jobs, web):
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        assert jobs.returncode == 0, jobs_log.read_text(encoding="utf-8")
        assert "Traceback" not in web_log.read_text(encoding="utf-8")
