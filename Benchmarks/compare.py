"""Pairs LandUse and PyTorch benchmark lines (JSON, one per measurement) and prints a Markdown table.

For each (suite, name, pass) and engine it takes the best median over the rounds, then the ratio
LandUse / PyTorch. Usage: python3 Benchmarks/compare.py results.jsonl
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
            best[key][engine] = min(best[key].get(engine, float("inf")), record["median_ms"])
    print("| suite | shape | pass | LandUse ms | PyTorch ms | LandUse / PyTorch |")
    print("|---|---|---|---:|---:|---:|")
    for key in order:
        times = best[key]
        landuse, pytorch = times.get("landuse"), times.get("pytorch")
        ratio = f"{landuse / pytorch:.2f}" if landuse and pytorch else "-"
        cells = [f"{t:.1f}" if t else "-" for t in (landuse, pytorch)]
        print(f"| {key[0]} | {key[1]} | {key[2]} | {cells[0]} | {cells[1]} | {ratio} |")


if __name__ == "__main__":
    main(sys.argv[1])
