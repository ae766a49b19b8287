"""Turn one run's measurements into a table, Markdown, JSON and a chart.

Every figure printed comes from this run's rows; nothing is hard-coded.
"""

from __future__ import annotations

import json
import platform
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from bench.budget import budget_lines
from bench.scenarios import SCENARIOS

REFERENCE = "cyhttp"
FLOOR = "raw-floor"


@dataclass
class Results:
    duration: float
    rounds: int
    loops: list[str]
    clients: list[str]
    scenarios: list[str]
    pinned: bool
    values: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)
    cpu_us: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)
    errors: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def add(self, client: str, loop: str, row: dict) -> None:
        key = (row["scenario"], loop, client)
        if "error" in row:
            self.errors[key] = row["error"]
            return
        unit = SCENARIOS[row["scenario"]].unit
        value = row["bytes"] / row["seconds"] / 1e6 if unit == "MB/s" else row["ops"] / row["seconds"]
        self.values.setdefault(key, []).append(value)
        if row.get("cpu") and row["ops"]:
            self.cpu_us.setdefault(key, []).append(row["cpu"] / row["ops"] * 1e6)

    def median(self, key: tuple[str, str, str]) -> float | None:
        vals = self.values.get(key)
        return statistics.median(vals) if vals else None

    def spread(self, key: tuple[str, str, str]) -> float | None:
        vals = self.values.get(key)
        if not vals or len(vals) < 2:
            return None
        mid = statistics.median(vals)
        return (max(vals) - min(vals)) / 2 / mid * 100 if mid else None

    def rows(self) -> list[dict]:
        out = []
        for name in self.scenarios:
            for loop in self.loops:
                ref = self.median((name, loop, REFERENCE))
                floor = self.median((name, loop, FLOOR))
                for client in self.clients:
                    key = (name, loop, client)
                    value = self.median(key)
                    if value is None and key not in self.errors:
                        continue
                    out.append({
                        "scenario": name, "loop": loop, "client": client,
                        "unit": SCENARIOS[name].unit, "median": value, "spread_pct": self.spread(key),
                        "runs": len(self.values.get(key, [])),
                        "vs_cyhttp": value / ref if value and ref else None,
                        "vs_floor": value / floor if value and floor else None,
                        "error": self.errors.get(key),
                        "cpu_us_per_op": statistics.median(self.cpu_us[key]) if key in self.cpu_us else None,
                    })
        return out


def _cpu_table(rows: list[dict]) -> list[str]:
    """Client CPU per operation: what each client costs, even where the server is the limit."""
    ref = {(r["scenario"], r["loop"]): r["cpu_us_per_op"] for r in rows if r["client"] == REFERENCE}
    lines = ["| scenario | loop | client | CPU µs / op | ÷ cyhttp's |", "|---|---|---|---:|---:|"]
    for r in rows:
        cpu = r.get("cpu_us_per_op")
        if cpu is None:
            continue
        base = ref.get((r["scenario"], r["loop"]))
        lines.append(f"| {r['scenario']} | {r['loop']} | {r['client']} | {cpu:,.1f} | "
                     f"{_fmt(cpu / base if base else None)} |")
    return lines


PEER = "aiohttp"


def _headroom_table(rows: list[dict]) -> list[str]:
    """What the floor allows: no client can beat aiohttp by more than the floor does.

    A ratio bar (say "cyhttp >= 1.5x aiohttp") above "floor x aiohttp" is out of reach
    on that loop for any client; this table shows both from the same run.  Where the
    client's core is the limit (small WebSocket echoes), "aiohttp CPU / floor CPU" says
    the same from process time, which a busy machine disturbs far less than msg/s."""
    cell: dict[tuple[str, str], dict[str, dict]] = {}
    for r in rows:
        cell.setdefault((r["scenario"], r["loop"]), {})[r["client"]] = r
    lines = ["| scenario | loop | floor x aiohttp | cyhttp x aiohttp | CPU µs/op floor | cyhttp | aiohttp "
             "| aiohttp CPU / floor CPU | aiohttp CPU / cyhttp CPU |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for (scenario, loop), by in cell.items():
        floor, ref, peer = by.get(FLOOR), by.get(REFERENCE), by.get(PEER)
        if not floor or not peer or not floor["median"] or not peer["median"]:
            continue
        ref_x = ref["median"] / peer["median"] if ref and ref["median"] else None
        cpu_floor, cpu_peer = floor["cpu_us_per_op"], peer["cpu_us_per_op"]
        cpu_ref = ref["cpu_us_per_op"] if ref else None
        lines.append(
            f"| {scenario} | {loop} | {_fmt(floor['median'] / peer['median'])} | {_fmt(ref_x)} | "
            f"{_fmt(cpu_floor, 1)} | {_fmt(cpu_ref, 1)} | {_fmt(cpu_peer, 1)} | "
            f"{_fmt(cpu_peer / cpu_floor if cpu_peer and cpu_floor else None)} | "
            f"{_fmt(cpu_peer / cpu_ref if cpu_peer and cpu_ref else None)} |"
        )
    return lines if len(lines) > 2 else []


def _fmt(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def _table(rows: list[dict]) -> list[str]:
    lines = [
        "| scenario | loop | client | median | unit | ± % | x cyhttp | x floor |",
        "|---|---|---|---:|---|---:|---:|---:|",
    ]
    for r in rows:
        med = r["error"] if r["median"] is None else _fmt(r["median"], 0 if r["unit"] != "MB/s" else 1)
        lines.append(
            f"| {r['scenario']} | {r['loop']} | {r['client']} | {med} | {r['unit']} | "
            f"{_fmt(r['spread_pct'], 1)} | {_fmt(r['vs_cyhttp'])} | {_fmt(r['vs_floor'])} |"
        )
    return lines


def _micro_rows(micro: Path | None) -> list[dict]:
    if micro is None:
        return []
    data = json.loads(micro.read_text())
    rows = []
    for bench in data.get("benchmarks", []):
        stats = bench["stats"]
        rows.append({"group": bench.get("group") or bench["fullname"].split("::")[0].split("/")[-1],
                     "name": bench["name"], "median_us": stats["median"] * 1e6,
                     "ops": stats.get("ops"), "extra": bench.get("extra_info", {})})
    return rows


def _chart(rows: list[dict], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    cells = [(r["scenario"], r["loop"]) for r in rows if r["client"] == REFERENCE]
    cells = list(dict.fromkeys(cells))
    clients = list(dict.fromkeys(r["client"] for r in rows))
    if not cells:
        return False
    fig, ax = plt.subplots(figsize=(max(8, len(cells) * 1.1), 5))
    width = 0.8 / max(1, len(clients))
    for i, client in enumerate(clients):
        ys = []
        for cell in cells:
            match = [r for r in rows if (r["scenario"], r["loop"]) == cell and r["client"] == client]
            ys.append(match[0]["vs_cyhttp"] or 0 if match else 0)
        ax.bar([x + i * width for x in range(len(cells))], ys, width, label=client)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks([x + width * (len(clients) - 1) / 2 for x in range(len(cells))])
    ax.set_xticklabels([f"{s}\n{lp}" for s, lp in cells], fontsize=7)
    ax.set_ylabel("throughput relative to cyhttp (compiled) = 1.0")
    ax.set_title("cyhttp benchmark: each client's throughput / cyhttp compiled")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write_reports(results: Results, out: Path, micro: Path | None, memory: list[dict] | None = None) -> None:
    rows = results.rows()
    micro_rows = _micro_rows(micro)
    header = (
        f"python {platform.python_version()} on {platform.machine()}, {results.rounds} round(s) x "
        f"{results.duration}s per scenario, server {'pinned to its own core' if results.pinned else 'unpinned'}"
    )
    lines = ["# cyhttp benchmark", "", header, "", *_table(rows)]
    budget = budget_lines(rows, results.loops, memory)
    if budget:
        lines += ["", "## The budget (DESIGN.md, issues 5 and 6), from this run", "", *budget]
    lines += ["", "## Client CPU per operation (process time of the client; lower is better)", "",
              *_cpu_table(rows)]
    headroom = _headroom_table(rows)
    if headroom:
        lines += ["", "## Headroom: the floor (a client that parses nothing) against aiohttp", "",
                  "No client can beat aiohttp by more than the floor does on the same loop.", "",
                  *headroom]
    if micro_rows:
        lines += ["", "## Engine micro-benchmarks (pytest-benchmark, median)", "",
                  "| group | benchmark | median µs |", "|---|---|---:|"]
        lines += [f"| {m['group']} | {m['name']} | {m['median_us']:.3f} |" for m in micro_rows]
    if memory:
        from bench.memory import HEADER, _format

        lines += ["", "## Memory: peak RSS growth of one large upload / one read() (separate processes)", "",
                  *HEADER, *(_format(row) for row in memory)]
    text = "\n".join(lines) + "\n"
    (out / "results.md").write_text(text)
    (out / "results.json").write_text(json.dumps(
        {"meta": {"header": header, "loops": results.loops, "clients": results.clients},
         "rows": rows, "micro": micro_rows, "memory": memory or []}, indent=1))
    charted = _chart(rows, out / "ratios.png")
    print(text)
    if charted:
        print(f"chart: {out / 'ratios.png'}")
