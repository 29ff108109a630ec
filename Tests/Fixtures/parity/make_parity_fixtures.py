#!/usr/bin/env python3
"""PyTorch reference fixtures for the NeuralNet parity tests (Tests/NeuralNetTests/*Parity*.swift).

Run from the package root with PyTorch, numpy and safetensors installed (CI does not run this; the outputs
are committed next to it):

    /work/torchenv/bin/python Tests/Fixtures/parity/make_parity_fixtures.py

Conventions shared with the Swift tests:
- Activations are computed in PyTorch's NCHW and stored NHWC (`[N, H, W, C]`), the engine's layout, so the
  Swift side compares directly. Convolution weights stay OIHW. Labels are stored as I64 `[N, H, W]`.
- Inputs and weights are drawn in float32; references are computed in float64 from those exact values and
  stored as float32, so the stored references carry no float32 accumulation error of their own.
- Every backward pass is seeded with a stored random `grad_output` (not ones) so that a transposed or
  mis-indexed gradient cannot pass by symmetry.
- Several cases of one op share a file: tensors are prefixed `case<i>.` and the case's arguments are in the
  `__metadata__` map under the same prefix.
"""
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(1234)


def f32(t):
    """A float32 CPU copy for storing."""
    return t.detach().to(torch.float32).contiguous()


def nhwc(t):
    """NCHW -> NHWC, float32."""
    return f32(t.permute(0, 2, 3, 1))


def rand(*shape):
    """Float32 normal values, returned as float64 (exactly representable in float32)."""
    return torch.randn(*shape, dtype=torch.float32).to(torch.float64)


def distinct(*shape):
    """Values with no ties (for max pooling): a random permutation of a spread grid, in float64."""
    count = int(np.prod(shape))
    values = (torch.randperm(count).to(torch.float64) - count / 2) / 8
    return values.reshape(shape)


def save(name, tensors, metadata):
    path = os.path.join(HERE, name)
    save_file({k: v.contiguous() for k, v in tensors.items()}, path, metadata={k: str(v) for k, v in metadata.items()})
    print(f"{name}: {len(tensors)} tensors, {os.path.getsize(path)} bytes")


def with_grads(function, inputs, output_is_nchw=True):
    """Runs function(*inputs) in float64 and backward with a random seed. Returns output, seed, grads."""
    leaves = [x.clone().requires_grad_(True) for x in inputs]
    output = function(*leaves)
    seed = rand(*output.shape)
    output.backward(seed)
    return output, seed, [x.grad for x in leaves]


def conv2d():
    cases = [
        # batch, in, out, height, width, kernel, stride, padding, dilation, bias
        (2, 3, 4, 7, 9, 3, 1, 1, 1, True),
        (2, 3, 5, 7, 9, 3, 2, 1, 1, False),
        (1, 4, 3, 9, 8, 3, 1, 2, 2, True),
        (1, 2, 3, 11, 13, 3, 1, 4, 4, False),
        (2, 3, 4, 8, 5, 5, 2, 2, 1, True),
        (1, 5, 6, 6, 7, 1, 2, 0, 1, True),
        (1, 3, 2, 10, 9, 3, 2, 2, 2, True),
    ]
    tensors, metadata = {}, {}
    for index, (n, cin, cout, h, w, k, stride, padding, dilation, bias) in enumerate(cases):
        p = f"case{index}."
        x, weight = rand(n, cin, h, w), rand(cout, cin, k, k) * (1 / np.sqrt(cin * k * k))
        inputs = [x, weight] + ([rand(cout)] if bias else [])

        def run(x, weight, b=None):
            return F.conv2d(x, weight, b, stride=stride, padding=padding, dilation=dilation)

        out, seed, grads = with_grads(run, inputs)
        tensors.update({p + "input": nhwc(x), p + "weight": f32(weight), p + "output": nhwc(out),
                        p + "grad_output": nhwc(seed), p + "grad_input": nhwc(grads[0]), p + "grad_weight": f32(grads[1])})
        if bias:
            tensors.update({p + "bias": f32(inputs[2]), p + "grad_bias": f32(grads[2])})
        metadata.update({p + "stride": stride, p + "padding": padding, p + "dilation": dilation, p + "bias": int(bias)})
    metadata["cases"] = len(cases)
    save("conv2d.safetensors", tensors, metadata)


def batchnorm():
    tensors, metadata = {}, {"momentum": 0.1, "eps": 1e-5}
    n, c, h, w = 2, 5, 4, 3
    x = rand(n, c, h, w) * 2 + 0.5
    weight, bias = rand(c), rand(c)
    running_mean, running_var = rand(c) * 0.1, torch.rand(c, dtype=torch.float32).to(torch.float64) + 0.5
    tensors.update({"input": nhwc(x), "weight": f32(weight), "bias": f32(bias),
                    "running_mean": f32(running_mean), "running_var": f32(running_var)})
    for mode in ["train", "eval"]:
        mean, var = running_mean.clone(), running_var.clone()

        def run(x, weight, bias):
            return F.batch_norm(x, mean, var, weight, bias, training=(mode == "train"), momentum=0.1, eps=1e-5)

        out, seed, grads = with_grads(run, [x, weight, bias])
        p = mode + "."
        tensors.update({p + "output": nhwc(out), p + "grad_output": nhwc(seed), p + "grad_input": nhwc(grads[0]),
                        p + "grad_weight": f32(grads[1]), p + "grad_bias": f32(grads[2]),
                        p + "running_mean": f32(mean), p + "running_var": f32(var)})
    save("batchnorm.safetensors", tensors, metadata)


def elementwise():
    tensors = {}
    x = rand(2, 3, 5, 4)
    x = torch.where(x.abs() < 0.05, x + 0.2, x)  # keep away from ReLU's kink
    out, seed, (grad,) = with_grads(F.relu, [x])
    tensors.update({"relu.input": nhwc(x), "relu.output": nhwc(out), "relu.grad_output": nhwc(seed), "relu.grad_input": nhwc(grad)})

    a, b = rand(2, 3, 5, 4), rand(2, 3, 5, 4)
    out, seed, (grad_a, grad_b) = with_grads(torch.add, [a, b])
    tensors.update({"add.a": nhwc(a), "add.b": nhwc(b), "add.output": nhwc(out), "add.grad_output": nhwc(seed),
                    "add.grad_a": nhwc(grad_a), "add.grad_b": nhwc(grad_b)})

    a, b = rand(2, 3, 4, 5), rand(2, 2, 4, 5)
    out, seed, (grad_a, grad_b) = with_grads(lambda a, b: torch.cat([a, b], dim=1), [a, b])
    tensors.update({"concat.a": nhwc(a), "concat.b": nhwc(b), "concat.output": nhwc(out), "concat.grad_output": nhwc(seed),
                    "concat.grad_a": nhwc(grad_a), "concat.grad_b": nhwc(grad_b)})

    x = rand(2, 5, 3, 4) * 3
    out, seed, (grad,) = with_grads(lambda x: torch.softmax(x, dim=1), [x])
    tensors.update({"softmax.input": nhwc(x), "softmax.output": nhwc(out), "softmax.grad_output": nhwc(seed),
                    "softmax.grad_input": nhwc(grad)})
    save("elementwise.safetensors", tensors, {})


def pooling():
    tensors, metadata = {}, {}
    for index, shape in enumerate([(2, 3, 9, 7), (1, 2, 8, 8), (1, 1, 2, 3)]):
        x = distinct(*shape)
        out, seed, (grad,) = with_grads(lambda x: F.max_pool2d(x, 3, 2, 1), [x])
        p = f"maxpool.case{index}."
        tensors.update({p + "input": nhwc(x), p + "output": nhwc(out), p + "grad_output": nhwc(seed), p + "grad_input": nhwc(grad)})
    metadata["maxpool.cases"] = 3
    index = 0
    for shape in [(2, 3, 7, 9), (1, 2, 4, 4)]:
        for bins in [1, 3, 5, 6]:
            x = rand(*shape)
            out, seed, (grad,) = with_grads(lambda x: F.adaptive_avg_pool2d(x, bins), [x])
            p = f"adaptive.case{index}."
            tensors.update({p + "input": nhwc(x), p + "output": nhwc(out), p + "grad_output": nhwc(seed), p + "grad_input": nhwc(grad)})
            metadata[p + "bins"] = bins
            index += 1
    metadata["adaptive.cases"] = index
    save("pooling.safetensors", tensors, metadata)


def resize():
    tensors, metadata = {}, {}
    index = 0
    for shape, size in [((1, 3, 5, 7), (11, 13)), ((2, 2, 9, 11), (4, 6)), ((1, 2, 4, 4), (8, 8)), ((1, 1, 6, 5), (6, 9))]:
        for align in [False, True]:
            x = rand(*shape)
            out, seed, (grad,) = with_grads(lambda x: F.interpolate(x, size=size, mode="bilinear", align_corners=align), [x])
            p = f"case{index}."
            tensors.update({p + "input": nhwc(x), p + "output": nhwc(out), p + "grad_output": nhwc(seed), p + "grad_input": nhwc(grad)})
            metadata.update({p + "height": size[0], p + "width": size[1], p + "align_corners": int(align)})
            index += 1
    metadata["cases"] = index
    save("resize.safetensors", tensors, metadata)


def cross_entropy():
    tensors, metadata = {}, {}
    n, c, h, w = 2, 5, 4, 3
    class_weights = torch.rand(c, dtype=torch.float32).to(torch.float64) + 0.5
    cases = [(None, -100), (None, 255), (class_weights, 255)]
    for index, (weights, ignore) in enumerate(cases):
        logits = rand(n, c, h, w) * 2
        target = torch.randint(0, c, (n, h, w))
        if ignore == 255:
            target[torch.rand(n, h, w) < 0.3] = 255
        leaf = logits.clone().requires_grad_(True)
        loss = F.cross_entropy(leaf, target, weight=weights, ignore_index=ignore)
        loss.backward()
        p = f"case{index}."
        tensors.update({p + "logits": nhwc(logits), p + "target": target.to(torch.int64), p + "loss": f32(loss.reshape(1)),
                        p + "grad_logits": nhwc(leaf.grad)})
        if weights is not None:
            tensors[p + "class_weights"] = f32(weights)
        metadata.update({p + "ignore_index": ignore, p + "weighted": int(weights is not None)})
    metadata["cases"] = len(cases)
    save("cross_entropy.safetensors", tensors, metadata)


class Block(nn.Module):
    """A ResNet basic block without downsampling."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + x)


class TinyNet(nn.Module):
    """stem (conv-BN-ReLU, stride 2) -> residual block -> 1x1 classifier -> bilinear upsample to input size."""

    def __init__(self, in_channels=3, width=8, classes=4):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(in_channels, width, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU())
        self.block = Block(width)
        self.head = nn.Conv2d(width, classes, 1)

    def forward(self, x):
        y = self.head(self.block(self.stem(x)))
        return F.interpolate(y, size=x.shape[2:], mode="bilinear", align_corners=False)


def network_two_steps(file_name, make_optimizer, metadata):
    """Two optimizer steps of TinyNet in float64 from float32 initial weights (seed 99)."""
    torch.manual_seed(99)
    net = TinyNet()
    with torch.no_grad():  # non-trivial BN affine parameters so their gradients matter
        for module in net.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.2, 0.2)
    initial = {k: v.clone() for k, v in net.state_dict().items()}
    net = net.double()
    x = rand(2, 3, 10, 10)
    target = torch.randint(0, 4, (2, 10, 10))
    target[0, :2, :] = 255
    optimizer = make_optimizer(net.parameters())
    tensors = {"input": nhwc(x), "target": target}
    tensors.update({"initial." + k: (v if v.dtype == torch.int64 else f32(v)) for k, v in initial.items()})
    losses = []
    for step in [1, 2]:
        optimizer.zero_grad()
        loss = F.cross_entropy(net(x), target, ignore_index=255)
        loss.backward()
        losses.append(loss.item())
        for name, parameter in net.named_parameters():
            tensors[f"step{step}.grad.{name}"] = f32(parameter.grad)
        optimizer.step()
    tensors["loss"] = torch.tensor(losses, dtype=torch.float32)
    tensors.update({"final." + k: (v if v.dtype == torch.int64 else f32(v)) for k, v in net.state_dict().items()})
    save(file_name, tensors, dict(metadata, ignore_index=255))


def network_sgd():
    network_two_steps("network_sgd.safetensors", lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=1e-4),
                      {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-4})


def network_adamw():
    network_two_steps("network_adamw.safetensors", lambda ps: torch.optim.AdamW(ps, lr=1e-3, weight_decay=1e-2),
                      {"lr": 1e-3, "weight_decay": 1e-2})


def optimizers():
    """Optimizer steps on fixed gradients, isolating the update rules from the network."""
    tensors, metadata = {}, {}
    shapes = {"a": (3, 4), "b": (5,)}
    for name, shape in shapes.items():
        tensors[f"initial.{name}"] = f32(rand(*shape))
        for step in [1, 2]:
            tensors[f"step{step}.grad.{name}"] = f32(rand(*shape))
    configs = {
        "sgd_momentum": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=1e-4),
        "sgd_nesterov": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=1e-2, nesterov=True),
        "sgd_plain": lambda ps: torch.optim.SGD(ps, lr=0.1, weight_decay=1e-3),
        "adamw": lambda ps: torch.optim.AdamW(ps, lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2),
    }
    metadata.update({"sgd_momentum": "lr=0.1 momentum=0.9 weight_decay=1e-4", "sgd_nesterov": "lr=0.1 momentum=0.9 weight_decay=1e-2 nesterov",
                     "sgd_plain": "lr=0.1 weight_decay=1e-3", "adamw": "lr=1e-2 betas=(0.9,0.999) eps=1e-8 weight_decay=1e-2"})
    for config, make in configs.items():
        params = {name: tensors[f"initial.{name}"].to(torch.float64).clone().requires_grad_(True) for name in shapes}
        optimizer = make(list(params.values()))
        for step in [1, 2]:
            for name, parameter in params.items():
                parameter.grad = tensors[f"step{step}.grad.{name}"].to(torch.float64).clone()
            optimizer.step()
            for name, parameter in params.items():
                tensors[f"{config}.step{step}.{name}"] = f32(parameter)
    save("optimizers.safetensors", tensors, metadata)


def python_written():
    """A file written by Python's safetensors in all three float dtypes, for the reader."""
    values = torch.tensor([0.0, -0.0, 1.0, -2.5, 3.140625, 65504.0, 1e-7, 6e-8, -1e-5, 0.1, 1 / 3, 70000.0, 1e-40, float("inf")],
                          dtype=torch.float32)
    tensors = {"values": values,
               "values.f16": values.to(torch.float16), "values.f16_as_f32": values.to(torch.float16).to(torch.float32),
               "values.bf16": values.to(torch.bfloat16), "values.bf16_as_f32": values.to(torch.bfloat16).to(torch.float32),
               "matrix": torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) / 4, "empty": torch.zeros(0, 3),
               "counter": torch.tensor(7, dtype=torch.int64)}
    save("python_written.safetensors", tensors, {"format": "pt", "note": "written by make_parity_fixtures.py"})


if __name__ == "__main__":
    conv2d()
    batchnorm()
    elementwise()
    pooling()
    resize()
    cross_entropy()
    network_sgd()
    optimizers()
    python_written()
    network_adamw()  # last, so adding it changed no other fixture (the generator state flows on)
