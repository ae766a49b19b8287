"""Turn one run's measurements into a verdict, tables, Markdown, JSON and a chart.

Every figure printed comes from this run's rows; nothing is hard-coded.  The verdict
(each budget bar: measured, needed, met?) comes first and fits on one screen; every
ratio is oriented the same way, cyhttp ÷ the other client (> 1: cyhttp is ahead; for
CPU per request < 1 is cyhttp ahead).
"""

from __future__ import annotations

import json
import platform
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from bench.budget import verdict
from bench.scenarios import GATHERED, SCENARIOS

REFERENCE = "cyhttp"
FLOOR = "raw-floor"
PEER = "aiohttp"
TRUST_SECONDS = 1.0  # per scenario per run: below this (or < 3 rounds) the run is flagged as short
TRUST_ROUNDS = 3
TRUST_OPS = 5_000  # operations in one measurement


@dataclass
class Results:
    duration: float
    rounds: int
    loops: list[str]
    clients: list[str]
    scenarios: list[str]
    pinned: bool
    gathered: int = GATHERED
    time_box: float | None = None  # --quick: gathered patterns counted what completed in this long
    values: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)
    cpu_us: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)
    ops: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)
    errors: dict[tuple[str, str, str], str] = field(default_factory=dict)
    cut: set[tuple[str, str, str]] = field(default_factory=set)  # gathered runs the time box ended

    def add(self, client: str, loop: str, row: dict) -> None:
        key = (row["scenario"], loop, client)
        if "error" in row or "na" in row:
            self.errors[key] = row.get("error") or row["na"]
            return
        unit = SCENARIOS[row["scenario"]].unit
        value = row["bytes"] / row["seconds"] / 1e6 if unit == "MB/s" else row["ops"] / row["seconds"]
        self.values.setdefault(key, []).append(value)
        self.ops.setdefault(key, []).append(row["ops"])
        if row.get("cut"):
            self.cut.add(key)
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
                ref_cpu = self.cpu_us.get((name, loop, REFERENCE))
                floor = self.median((name, loop, FLOOR))
                for client in self.clients:
                    key = (name, loop, client)
                    value = self.median(key)
                    if value is None and key not in self.errors:
                        continue
                    cpu = statistics.median(self.cpu_us[key]) if key in self.cpu_us else None
                    out.append({
                        "scenario": name, "loop": loop, "client": client,
                        "unit": SCENARIOS[name].unit, "median": value, "spread_pct": self.spread(key),
                        "runs": len(self.values.get(key, [])),
                        "min_ops": min(self.ops[key]) if key in self.ops else None,
                        # cyhttp ÷ this client (throughput), and cyhttp's CPU ÷ this client's.
                        "cyhttp_over": ref / value if value and ref else None,
                        "cyhttp_cpu_over": statistics.median(ref_cpu) / cpu if cpu and ref_cpu else None,
                        "vs_floor": value / floor if value and floor else None,
                        "error": self.errors.get(key),
                        "cpu_us_per_op": cpu,
                    })
        return out

    def warnings(self, rows: list[dict]) -> list[str]:
        """Why this run's figures should not be trusted (empty: nothing to say)."""
        out = []
        if self.duration < TRUST_SECONDS or self.rounds < TRUST_ROUNDS:
            out.append(f"short run: {self.rounds} round(s) × {self.duration:g} s per scenario "
                       f"(trust needs ≥ {TRUST_ROUNDS} × {TRUST_SECONDS:g} s: medians of alternating rounds)")
        if self.gathered < GATHERED:
            out.append(f"gathered patterns ran {self.gathered:,} tasks, not {GATHERED:,}")
        if self.cut:
            names = sorted({f"{s}/{c}" for s, _, c in self.cut})
            out.append(f"the {self.time_box:g} s time box ended gathered runs before all tasks finished "
                       f"(what completed is counted): {', '.join(names[:8])}" + (" …" if len(names) > 8 else ""))
        few = sorted({f"{r['scenario']}/{r['client']}" for r in rows
                      if r["min_ops"] is not None and r["min_ops"] < TRUST_OPS and SCENARIOS[r["scenario"]].unit != "MB/s"})
        if few:
            out.append(f"fewer than {TRUST_OPS:,} operations in a measurement: {', '.join(few[:8])}"
                       + (" …" if len(few) > 8 else ""))
        if not self.pinned:
            out.append("server and client were not pinned to separate cores")
        return out


def _fmt(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def _table(rows: list[dict]) -> list[str]:
    lines = [
        "| scenario | loop | client | median | unit | ± % | cyhttp ÷ this | this ÷ floor | CPU µs/op |",
        "|---|---|---|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        med = r["error"] if r["median"] is None else _fmt(r["median"], 0 if r["unit"] != "MB/s" else 1)
        lines.append(
            f"| {r['scenario']} | {r['loop']} | {r['client']} | {med} | {r['unit']} | "
            f"{_fmt(r['spread_pct'], 1)} | {_fmt(r['cyhttp_over'])} | {_fmt(r['vs_floor'])} | "
            f"{_fmt(r['cpu_us_per_op'], 1)} |"
        )
    return lines


def _cpu_table(rows: list[dict]) -> list[str]:
    """Client CPU per operation: what each client costs, even where the server is the limit."""
    lines = ["| scenario | loop | client | CPU µs / op | cyhttp's ÷ this |", "|---|---|---|---:|---:|"]
    for r in rows:
        cpu = r.get("cpu_us_per_op")
        if cpu is None:
            continue
        lines.append(f"| {r['scenario']} | {r['loop']} | {r['client']} | {cpu:,.1f} | {_fmt(r['cyhttp_cpu_over'])} |")
    return lines


def _headroom_table(rows: list[dict]) -> list[str]:
    """What the floor allows: no client can beat aiohttp by more than the floor does.

    A bar (say "cyhttp ≥ 3 × aiohttp") above "floor ÷ aiohttp" is out of reach on that loop
    for any client; this table shows both from the same run."""
    cell: dict[tuple[str, str], dict[str, dict]] = {}
    for r in rows:
        cell.setdefault((r["scenario"], r["loop"]), {})[r["client"]] = r
    lines = ["| scenario | loop | cyhttp ÷ aiohttp | cyhttp ÷ floor | ceiling: floor ÷ aiohttp | CPU µs/op: floor "
             "| cyhttp | aiohttp |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for (scenario, loop), by in cell.items():
        floor, ref, peer = by.get(FLOOR), by.get(REFERENCE), by.get(PEER)
        if not floor or not peer or not floor["median"] or not peer["median"] or not ref or not ref["median"]:
            continue
        lines.append(
            f"| {scenario} | {loop} | {_fmt(ref['median'] / peer['median'])} | {_fmt(ref['median'] / floor['median'])} | "
            f"{_fmt(floor['median'] / peer['median'])} | {_fmt(floor['cpu_us_per_op'], 1)} | "
            f"{_fmt(ref['cpu_us_per_op'], 1)} | {_fmt(peer['cpu_us_per_op'], 1)} |"
        )
    return lines if len(lines) > 2 else []


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


def _chart(rows: list[dict], path: Path, loops: list[str]) -> bool:
    """Throughput ÷ aiohttp's per scenario, one panel per loop, values on the bars; the raw
    floor is a marked tick (its value written), so its height does not crush the scale."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
    clients = [c for c in dict.fromkeys(r["client"] for r in rows) if c not in (PEER, FLOOR)]
    by = {(r["scenario"], r["loop"], r["client"]): r["median"] for r in rows if r["median"]}
    if not scenarios or not clients:
        return False
    fig, axes = plt.subplots(len(loops), 1, figsize=(max(9, len(scenarios) * 1.0), 4.2 * len(loops)), squeeze=False)
    width = 0.8 / len(clients)
    for ax, loop in zip(axes[:, 0], loops):
        top = 1.0
        for i, client in enumerate(clients):
            xs, ys = [], []
            for j, sc in enumerate(scenarios):
                mine, ref = by.get((sc, loop, client)), by.get((sc, loop, PEER))
                if mine and ref:
                    xs.append(j + i * width)
                    ys.append(mine / ref)
            bars = ax.bar(xs, ys, width, label=client)
            for bar, y in zip(bars, ys):
                ax.text(bar.get_x() + bar.get_width() / 2, y, f"{y:.1f}", ha="center", va="bottom", fontsize=6)
            top = max([top, *ys])
        for j, sc in enumerate(scenarios):
            floor, ref = by.get((sc, loop, FLOOR)), by.get((sc, loop, PEER))
            if floor and ref:
                y = floor / ref
                shown = min(y, top * 1.15)
                ax.plot([j - width / 2, j + width * (len(clients) - 0.5)], [shown, shown], color="black",
                        linestyle="--", linewidth=0.8)
                ax.text(j + width * (len(clients) - 1) / 2, shown, f"floor {y:.1f}", ha="center", va="bottom",
                        fontsize=6)
        ax.axhline(1.0, color="grey", linewidth=0.8)
        ax.set_ylim(0, top * 1.3)
        ax.set_xticks([j + width * (len(clients) - 1) / 2 for j in range(len(scenarios))])
        ax.set_xticklabels(scenarios, fontsize=7, rotation=20)
        ax.set_ylabel(f"{loop}: throughput ÷ aiohttp's")
        ax.legend(fontsize=7, ncol=len(clients))
    axes[0, 0].set_title("cyhttp benchmark: each client's throughput ÷ aiohttp's (same run, same loop)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write_reports(results: Results, out: Path, micro: Path | None, memory: list[dict] | None = None) -> None:
    rows = results.rows()
    micro_rows = _micro_rows(micro)
    header = (
        f"python {platform.python_version()} on {platform.machine()}, {results.rounds} round(s) x "
        f"{results.duration}s per scenario, gathered patterns {results.gathered:,} tasks, "
        f"server {'pinned to its own core' if results.pinned else 'unpinned'}"
    )
    lines = ["# cyhttp benchmark", "", header, ""]
    for warning in results.warnings(rows):
        lines.append(f"> **warning — {warning}**")
    verdict_lines, met, measured = verdict(rows, results.loops, memory)
    if verdict_lines:
        lines += ["", f"## Verdict: {met} of {measured} bars met (ratios cyhttp ÷ aiohttp, medians of this run)", "",
                  *verdict_lines]
    lines += ["", "## All measurements", "", *_table(rows)]
    lines += ["", "## Client CPU per operation (process time of the client; lower is better)", "",
              *_cpu_table(rows)]
    headroom = _headroom_table(rows)
    if headroom:
        lines += ["", "## Headroom: the floor (a client that parses nothing) against aiohttp", "",
                  "No client can beat aiohttp by more than the floor does on the same loop.", "", *headroom]
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
    screen = lines[:lines.index("## All measurements") - 1] if "## All measurements" in lines else lines
    (out / "results.json").write_text(json.dumps(
        {"meta": {"header": header, "loops": results.loops, "clients": results.clients,
                  "warnings": results.warnings(rows)},
         "rows": rows, "micro": micro_rows, "memory": memory or []}, indent=1))
    charted = _chart(rows, out / "ratios.png", results.loops)
    print("\n".join(screen))  # the verdict: one screen; the tables are in results.md
    print(f"\nfull report: {out / 'results.md'} (JSON beside it)" + (f"; chart: {out / 'ratios.png'}" if charted else ""))
