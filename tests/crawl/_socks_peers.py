"""Real SOCKS servers for the tests: pproxy (PyPI, SOCKS4/4a/5/5h) and microsocks (Debian,
real reply codes: authentication failure and a refused CONNECT), each in a subprocess."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

# pproxy would install uvloop's policy and then ask for a loop it never made: run it on a
# plain asyncio loop of its own.
_PPROXY = ("import sys, asyncio; sys.modules['uvloop'] = None; asyncio.set_event_loop(asyncio.new_event_loop()); "
           "from pproxy.server import main; sys.argv[0] = 'pproxy'; main()")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the SOCKS server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the SOCKS server did not start listening")


@contextmanager
def _running(cmd: list[str], port: int) -> Iterator[int]:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_listening(port, proc)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait()


@contextmanager
def pproxy_socks(auth: str | None = None) -> Iterator[int]:
    """pproxy serving SOCKS4(a) and SOCKS5 on one port; yields the port."""
    pytest.importorskip("pproxy", reason="pproxy (the test extra) is the SOCKS test server")
    port = free_port()
    listen = f"socks4+socks5://127.0.0.1:{port}" + (f"#{auth}" if auth else "")
    with _running([sys.executable, "-c", _PPROXY, "-l", listen], port) as p:
        yield p


@contextmanager
def microsocks(user: str, password: str) -> Iterator[int]:
    """microsocks with a username and password; yields the port (skips without the binary)."""
    binary = shutil.which("microsocks")
    if binary is None:
        pytest.skip("microsocks (Debian package, installed by .ci/run) is not installed")
    port = free_port()
    with _running([binary, "-i", "127.0.0.1", "-p", str(port), "-u", user, "-P", password], port) as p:
        yield p
