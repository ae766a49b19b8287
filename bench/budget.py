"""The performance budget (DESIGN.md, issues 5, 6 and 11) checked against one run's rows.

Every verdict is computed from the medians of this run; a ratio whose two clients were not
both measured is reported as "not measured", never assumed.  Ratios are cyhttp ÷ other.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.scenarios import PATTERNS, SCENARIOS, WORKER_PATTERN


@dataclass(frozen=True)
class Bar:
    what: str
    scenario: str
    client: str
    versus: str
    at_least: float


PATTERN_BARS = (("cyhttp", 3.0), ("cyhttp-pure", 2.0))  # every pattern, both loops, ÷ aiohttp
CPU_SPREAD_MAX = 1.5  # the dearest pattern's client CPU per request ÷ the worker pattern's (compiled)
OTHER_BARS = (
    Bar("small GETs: compiled ÷ aiosonic", "small64", "cyhttp", "aiosonic", 2.0),
    Bar("small GETs: compiled ÷ raw floor", "small64", "cyhttp", "raw-floor", 0.4),
    Bar("64 KiB downloads ÷ aiohttp", "dl64k", "cyhttp", "aiohttp", 1.0),
    Bar("1 MiB downloads ÷ aiohttp", "dl1m", "cyhttp", "aiohttp", 1.0),
    Bar("1 MiB chunked ÷ aiohttp", "chunked1m", "cyhttp", "aiohttp", 1.0),
    Bar("WebSocket small echo ÷ aiohttp", "ws_small", "cyhttp", "aiohttp", 1.5),
    Bar("WebSocket 1 MiB echo ÷ aiohttp", "ws_1m", "cyhttp", "aiohttp", 1.0),
)
READ_PEAK_MAX = 1.1  # read() peak RSS growth ÷ body size, compiled


def _cell(ratio: float | None, need: float, floor: float | None = None) -> tuple[str, bool | None]:
    if ratio is None:
        return "-", None
    met = ratio >= need
    mark = "met" if met else "NOT met"
    if not met and floor is not None and floor < need:
        mark = "not met (floor below the bar)"
    return f"{ratio:.2f} {mark}", met


def verdict(rows: list[dict], loops: list[str], memory: list[dict] | None) -> tuple[list[str], int, int]:
    """The one-screen verdict: (markdown lines, bars met, bars measured)."""
    median = {(r["scenario"], r["loop"], r["client"]): r["median"] for r in rows if r["median"]}
    cpu = {(r["scenario"], r["loop"], r["client"]): r["cpu_us_per_op"] for r in rows if r.get("cpu_us_per_op")}
    met = measured = 0
    lines: list[str] = []
    patterns = [p for p in PATTERNS if any(k[0] == p for k in median)]
    if patterns:
        head = ["pattern"]
        for loop in loops:
            for client, need in PATTERN_BARS:
                head.append(f"{loop}: {'compiled' if client == 'cyhttp' else 'pure'} ÷ aiohttp (≥ {need:g})")
            head.append(f"{loop}: CPU µs/req")
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for p in patterns:
            cells = [f"{p} — {SCENARIOS[p].title}"]
            for loop in loops:
                ref = median.get((p, loop, "aiohttp"))
                floor = median.get((p, loop, "raw-floor"))
                for client, need in PATTERN_BARS:
                    mine = median.get((p, loop, client))
                    text, ok = _cell(mine / ref if mine and ref else None, need, floor / ref if floor and ref else None)
                    cells.append(text)
                    if ok is not None:
                        measured += 1
                        met += ok
                c = cpu.get((p, loop, "cyhttp"))
                cells.append(f"{c:.1f}" if c else "-")
            lines.append("| " + " | ".join(cells) + " |")
        spread = ["**CPU: dearest pattern ÷ worker pattern (compiled, ≤ 1.5)**"]
        for loop in loops:
            base = cpu.get((WORKER_PATTERN, loop, "cyhttp"))
            others = [(cpu[(p, loop, "cyhttp")], p) for p in patterns if (p, loop, "cyhttp") in cpu]
            if base and others:
                worst, name = max(others)
                ratio = worst / base
                ok = ratio <= CPU_SPREAD_MAX
                measured += 1
                met += ok
                spread += [f"{ratio:.2f} ({name}) {'met' if ok else 'NOT met'}", "", ""]
            else:
                spread += ["-", "", ""]
        lines.append("| " + " | ".join(spread) + " |")
    other = ["", "| other bar | loop | measured | needed | verdict |", "|---|---|---:|---:|---|"]
    for bar in OTHER_BARS:
        for loop in loops:
            mine = median.get((bar.scenario, loop, bar.client))
            ref = median.get((bar.scenario, loop, bar.versus))
            if mine is None or ref is None:
                continue
            floor = median.get((bar.scenario, loop, "raw-floor"))
            text, ok = _cell(mine / ref, bar.at_least, floor / ref if floor and bar.versus != "raw-floor" else None)
            measured += 1
            met += bool(ok)
            value, _, word = text.partition(" ")
            other.append(f"| {bar.what} | {loop} | {value} | {bar.at_least:g} | {word} |")
    for row in memory or ():
        if row["mode"] == "download" and row["client"] == "cyhttp":
            ok = row["ratio"] <= READ_PEAK_MAX
            measured += 1
            met += ok
            other.append(f"| read() peak RSS ÷ body ({row['size_mib']} MiB) | - | {row['ratio']:.3f} | "
                         f"≤ {READ_PEAK_MAX:g} | {'met' if ok else 'NOT met'} |")
    if len(other) > 3:
        lines += other
    return lines, met, measured
