"""cyhttp's loggers mirror aiohttp's names (issue 12: gap 15)."""

from __future__ import annotations

import asyncio
import logging

import aiohttp.log
import pytest

import cyhttp.log
from cyhttp._http.streams import StreamReader


def test_same_attributes_as_aiohttp_log_with_cyhttp_names() -> None:
    names = [n for n in dir(aiohttp.log) if n.endswith("_logger")]
    assert names == sorted(cyhttp.log.__all__)
    for name in names:
        assert getattr(cyhttp.log, name).name == getattr(aiohttp.log, name).name.replace("aiohttp.", "cyhttp.")


async def test_a_failing_eof_callback_is_logged_to_internal(caplog: pytest.LogCaptureFixture) -> None:
    class Proto:
        def pause_reading(self) -> None: ...
        def resume_reading(self) -> None: ...

    reader = StreamReader(Proto(), loop=asyncio.get_running_loop())
    called = []

    def bad() -> None:
        raise ValueError("boom")

    reader.on_eof(bad)
    reader.on_eof(lambda: called.append(1))
    with caplog.at_level(logging.ERROR, logger="cyhttp.internal"):
        reader.feed_eof()
        reader.on_eof(bad)  # after EOF: called at once, logged the same way
    assert called == [1]
    assert [r.name for r in caplog.records] == ["cyhttp.internal", "cyhttp.internal"]
    assert "Exception in eof callback" in caplog.records[0].getMessage()


def test_netrc_warnings_go_to_the_client_logger(tmp_path, monkeypatch, caplog) -> None:
    from cyhttp._client.env import netrc_from_env

    bad = tmp_path / "netrc"
    bad.write_text("machine\n")
    monkeypatch.setenv("NETRC", str(bad))
    with caplog.at_level(logging.WARNING, logger="cyhttp.client"):
        assert netrc_from_env() is None
    assert caplog.records and {r.name for r in caplog.records} == {"cyhttp.client"}
