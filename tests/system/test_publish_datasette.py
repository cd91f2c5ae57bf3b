"""`cahtracker publish` served by a real Datasette on a free loopback port, read over HTTP.

Real processes: `cahtracker publish`, then `datasette` from this environment's bin (and
`publish --serve`, which becomes the Datasette process). Skipped only where the publish
extra is not installed (CI installs it: .ci/run). The stance these tests add is fictional,
in a temporary database."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import process_env, run_process

pytest.importorskip("datasette")
pytestmark = pytest.mark.slow

QUOTE = "Brambleton fictional pledge 5512 on the convention"
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def fetch_json(port: int, path: str):
    status, body = fetch(port, path)
    assert status == 200, (path, status, body[:300])
    return json.loads(body)


def wait_until_it_answers(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.communicate()[1] or b""
            pytest.fail(f"the server exited ({process.returncode}): {err.decode()[-2000:]}")
        try:
            if fetch(port, "/-/versions.json")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"no answer on port {port} within {STARTUP_SECONDS} s")


def stop(process: subprocess.Popen) -> None:
    """Stop the server by its PID (it is this test's child)."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def datasette_command() -> list[str]:
    script = Path(sys.executable).parent / "datasette"
    return [str(script)] if script.exists() else [sys.executable, "-m", "datasette"]


@pytest.fixture
def site(db_path, tmp_path) -> Path:
    recorded = run_process(
        db_path,
        *("position", "set", "Peru", "--topic", "treaty", "--stance", "support"),
        *("--date", "2030-02-01", "--quote", QUOTE, "--source", "test: fictional"),
    )
    assert recorded.returncode == 0, recorded.stderr
    out = tmp_path / "site"
    published = run_process(db_path, "publish", str(out))
    assert published.returncode == 0, published.stderr
    return out


def test_datasette_serves_the_published_copy(db_path, site):
    port = free_port()
    server = subprocess.Popen(
        [
            *datasette_command(),
            str(site / "cahtracker.db"),
            "-m",
            str(site / "metadata.json"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=process_env(PATH=f"{Path(sys.executable).parent}:/usr/bin:/bin"),
    )
    try:
        wait_until_it_answers(server, port)
        listed = run_process(db_path, "sponsors", "list", "-f", "json")
        assert listed.returncode == 0, listed.stderr
        expected = [(r["name"], r["joined_on"]) for r in json.loads(listed.stdout)]
        served = fetch_json(port, "/cahtracker/current_sponsors.json?_shape=array")
        assert expected and [(r["name"], r["joined_on"]) for r in served] == expected

        search = urllib.parse.quote("Brambleton")
        found = fetch_json(port, f"/cahtracker/positions.json?_search={search}&_shape=array")
        assert [r["quote"] for r in found] == [QUOTE]

        assert fetch(port, "/cahtracker/changes")[0] == 404
        assert fetch(port, "/cahtracker/changes.json")[0] == 404
        assert fetch(port, "/cahtracker/settings")[0] == 404

        weog = fetch_json(
            port, "/cahtracker/states.json?regional_group=WEOG&_shape=array&_size=max"
        )
        assert "France" in {r["name"] for r in weog}
        assert len(weog) == 29  # data/SOURCES.md: WEOG = 29
        assert {r["regional_group"] for r in weog} == {"WEOG"}

        meta = fetch_json(port, "/-/metadata.json")
        assert meta["databases"]["cahtracker"]["queries"]["who_has_not_sponsored"]
        missing = fetch_json(
            port, "/cahtracker/who_has_not_sponsored.json?regional_group=WEOG&_shape=array"
        )
        assert "France" in {r["name"] for r in missing}
    finally:
        stop(server)
    assert server.returncode is not None


def test_publish_serve_becomes_the_datasette_server(db_path, tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cahtracker",
            "--db",
            str(db_path),
            "publish",
            str(tmp_path / "site"),
            "--serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=process_env(),
    )
    try:
        wait_until_it_answers(server, port)
        groups = fetch_json(port, "/cahtracker/regional_groups.json?_shape=array")
        assert {r["code"] for r in groups} == {"AG", "APG", "EEG", "GRULAC", "WEOG"}
        assert fetch(port, "/cahtracker/_sqlite_migrations")[0] == 404
    finally:
        stop(server)  # the same PID: publish --serve replaced itself with Datasette
    assert (tmp_path / "site" / "metadata.json").exists()
