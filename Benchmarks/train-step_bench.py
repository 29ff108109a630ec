"""PyTorch side of the train-step benchmark: the same networks, shapes, threads and JSON lines as
`LandUseBenchmarks train-step` (Benchmarks/Sources/LandUseBenchmarks/TrainStep.swift): a small residual
network, and PSPNet-ResNet-18 (python/landuse_pspnet.py, the twin of LandUse's) on 256 x 256 chips with
its aux head. Run from the package root with a PyTorch that has oneDNN (mkldnn), or through
Benchmarks/run.sh train-step:

    /work/torchenv/bin/python Benchmarks/train-step_bench.py --threads 2 --batch 4 --repeats 10 [--only pspnet]

Activations and the model are channels_last (NHWC in memory), as LandUse's.
"""
import argparse
import json
import time

import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from landuse_pspnet import PSPNet  # noqa: E402

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


def time_steps(step, repeats):
    first_loss = step()
    step()  # two warm-up steps after the first, as LandUseBenchmarks' measure() does
    step()
    times = []
    last_loss = first_loss
    for _ in range(repeats):
        start = time.perf_counter()
        last_loss = step()
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    return first_loss, last_loss, times


def report(name, args, first_loss, last_loss, times):
    print(json.dumps({"engine": "pytorch", "suite": "train-step", "name": name, "pass": "step",
                      "batch": args.batch, "threads": args.threads, "median_ms": times[len(times) // 2], "min_ms": times[0],
                      "first_loss": first_loss, "last_loss": last_loss},
                     sort_keys=True), flush=True)


def resblock_step(args):
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

    report(f"resblock-{WIDTH}ch-{SIZE}x{SIZE}", args, *time_steps(step, args.repeats))


def pspnet_step(args):
    """PSPNet-ResNet-18, OS 8, pyramid 1,3,5,6, upsample decoder, aux 0.4, 6 bands, 7 classes, 256 x 256."""
    size, classes = 256, 7
    torch.manual_seed(1)
    net = PSPNet("resnet18", bands=6, classes=classes, output_stride=8, pyramid_sizes=(1, 3, 5, 6),
                 decoder="upsample", aux_weight=0.4).to(memory_format=torch.channels_last).train()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    x = (torch.rand(args.batch, 6, size, size) * 4 - 2).to(memory_format=torch.channels_last)
    labels = torch.randint(0, classes, (args.batch, size, size))

    def step():
        optimizer.zero_grad(set_to_none=True)
        logits, aux = net(x)
        loss = F.cross_entropy(logits, labels) + 0.4 * F.cross_entropy(aux, labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    report(f"pspnet-resnet18-{size}x{size}", args, *time_steps(step, args.repeats))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--only", default=None, help="resblock or pspnet")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.only is None or args.only in "resblock":
        resblock_step(args)
    if args.only is None or args.only in "pspnet-resnet18":
        pspnet_step(args)


if __name__ == "__main__":
    main()
