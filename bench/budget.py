"""The performance budget (DESIGN.md, issues 5 and 6) checked against one run's rows.

Every verdict is computed from the medians of this run; a ratio whose two clients were not
both measured is reported as "not measured", never assumed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    what: str
    scenario: str
    client: str
    versus: str
    at_least: float


BARS = (
    Bar("small GETs: compiled ÷ aiohttp", "small64", "cyhttp", "aiohttp", 3.0),
    Bar("small GETs: compiled ÷ aiosonic", "small64", "cyhttp", "aiosonic", 2.0),
    Bar("small GETs: pure ÷ aiohttp", "small64", "cyhttp-pure", "aiohttp", 1.5),
    Bar("small GETs: compiled ÷ raw floor", "small64", "cyhttp", "raw-floor", 0.4),
    Bar("64 KiB downloads ÷ aiohttp", "dl64k", "cyhttp", "aiohttp", 1.0),
    Bar("1 MiB downloads ÷ aiohttp", "dl1m", "cyhttp", "aiohttp", 1.0),
    Bar("1 MiB chunked ÷ aiohttp", "chunked1m", "cyhttp", "aiohttp", 1.0),
    Bar("WebSocket small echo ÷ aiohttp", "ws_small", "cyhttp", "aiohttp", 1.5),
    Bar("WebSocket 1 MiB echo ÷ aiohttp", "ws_1m", "cyhttp", "aiohttp", 1.0),
)
READ_PEAK_MAX = 1.1  # read() peak RSS growth ÷ body size, compiled


def budget_lines(rows: list[dict], loops: list[str], memory: list[dict] | None) -> list[str]:
    """Markdown table: each bar, per loop, with this run's ratio and the floor's beside it."""
    median = {(r["scenario"], r["loop"], r["client"]): r["median"] for r in rows if r["median"]}
    lines = ["| bar | loop | measured | needed | floor ÷ same reference | verdict |",
             "|---|---|---:|---:|---:|---|"]
    for bar in BARS:
        for loop in loops:
            mine = median.get((bar.scenario, loop, bar.client))
            ref = median.get((bar.scenario, loop, bar.versus))
            floor = median.get((bar.scenario, loop, "raw-floor"))
            if mine is None or ref is None:
                if (bar.scenario, loop, bar.client) in median or (bar.scenario, loop, bar.versus) in median:
                    lines.append(f"| {bar.what} | {loop} | - | {bar.at_least:g} | - | not measured |")
                continue
            ratio = mine / ref
            ceiling = f"{floor / ref:.2f}" if floor and bar.versus != "raw-floor" else "-"
            verdict = "met" if ratio >= bar.at_least else "not met"
            if verdict == "not met" and floor and bar.versus != "raw-floor" and floor / ref < bar.at_least:
                verdict = "not met (above the floor: no client can)"
            lines.append(f"| {bar.what} | {loop} | {ratio:.2f} | {bar.at_least:g} | {ceiling} | {verdict} |")
    for row in memory or ():
        if row["mode"] == "download" and row["client"] == "cyhttp":
            verdict = "met" if row["ratio"] <= READ_PEAK_MAX else "not met"
            lines.append(f"| read() peak RSS ÷ body ({row['size_mib']} MiB) | - | {row['ratio']:.3f} | "
                         f"≤ {READ_PEAK_MAX:g} | - | {verdict} |")
    return lines if len(lines) > 2 else []
