"""tracing.py: TraceConfig signals and the Trace*Params they deliver (direct calls)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

import aiohttp.tracing as at
import pytest
from multidict import CIMultiDict
from yarl import URL

from cyhttp._client import tracing as T

URL_ = URL("http://example.com/x")
HDRS: CIMultiDict[str] = CIMultiDict(A="1")
RESPONSE = object()  # stands in for a ClientResponse: the tracer only passes it on
EXC = ValueError("boom")

# signal → (send_* arguments, expected params class, expected field values)
CASES: dict[str, tuple[tuple[Any, ...], type]] = {
    "on_request_start": (("GET", URL_, HDRS), T.TraceRequestStartParams),
    "on_request_chunk_sent": (("POST", URL_, b"c"), T.TraceRequestChunkSentParams),
    "on_response_chunk_received": (("GET", URL_, b"r"), T.TraceResponseChunkReceivedParams),
    "on_request_end": (("GET", URL_, HDRS, RESPONSE), T.TraceRequestEndParams),
    "on_request_exception": (("GET", URL_, HDRS, EXC), T.TraceRequestExceptionParams),
    "on_request_redirect": (("GET", URL_, HDRS, RESPONSE), T.TraceRequestRedirectParams),
    "on_connection_queued_start": ((), T.TraceConnectionQueuedStartParams),
    "on_connection_queued_end": ((), T.TraceConnectionQueuedEndParams),
    "on_connection_create_start": ((), T.TraceConnectionCreateStartParams),
    "on_connection_create_end": ((), T.TraceConnectionCreateEndParams),
    "on_connection_reuseconn": ((), T.TraceConnectionReuseconnParams),
    "on_dns_resolvehost_start": (("h",), T.TraceDnsResolveHostStartParams),
    "on_dns_resolvehost_end": (("h",), T.TraceDnsResolveHostEndParams),
    "on_dns_cache_hit": (("h",), T.TraceDnsCacheHitParams),
    "on_dns_cache_miss": (("h",), T.TraceDnsCacheMissParams),
    "on_request_headers_sent": (("GET", URL_, HDRS), T.TraceRequestHeadersSentParams),
}


def test_sixteen_signals() -> None:
    assert len(CASES) == 16 and set(CASES) == set(T.SIGNALS)


@pytest.mark.parametrize("name", sorted(CASES))
async def test_signal_delivers_params(name: str) -> None:
    args, cls = CASES[name]
    config = T.TraceConfig()
    got: list[tuple[Any, Any, Any]] = []
    others: list[Any] = []

    async def receiver(session: Any, ctx: Any, params: Any) -> None:
        got.append((session, ctx, params))

    async def other(session: Any, ctx: Any, params: Any) -> None:
        others.append(params)

    getattr(config, name).append(receiver)
    for other_name in CASES:  # every other signal must stay silent
        if other_name != name:
            getattr(config, other_name).append(other)
    config.freeze()
    session = object()
    ctx = config.trace_config_ctx(trace_request_ctx={"k": 1})
    trace = T.Trace(session, config, ctx)  # type: ignore[arg-type]
    await getattr(trace, "send_" + name[3:])(*args)
    assert len(got) == 1 and others == []
    sess, ctx2, params = got[0]
    assert sess is session and ctx2 is ctx and ctx.trace_request_ctx == {"k": 1}
    assert type(params) is cls
    values = tuple(getattr(params, f.name) for f in dataclasses.fields(params))
    assert len(values) == len(args) and all(a is b for a, b in zip(values, args))
    for field in dataclasses.fields(params):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(params, field.name, None)


@pytest.mark.parametrize("name", sorted(CASES))
def test_params_fields_match_aiohttp(name: str) -> None:
    _, cls = CASES[name]
    ref = getattr(at, cls.__name__)
    assert [f.name for f in dataclasses.fields(cls)] == [a.name for a in ref.__attrs_attrs__]
    assert cls.__name__ in T.__all__


async def test_unfrozen_signal_with_receivers_refuses_to_send() -> None:
    config = T.TraceConfig()

    async def receiver(*_: Any) -> None:
        pass

    config.on_dns_cache_hit.append(receiver)
    trace = T.Trace(object(), config, config.trace_config_ctx())  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        await trace.send_dns_cache_hit("h")


async def test_empty_signals_cost_nothing_and_need_no_freeze() -> None:
    config = T.TraceConfig()
    trace = T.Trace(object(), config, config.trace_config_ctx())  # type: ignore[arg-type]
    for name, (args, _) in CASES.items():
        await getattr(trace, "send_" + name[3:])(*args)


def test_freeze_freezes_everything() -> None:
    config = T.TraceConfig()
    assert not config.frozen
    config.freeze()
    assert config.frozen
    for name in CASES:
        with pytest.raises(RuntimeError):
            getattr(config, name).append(lambda *a: None)


def test_ctx_factory() -> None:
    class Ctx(SimpleNamespace):
        pass

    config = T.TraceConfig(trace_config_ctx_factory=Ctx)
    ctx = config.trace_config_ctx()
    assert type(ctx) is Ctx and ctx.trace_request_ctx is None
    assert T.TraceConfig().trace_config_ctx("x") == SimpleNamespace(trace_request_ctx="x")


def test_signals_are_read_only() -> None:
    config = T.TraceConfig()
    with pytest.raises(AttributeError):
        config.on_request_start = None  # type: ignore[misc,assignment]


async def test_several_receivers_run_in_order() -> None:
    config = T.TraceConfig()
    order: list[int] = []
    for i in range(3):
        async def rec(*_: Any, i: int = i) -> None:
            order.append(i)
        config.on_request_start.append(rec)
    config.freeze()
    trace = T.Trace(object(), config, config.trace_config_ctx())  # type: ignore[arg-type]
    await trace.send_request_start("GET", URL_, HDRS)
    assert order == [0, 1, 2]
