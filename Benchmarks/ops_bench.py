"""PyTorch side of the memory-bound ops benchmark: the same ops, sizes and JSON lines as
`LandUseBenchmarks ops`. Tensors are channels_last (NHWC in memory), as LandUse's.

    /work/torchenv/bin/python Benchmarks/ops_bench.py --threads 2 --batch 4 --repeats 10
"""
import argparse
import json

import torch
import torch.nn.functional as F
from bench_timing import measure  # noqa: E402


def nhwc(batch, height, width, channels):
    return torch.randn(batch, channels, height, width).to(memory_format=torch.channels_last)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--only")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(2)
    batch = args.batch
    stem, deep = nhwc(batch, 128, 128, 64), nhwc(batch, 32, 32, 512)
    logits, small = nhwc(batch, 256, 256, 8), nhwc(batch, 32, 32, 8)
    index = torch.arange(batch * 65536).reshape(batch, 256, 256)
    labels = torch.where(index % 9 == 8, torch.full_like(index, 255), index % 8)
    gamma, beta = torch.ones(64), torch.zeros(64)
    pooled = F.adaptive_avg_pool2d(deep, 6)

    def batchnorm(x, g, b):
        return F.batch_norm(x, torch.zeros(64), torch.ones(64), g, b, training=True)

    cases = [
        ("batchnorm_train_128x128x64", [stem, gamma, beta], lambda x: batchnorm(*x)),
        ("relu_128x128x64", [stem], lambda x: F.relu(x[0])),
        ("add_128x128x64", [stem, stem], lambda x: x[0] + x[1]),
        ("maxpool3s2_128x128x64", [stem], lambda x: F.max_pool2d(x[0], 3, 2, 1)),
        ("adaptiveavg6_32x32x512", [deep], lambda x: F.adaptive_avg_pool2d(x[0], 6)),
        ("bilinear_6to32_512", [pooled], lambda x: F.interpolate(x[0], size=(32, 32), mode="bilinear", align_corners=False)),
        ("concat_4x512_32x32", [deep, deep, deep, deep], lambda x: torch.cat(x, dim=1)),
        ("bilinear_32to256_8", [small], lambda x: F.interpolate(x[0], size=(256, 256), mode="bilinear", align_corners=False)),
        ("softmax_256x256x8", [logits], lambda x: torch.softmax(x[0], dim=1)),
        ("crossentropy_256x256x8", [logits], lambda x: F.cross_entropy(x[0], labels, ignore_index=255)),
    ]
    for name, inputs, op in cases:
        if args.only and args.only != name:
            continue
        with torch.no_grad():
            forward_time = measure(args.repeats, lambda: op(inputs))
        leaves = [t.clone().requires_grad_(True) for t in inputs]
        output = op(leaves)
        seed = torch.randn_like(output)
        backward_time = measure(args.repeats, lambda: output.backward(seed, retain_graph=True))
        for pass_name, (median, minimum) in (("forward", forward_time), ("backward", backward_time)):
            print(json.dumps({"engine": "pytorch", "suite": "ops", "name": name, "pass": pass_name,
                              "batch": batch, "threads": args.threads,
                              "median_ms": median, "min_ms": minimum}, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
