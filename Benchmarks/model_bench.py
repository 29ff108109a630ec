"""PyTorch side of the `model` suite: whole PSPNet inference, eager float32 and bfloat16 autocast,
channels_last, inference_mode, for the models `LandUseBenchmarks model` wrote to Benchmarks/.models
(the same weights; run that first, as Benchmarks/run.sh does). Prints the same JSON lines.

    /work/torchenv/bin/python Benchmarks/model_bench.py --threads 2 --batch 1,4 --repeats 3
"""
import argparse
import json
import os
import sys

import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from landuse_pspnet import PSPNet  # noqa: E402
from bench_timing import measure  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", default="1,4")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    batches = [int(b) for b in args.batch.split(",")]
    size = 512
    for backbone in ["resnet18", "resnet50"]:
        for decoder in ["upsample", "fpn"]:
            name = f"{backbone}-{decoder}"
            if args.only and args.only not in name:
                continue
            path = os.path.join(os.path.dirname(__file__), ".models", f"{name}.safetensors")
            model = PSPNet(backbone=backbone, bands=6, classes=7, output_stride=8, pyramid_sizes=(1, 3, 5, 6),
                           decoder=decoder, aux_weight=0)
            model.load_state_dict(load_file(path), strict=True)
            model = model.eval().to(memory_format=torch.channels_last)
            for batch in batches:
                generator = torch.Generator().manual_seed(7)
                chips = (torch.rand(batch, 6, size, size, generator=generator) * 4 - 2).to(memory_format=torch.channels_last)
                for precision in ["f32", "bf16"]:
                    def run():
                        with torch.inference_mode():
                            if precision == "bf16":
                                with torch.autocast("cpu", dtype=torch.bfloat16):
                                    model(chips)
                            else:
                                model(chips)
                    median, minimum = measure(args.repeats, run)
                    print(json.dumps({"engine": "pytorch", "suite": "model", "name": f"{name}-b{batch}", "pass": precision,
                                      "batch": batch, "threads": args.threads, "median_ms": median, "min_ms": minimum},
                                     sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
