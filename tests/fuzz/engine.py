"""The differential check and the fuzz loop, shared by every target.

A target (``targets.py``) knows its twin pair, makes inputs (valid seeds, mutated) and
turns one run of one twin over one input, cut into pieces, into an *outcome*: a plain
value that must not depend on the twin nor on the cuts.  ``check`` runs an input

* whole, through both twins (they must agree);
* at one random splitting (a few cuts, or small pieces all along) and byte by byte,
  through the compiled twin (each must agree with the whole);
* through the pure twin at that splitting one input in ``pure_split_every`` (4) and
  byte by byte one in ``pure_bytewise_every`` (16): a pure run costs ~4 compiled ones
  and a byte-by-byte pure run ~6 whole pure ones, so sampling keeps the rate up (1
  means every input);

and any exception outside what the target allows (the ParseError tree for parsers)
fails at once.  A failure carries the input, its options and the cuts that showed it.
"""

from __future__ import annotations

import random
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from .mutate import pieces, random_cuts


class Escape(Exception):
    """A twin raised something outside the allowed tree (wraps it)."""


class Invariant(AssertionError):
    """An outcome broke an event invariant (say a ChunkEnds base that does not add up)."""


class Target(Protocol):
    name: str
    split: bool  # False: inputs are not byte streams (no whole / split / byte-by-byte)
    options: list[Any]

    def generate(self, rng: random.Random) -> tuple[Any, int]: ...

    def outcome(self, twin: int, data: Any, chunks: list[bytes] | None, opts: Any) -> Any: ...


@dataclass
class Failure(Exception):
    target: str
    kind: str  # "escape", "invariant", "twins", "split", "crash", "hang"
    data: Any
    opts_index: int
    cuts: list[int] | None = None  # None: whole; [] never; bytewise: list(range(1, n))
    detail: str = ""
    sig: str = ""  # what the minimiser keeps failing the same way

    def __str__(self) -> str:
        return f"{self.target}: {self.kind} ({self.sig})"


TWINS = ("py", "c")


def _run(target: Target, twin: int, data: Any, chunks: list[bytes] | None, opts: Any,
         where: str, opts_index: int, cuts: list[int] | None) -> Any:
    try:
        return target.outcome(twin, data, chunks, opts)
    except Invariant as exc:
        raise Failure(target.name, "invariant", data, opts_index, cuts,
                      f"{TWINS[twin]} {where}: {exc}", f"invariant:{TWINS[twin]}") from None
    except Escape as exc:
        inner = exc.__cause__ or exc
        raise Failure(target.name, "escape", data, opts_index, cuts,
                      f"{TWINS[twin]} {where}: " + "".join(
                          traceback.format_exception(type(inner), inner, inner.__traceback__)[-3:]),
                      f"escape:{type(inner).__name__}") from None


def bytewise_cuts(n: int) -> list[int]:
    return list(range(1, n))


def check(target: Target, data: Any, opts_index: int, rng: random.Random | None,
          pure_split: bool = True, pure_bytewise: bool = True,
          variants: list[list[int]] | None = None,
          note: Callable[[int, list[int] | None], None] | None = None) -> None:
    """Raise Failure when the twins or the splittings disagree (see the module docstring).

    ``variants``: explicit cut lists to try (the minimiser's exhaustive mode) instead of
    one random splitting and byte by byte.  ``note(phase, cuts)`` is told what runs next
    (the worker records it where a crash leaves it readable)."""
    opts = target.options[opts_index]
    name = target.name
    if note is not None:
        note(1, None)
    whole = _run(target, 1, data, None, opts, "whole", opts_index, None)
    py_whole = _run(target, 0, data, None, opts, "whole", opts_index, None)
    if py_whole != whole:
        raise Failure(name, "twins", data, opts_index, None,
                      f"whole:\n  py: {py_whole!r}\n  c:  {whole!r}", "twins")
    if not target.split:
        return
    n = len(data)
    if n < 2:
        return
    if variants is None:
        assert rng is not None
        variants = [random_cuts(rng, n), bytewise_cuts(n)]
        bytewise_last = True
    else:
        bytewise_last = False
    for k, cuts in enumerate(variants):
        is_bytewise = bytewise_last and k == len(variants) - 1
        if note is not None:
            note(3 if is_bytewise else 2, cuts)
        chunks = pieces(data, cuts)
        for twin in (1, 0):
            if twin == 0 and not (pure_bytewise if is_bytewise else pure_split):
                continue
            got = _run(target, twin, data, chunks, opts, "split", opts_index, cuts)
            if got != whole:
                kind = "bytewise" if is_bytewise else "split"
                raise Failure(name, "split", data, opts_index, cuts,
                              f"{TWINS[twin]} {kind} vs whole:\n  split: {got!r}\n  whole: {whole!r}",
                              "split")


@dataclass
class Stats:
    target: str
    inputs: int = 0
    seconds: float = 0.0
    cpu: float = 0.0  # CPU seconds of this process (the machine may be shared)
    failures: list[Failure] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Inputs per CPU second."""
        return self.inputs / self.cpu if self.cpu else 0.0


def fuzz(target: Target, seed: int, seconds: float, *, pure_split_every: int = 4,
         pure_bytewise_every: int = 16,
         max_inputs: int | None = None, max_failures: int = 3,
         on_input: Callable[[int], None] | None = None,
         note: Callable[[int, list[int] | None], None] | None = None) -> Stats:
    """Fuzz ``target`` for ``seconds`` (or ``max_inputs``); failures are collected raw
    (the caller minimises them).  Inputs come from ``Random(seed)`` alone, so input ``i``
    of a run can be made again (``replay``)."""
    gen = random.Random(seed)
    cut_rng = random.Random(seed ^ 0x5EED5)
    stats = Stats(target.name)
    start = time.perf_counter()
    cpu = time.process_time()
    deadline = start + seconds
    i = 0
    every = max(1, pure_bytewise_every)
    split_every = max(1, pure_split_every)
    limit = max_inputs if max_inputs is not None else 1 << 62
    seen: set[str] = set()
    while i < limit:
        batch = min(256, limit - i)
        for _ in range(batch):
            data, opts_index = target.generate(gen)
            if on_input is not None:
                on_input(i)
            try:
                check(target, data, opts_index, cut_rng, i % split_every == 0, i % every == 0,
                      note=note)
            except Failure as failure:
                if failure.sig not in seen:  # one of each kind is enough to work on
                    seen.add(failure.sig)
                    stats.failures.append(failure)
            i += 1
        if len(stats.failures) >= max_failures or time.perf_counter() >= deadline:
            break
    stats.inputs = i
    stats.seconds = time.perf_counter() - start
    stats.cpu = time.process_time() - cpu
    return stats


def replay(target: Target, seed: int, index: int) -> tuple[Any, int]:
    """Input ``index`` of ``fuzz(target, seed, ...)``."""
    gen = random.Random(seed)
    for _ in range(index):
        target.generate(gen)
    return target.generate(gen)


__all__ = ("Escape", "Invariant", "Failure", "Stats", "check", "fuzz", "replay", "bytewise_cuts")
