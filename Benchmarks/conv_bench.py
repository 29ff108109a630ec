"""PyTorch side of the convolution benchmark: the same shapes, threads and JSON lines as
`LandUseBenchmarks conv`. Run from the package root with a PyTorch that has oneDNN (mkldnn):

    /work/torchenv/bin/python Benchmarks/conv_bench.py --threads 2 --batch 4 --repeats 10

Activations are channels_last (NHWC in memory), as LandUse's; weights are PyTorch's OIHW.
"""
import argparse
import json

import torch
import torch.nn.functional as F
from bench_timing import measure  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--shapes", default="Benchmarks/conv_shapes.json")
    parser.add_argument("--only")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    with open(args.shapes) as handle:
        shapes = json.load(handle)
    for shape in shapes:
        if args.only and args.only != shape["name"]:
            continue
        size, kernel = shape["size"], shape["kernel"]
        x = torch.randn(args.batch, shape["inputChannels"], size, size).to(memory_format=torch.channels_last)
        w = torch.randn(shape["outputChannels"], shape["inputChannels"], kernel, kernel) * 0.05
        b = torch.full((shape["outputChannels"],), 0.1)

        def forward(x, w, b):
            return F.conv2d(x, w, b, stride=shape["stride"], padding=shape["padding"], dilation=shape["dilation"])

        with torch.no_grad():
            forward_time = measure(args.repeats, lambda: forward(x, w, b))
            def updated_forward():
                w[0, 0, 0, 0] += 0  # an in-place write, like an optimizer step (LandUse's side does the same)
                return forward(x, w, b)

            updated_forward_time = measure(args.repeats, updated_forward)
        xg, wg, bg = (t.clone().requires_grad_(True) for t in (x, w, b))
        y = forward(xg, wg, bg)
        seed = torch.randn_like(y)
        backward_time = measure(args.repeats, lambda: y.backward(seed, retain_graph=True))
        passes = (("forward", forward_time), ("forward_updated_weights", updated_forward_time),
                  ("backward", backward_time))
        for name, (median, minimum) in passes:
            print(json.dumps({"engine": "pytorch", "suite": "conv", "name": shape["name"], "pass": name,
                              "batch": args.batch, "threads": args.threads,
                              "median_ms": median, "min_ms": minimum}, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
