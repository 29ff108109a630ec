"""Pairs LandUse and PyTorch benchmark lines (JSON, one per measurement) and prints a Markdown table.

For each (suite, name, pass) and engine it takes the fastest single run over all rounds (`min_ms`; on a
shared machine the minimum is the measurement least disturbed by other processes) and the best median,
then the ratio LandUse / PyTorch of the minima. Usage: python3 Benchmarks/compare.py results.jsonl
"""
import json
import sys
from collections import defaultdict


def main(path):
    best = defaultdict(dict)
    order = []
    with open(path) as handle:
        for line in handle:
            line = line.strip()
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            key = (record["suite"], record["name"], record["pass"])
            if key not in best:
                order.append(key)
            engine = record["engine"]
            fastest, median = best[key].get(engine, (float("inf"), float("inf")))
            best[key][engine] = (min(fastest, record["min_ms"]), min(median, record["median_ms"]))
    print("| suite | shape | pass | LandUse min ms | PyTorch min ms | LandUse / PyTorch | LandUse median | PyTorch median |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for key in order:
        times = best[key]
        landuse, pytorch = times.get("landuse"), times.get("pytorch")
        ratio = f"{landuse[0] / pytorch[0]:.2f}" if landuse and pytorch else "-"
        cells = [f"{t[0]:.2f}" if t else "-" for t in (landuse, pytorch)]
        medians = [f"{t[1]:.2f}" if t else "-" for t in (landuse, pytorch)]
        print(f"| {key[0]} | {key[1]} | {key[2]} | {cells[0]} | {cells[1]} | {ratio} | {medians[0]} | {medians[1]} |")


if __name__ == "__main__":
    main(sys.argv[1])
