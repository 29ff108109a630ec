"""Table of the `model` suite: per configuration, the fastest time per chip (minimum over rounds) of
LandUse's plan (f32, bf16) and PyTorch (eager f32, bf16 autocast), the speed-ups over PyTorch, the plan's
achieved convolution GFLOP/s and the share of its time in convolution primitives (from a profiled run).

    python3 Benchmarks/compare_model.py results.jsonl
"""
import json
import sys
from collections import defaultdict


def main(path):
    best = defaultdict(lambda: float("inf"))
    extra = {}
    order = []
    with open(path) as handle:
        for line in handle:
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            if record["suite"] != "model":
                continue
            name, batch = record["name"], record["batch"]
            if name not in order:
                order.append(name)
            key = (name, record["engine"], record["pass"])
            best[key] = min(best[key], record["min_ms"] / batch)
            if record["engine"] == "landuse":
                shares = extra.setdefault((name, record["pass"]), {"gflop": record["conv_gflop"] / batch, "share": []})
                shares["share"].append(record["conv_share"])
    print("| model, batch | LandUse f32 ms/chip | LandUse bf16 | PyTorch f32 | PyTorch bf16 | PT f32 / LU f32 | PT f32 / LU bf16 | PT bf16 / LU bf16 | LU f32 / bf16 GFLOP/s | LU conv share f32 / bf16 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in order:
        lu32, lu16 = best[(name, "landuse", "f32")], best[(name, "landuse", "bf16")]
        pt32, pt16 = best[(name, "pytorch", "f32")], best[(name, "pytorch", "bf16")]
        gflop = extra.get((name, "f32"), {}).get("gflop", float("nan"))

        def ratio(a, b):
            return f"{a / b:.2f}x" if a < float("inf") and b < float("inf") else "-"

        def share(precision):
            values = extra.get((name, precision), {}).get("share", [])
            return f"{100 * sorted(values)[len(values) // 2]:.0f}%" if values else "-"

        def ms(value):
            return f"{value:.0f}" if value < float("inf") else "-"

        rates = f"{gflop / lu32 * 1e3:.0f} / {gflop / lu16 * 1e3:.0f}" if lu16 < float("inf") else f"{gflop / lu32 * 1e3:.0f} / -"
        print(f"| {name} | {ms(lu32)} | {ms(lu16)} | {ms(pt32)} | {ms(pt16)} | {ratio(pt32, lu32)} | {ratio(pt32, lu16)} | "
              f"{ratio(pt16, lu16)} | {rates} | {share('f32')} / {share('bf16')} |")


if __name__ == "__main__":
    main(sys.argv[1])
