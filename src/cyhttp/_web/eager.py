"""Running a request's coroutine eagerly, inside the connection's task, without a task per request.

How this works: every connection has one long-lived task, its *carrier* (the protocol's
``_carry`` loop).  A request's coroutine is first stepped right where the request was
parsed (``data_received``), in its own ``contextvars`` context, with the carrier
entered as the current task — so ``asyncio.current_task()``, ``asyncio.timeout()``,
``TaskGroup`` and client sessions inside the handler see a real task, as they would in
aiohttp's (whose ``request.task`` is its connection task as well).  Most handlers finish
in that one step: no task, future or loop iteration is spent on them.  A handler that
has to wait hands its coroutine, with the future it yielded, to the carrier, which
resumes it (``Resume``) where the carrier runs, still in the request's own context.
This is what Python 3.12's eager tasks do, done once per connection instead of per
request, and it behaves the same on 3.10, 3.11 and uvloop.
"""

from __future__ import annotations

import asyncio
import contextvars
from asyncio import current_task as _current_task
from asyncio.tasks import _enter_task, _leave_task

current_task = _current_task
try:  # the C dict behind current_task(loop): one lookup instead of a Python-level call
    from asyncio.tasks import _current_tasks  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python versions that keep it elsewhere
    current_tasks_get: Any = _current_task
else:
    current_tasks_get = _current_tasks.get
from collections.abc import Coroutine, Generator
from typing import Any

__all__ = ("Resume", "step", "current_task", "current_tasks_get")


def step(loop: asyncio.AbstractEventLoop, carrier: asyncio.Task[Any] | None,
         coro: Coroutine[Any, Any, Any], ctx: contextvars.Context) -> tuple[bool, Any]:
    """Run ``coro`` up to its first suspension with ``carrier`` as the current task.

    Returns ``(True, result)`` when it finished, ``(False, yielded)`` when it is waiting
    on ``yielded`` (hand both to ``Resume``).  Exceptions propagate.
    """
    # From inside some task (a test calling data_received), run as that task's code.
    entered = carrier is not None and current_tasks_get(loop) is None
    if entered:
        _enter_task(loop, carrier)  # type: ignore[arg-type]
    try:
        yielded = ctx.run(coro.send, None)
    except StopIteration as stop:
        return True, stop.value
    finally:
        if entered:
            _leave_task(loop, carrier)  # type: ignore[arg-type]
    return False, yielded


def _cancelling() -> bool:
    """True when the current task itself is being cancelled (not just a wait timing out):
    such a cancellation must propagate.  Python 3.10's tasks do not count them."""
    task = current_task()
    cancelling = getattr(task, "cancelling", None)
    return bool(cancelling()) if cancelling is not None else False


class Resume:
    """``await Resume(coro, ctx, yielded)``: go on with a coroutine ``step`` started."""

    __slots__ = ("_coro", "_ctx", "_yielded")

    def __init__(self, coro: Coroutine[Any, Any, Any], ctx: contextvars.Context,
                 yielded: Any) -> None:
        self._coro = coro
        self._ctx = ctx
        self._yielded = yielded

    def __await__(self) -> Generator[Any, Any, Any]:
        coro = self._coro
        run = self._ctx.run
        yielded = self._yielded
        self._yielded = None
        while True:
            try:
                sent = yield yielded
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # a cancellation, or a future's error: to the coroutine
                try:
                    yielded = run(coro.throw, exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    yielded = run(coro.send, sent)
                except StopIteration as stop:
                    return stop.value
