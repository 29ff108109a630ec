"""PyTorch side of the train-step benchmark: the same network, shapes, threads and JSON line as
`LandUseBenchmarks train-step` (Benchmarks/Sources/LandUseBenchmarks/TrainStep.swift). Run from the
package root with a PyTorch that has oneDNN (mkldnn), or through Benchmarks/run.sh train-step:

    /work/torchenv/bin/python Benchmarks/train-step_bench.py --threads 2 --batch 4 --repeats 10

Activations and the model are channels_last (NHWC in memory), as LandUse's.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SIZE, WIDTH, CLASSES = 64, 64, 6


class TinyResidualNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, WIDTH, 3, padding=1, bias=False), nn.BatchNorm2d(WIDTH), nn.ReLU())
        self.conv1 = nn.Conv2d(WIDTH, WIDTH, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(WIDTH)
        self.conv2 = nn.Conv2d(WIDTH, WIDTH, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(WIDTH)
        self.head = nn.Conv2d(WIDTH, CLASSES, 1)

    def forward(self, x):
        stem = self.stem(x)
        y = F.relu(self.bn1(self.conv1(stem)))
        y = F.relu(self.bn2(self.conv2(y)) + stem)
        return self.head(y)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    net = TinyResidualNet().to(memory_format=torch.channels_last).train()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    x = torch.randn(args.batch, 3, SIZE, SIZE).to(memory_format=torch.channels_last)
    labels = torch.randint(0, CLASSES, (args.batch, SIZE, SIZE))

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    first_loss = step()
    step()  # two warm-up steps after the first, as LandUseBenchmarks' measure() does
    step()
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        last_loss = step()
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    print(json.dumps({"engine": "pytorch", "suite": "train-step", "name": f"resblock-{WIDTH}ch-{SIZE}x{SIZE}", "pass": "step",
                      "batch": args.batch, "threads": args.threads, "median_ms": times[len(times) // 2], "min_ms": times[0],
                      "first_loss": first_loss, "last_loss": last_loss},
                     sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
