#!/usr/bin/env python3
"""Plots the gateway's throughput and latency from the JSON that Benchmarks/gateway-vs-nginx.sh
writes (accord bench --json): docs/performance.png.

    pip install matplotlib
    python3 Benchmarks/plot-performance.py [Benchmarks/results] [docs/performance.png]
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

results = sys.argv[1] if len(sys.argv) > 1 else "Benchmarks/results"
output = sys.argv[2] if len(sys.argv) > 2 else "docs/performance.png"
gateway = json.load(open(os.path.join(results, "gateway.json")))
nginx_path = os.path.join(results, "nginx.json")
nginx = json.load(open(nginx_path)) if os.path.exists(nginx_path) else None

closed = [r for r in gateway["runs"] if r["mode"] == "closed"]
opened = [r for r in gateway["runs"] if r["mode"] == "open"]

figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))

labels = [f"{r['recipients']} recipient{'s' if r['recipients'] > 1 else ''}" for r in closed]
values = [r["accepted_per_second"] for r in closed]
colours = ["#2b6cb0"] * len(values)
if nginx:
    labels.append("nginx\nreturn 200")
    values.append(nginx["runs"][0]["accepted_per_second"])
    colours.append("#a0aec0")
bars = left.bar(labels, values, color=colours)
left.bar_label(bars, labels=[f"{v:,.0f}" for v in values], padding=2)
left.axhline(12000, color="#c53030", linestyle="--", linewidth=1)
left.text(len(values) - 0.5, 12000, "target 12,000/s", color="#c53030", ha="right", va="bottom", fontsize=8)
left.set_yscale("log")
left.set_ylabel("accepted messages/s (log)")
connections = closed[0]["connections"] if closed else 0
left.set_title(f"Throughput, closed loop, {connections} mTLS connections")

percentiles = ["p50", "p90", "p99", "p999"]
positions = range(len(percentiles))  # evenly spaced: each step is ten times rarer
for run in closed:
    right.plot(positions, [run["latency_ms"][k] for k in percentiles], marker="o",
               label=f"{run['recipients']} rcpt, closed loop ({run['accepted_per_second']:,.0f}/s)")
for run in opened:
    right.plot(positions, [run["latency_ms"][k] for k in percentiles], marker="s", linestyle="--",
               label=f"{run['recipients']} rcpt, open loop at {run['offered_rate']:,.0f}/s")
if nginx:
    run = nginx["runs"][0]
    right.plot(positions, [run["latency_ms"][k] for k in percentiles], marker="^", color="#718096",
               label=f"nginx return 200, closed loop ({run['accepted_per_second']:,.0f}/s)")
right.axhline(10, color="#c53030", linestyle="--", linewidth=1)
right.text(0, 10, "p99 target at half rate: 10 ms", color="#c53030", va="bottom", fontsize=8)
right.set_xticks(list(positions))
right.set_xticklabels(["p50", "p90", "p99", "p99.9"])
right.set_yscale("log")
right.set_ylabel("latency, ms (log)")
right.set_title("Latency percentiles (HdrHistogram)")
right.legend(fontsize=7)

load = gateway["machine"]["load_average"]
figure.suptitle(f"accord bench, {gateway['machine']['cores']} cores, load average {load[0]:.1f} at the start", fontsize=10)
figure.tight_layout()
figure.savefig(output, dpi=110)
print(f"wrote {output}")
