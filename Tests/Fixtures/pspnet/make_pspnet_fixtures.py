"""Writes the PSPNet parity fixtures that Tests/SegmentationModelsTests compare LandUse against.

Run from the repository root with PyTorch installed (CI does not need PyTorch; the outputs are committed):

    python Tests/Fixtures/pspnet/make_pspnet_fixtures.py

Weights, BatchNorm statistics, inputs and labels come from the counter-based generator in
python/counter_random.py (the Swift tests regenerate them by parameter name), so the fixtures hold only
outputs. Activations are stored NHWC, LandUse's layout.

Files:
  input.safetensors   the forward input "input" [1, 45, 61, 6], to check the Swift generator against
  forward-<backbone>-os<stride>-<sizes>-<decoder>.safetensors   logits [1, 45, 61, 7] in eval mode for that
      input (height and width not multiples of 8)
  forward-resnet18-os<stride>-1356-<decoder>-tiny.safetensors   logits [1, 11, 7, 7] for the input
      "tiny-input" [1, 11, 7, 6]: pyramid bins larger than the feature map
  train-resnet18-os8-1356-upsample.safetensors   one training step (see train_fixture below)
  keys-<backbone>-os8-1356-<decoder>.txt   the state dict in order, one "name<TAB>shape<TAB>kind" line per
      tensor (shape as 64x6x7x7, kind parameter or buffer), for resnet18/resnet50 with both decoders
  forward-resnet18-os8-1356-<decoder>-width0.5.safetensors, keys-resnet18-os8-1356-<decoder>-width0.5.txt
      the same for the network of width multiplier 0.5 (every channel count halved)
"""

import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "python"))
from counter_random import symmetric, unit  # noqa: E402
from landuse_pspnet import PSPNet  # noqa: E402

BANDS, CLASSES, HEIGHT, WIDTH = 6, 7, 45, 61
IGNORE = 255


def counter_initialise_(model):
    """The deterministic weights the Swift twin reproduces by name.

    4-D (conv) weights: uniform in +-sqrt(6 / fan_in); other names ending in "weight" (BatchNorm scale)
    and "running_var": 0.25 + 0.5 u; everything else (biases, running_mean): uniform in +-0.1.
    BatchNorm scales below 1 keep a random ResNet-50's logits near unit size, so 1e-3 is a fair tolerance.
    """
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            count = tensor.numel()
            if name.endswith("num_batches_tracked"):
                continue
            if tensor.dim() == 4:
                fan_in = tensor[0].numel()
                values = symmetric(name, count, (6.0 / fan_in) ** 0.5)
            elif name.endswith("running_var") or name.endswith("weight"):
                values = (0.25 + 0.5 * unit(name, count)).astype(np.float32)
            else:  # BatchNorm bias, running_mean, classifier bias
                values = symmetric(name, count, 0.1)
            tensor.copy_(torch.from_numpy(values).reshape(tensor.shape))
    return model


def counter_input(name, batch, height, width, bands):
    nhwc = symmetric(name, batch * height * width * bands, 1.0).reshape(batch, height, width, bands)
    return torch.from_numpy(nhwc).permute(0, 3, 1, 2).contiguous()


def counter_labels(name, batch, height, width):
    draws = unit(name, batch * height * width).reshape(batch, height, width)
    labels = np.floor(draws * (CLASSES + 1)).astype(np.int64)
    labels[labels == CLASSES] = IGNORE  # about one pixel in eight is ignored
    return torch.from_numpy(labels)


def nhwc(tensor):
    return tensor.detach().permute(0, 2, 3, 1).contiguous().float()


def width_suffix(multiplier):
    return "" if multiplier == 1.0 else f"-width{multiplier}"


def forward_fixture(backbone, stride, sizes, decoder, input_name="input", height=HEIGHT, width=WIDTH, suffix="",
                    multiplier=1.0):
    model = PSPNet(backbone, BANDS, CLASSES, stride, sizes, decoder, aux_weight=0.4, width=multiplier).double()
    counter_initialise_(model).eval()
    x = counter_input(input_name, 1, height, width, BANDS).double()
    with torch.no_grad():
        logits = model(x)
    tag = "".join(str(s) for s in sizes) or "none"
    save_file({"logits": nhwc(logits)},
              os.path.join(HERE, f"forward-{backbone}-os{stride}-{tag}-{decoder}{suffix}{width_suffix(multiplier)}.safetensors"))


def summary(tensor):
    """sum, sum of |x|, L2 norm, then 16 values at indices floor(k * n / 16): a compact fingerprint."""
    flat = tensor.detach().double().reshape(-1)
    n = flat.numel()
    picks = flat[[k * n // 16 for k in range(16)]]
    return torch.cat([torch.stack([flat.sum(), flat.abs().sum(), flat.norm()]), picks]).float()


def train_fixture():
    """One SGD step of PSPNet-ResNet-18 (OS 8, sizes 1,3,5,6, upsample, aux 0.4) with dropout off.

    Stores loss and gradient fingerprints at step 1 and step 2, and parameter/BN-statistic fingerprints
    after the step. SGD: lr 0.01, momentum 0.9, weight decay 1e-4. Batch of 3 inputs [3, 33, 47, 6],
    labels with ignore index 255.

    Why 3 and not 2: the 1 x 1 pyramid bin gives training-mode BatchNorm only N values per channel. With
    N = 2 the normalised values are +-1 and the exact input gradient is 0, so what any float32
    implementation (PyTorch's included) computes there is rounding noise amplified by 1/std; it flows into
    layer4..conv1 and float32 gradients differ from float64 by ~0.5%. With N = 3 float32 PyTorch agrees
    with float64 to ~3e-5.
    """
    model = PSPNet("resnet18", BANDS, CLASSES, 8, [1, 3, 5, 6], "upsample", aux_weight=0.4).double()
    counter_initialise_(model).train()
    model.decoder.dropout.p = 0.0
    model.aux.dropout.p = 0.0
    x = counter_input("train-input", 3, 33, 47, BANDS).double()
    labels = counter_labels("train-labels", 3, 33, 47)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    out = {}
    for step in (1, 2):
        optimizer.zero_grad()
        logits, aux = model(x)
        main_loss = F.cross_entropy(logits, labels, ignore_index=IGNORE)
        aux_loss = F.cross_entropy(aux, labels, ignore_index=IGNORE)
        loss = main_loss + 0.4 * aux_loss
        loss.backward()
        out[f"step{step}.loss"] = torch.tensor([loss.item(), main_loss.item(), aux_loss.item()], dtype=torch.float32)
        for name, parameter in model.named_parameters():
            out[f"step{step}.grad.{name}"] = summary(parameter.grad)
        optimizer.step()
    for name, tensor in model.state_dict().items():
        if not name.endswith("num_batches_tracked"):
            out[f"after.{name}"] = summary(tensor)
    save_file(out, os.path.join(HERE, "train-resnet18-os8-1356-upsample.safetensors"))


def key_list(backbone, decoder, multiplier=1.0):
    model = PSPNet(backbone, BANDS, CLASSES, 8, [1, 3, 5, 6], decoder, aux_weight=0.4, width=multiplier)
    parameters = {name for name, _ in model.named_parameters()}
    lines = [f"{name}\t{'x'.join(str(d) for d in tensor.shape)}\t{'parameter' if name in parameters else 'buffer'}"
             for name, tensor in model.state_dict().items()]
    with open(os.path.join(HERE, f"keys-{backbone}-os8-1356-{decoder}{width_suffix(multiplier)}.txt"), "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    for backbone in ("resnet18", "resnet50"):
        for decoder in ("upsample", "fpn"):
            key_list(backbone, decoder)
    for decoder in ("upsample", "fpn"):
        key_list("resnet18", decoder, 0.5)
    torch.manual_seed(0)
    for backbone in ("resnet18", "resnet50"):
        for stride in (8, 16):
            for sizes in ([1, 3, 5, 6], [1, 2, 3, 6], []):
                forward_fixture(backbone, stride, sizes, "upsample")
    save_file({"input": nhwc(counter_input("input", 1, HEIGHT, WIDTH, BANDS))}, os.path.join(HERE, "input.safetensors"))
    forward_fixture("resnet18", 8, [1, 3, 5, 6], "fpn")
    forward_fixture("resnet50", 16, [1, 3, 5, 6], "fpn")
    # An 11 x 7 input: feature maps of 2 x 1 (OS 8) and 1 x 1 (OS 16), smaller than most pyramid bins.
    for stride in (8, 16):
        for decoder in ("upsample", "fpn"):
            forward_fixture("resnet18", stride, [1, 3, 5, 6], decoder, "tiny-input", 11, 7, "-tiny")
    for decoder in ("upsample", "fpn"):
        forward_fixture("resnet18", 8, [1, 3, 5, 6], decoder, multiplier=0.5)
    train_fixture()
