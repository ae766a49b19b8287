"""``web.run_app`` and ``python -m cyhttp.web``, in subprocesses: aiohttp's banner, serving,
a clean stop on SIGINT and SIGTERM (cleanup hooks run), and the CLI's errors."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")

APP = textwrap.dedent("""
    import sys
    from cyhttp import web

    async def hello(request):
        return web.Response(text="hi from run_app")

    async def on_cleanup(app):
        print("cleanup ran", flush=True)

    def init(argv):
        app = web.Application()
        app.router.add_get("/", hello)
        app.on_cleanup.append(on_cleanup)
        app["argv"] = argv
        return app
    """)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([SRC, str(cwd)]), PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for_line(proc: subprocess.Popen[str], needle: str, timeout: float = 20) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen += line
        if needle in line:
            return seen
    raise AssertionError(f"{needle!r} not printed; got {seen!r}; stderr {proc.stderr.read() if proc.stderr else ''}")


def get(port: int) -> str:
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                return r.read().decode()
        except OSError:
            time.sleep(0.05)
    raise AssertionError("no answer")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_run_app_banner_serves_and_stops_cleanly(tmp_path: Path, sig: int) -> None:
    port = free_port()
    (tmp_path / "myapp.py").write_text(APP + textwrap.dedent(f"""
        if __name__ == "__main__":
            web.run_app(init([]), host="127.0.0.1", port={port})
        """))
    proc = start(["myapp.py"], tmp_path)
    try:
        banner = wait_for_line(proc, "(Press CTRL+C to quit)")
        assert f"======== Running on http://127.0.0.1:{port} ========" in banner
        assert get(port) == "hi from run_app"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert "cleanup ran" in out
    assert proc.returncode == 0, err


def test_cli_runs_an_init_function(tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "myapp.py").write_text(APP)
    proc = start(["-m", "cyhttp.web", "-H", "127.0.0.1", "-P", str(port), "myapp:init", "--extra"],
                 tmp_path)
    try:
        wait_for_line(proc, "(Press CTRL+C to quit)")
        assert get(port) == "hi from run_app"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert "Stopped" in err and "cleanup ran" in out  # argparse exits through stderr
    assert proc.returncode == 0, err


@pytest.mark.parametrize(("target", "message"), [
    ("nocolon", "'entry-func' not in 'module:function' syntax"),
    (".rel:init", "relative module names not supported"),
    ("no_such_module_xyz:init", "unable to import no_such_module_xyz"),
    ("myapp:missing", "module 'myapp' has no attribute 'missing'"),
])
def test_cli_bad_target_is_a_clear_error(tmp_path: Path, target: str, message: str) -> None:
    (tmp_path / "myapp.py").write_text(APP)
    proc = start(["-m", "cyhttp.web", target], tmp_path)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 2
    assert message in err
    assert "Traceback" not in err
