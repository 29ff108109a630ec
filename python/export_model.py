"""Writes a LandUse model file (docs/model-format.md) from PyTorch weights.

Two sources:

  full      a state dict of python/landuse_pspnet.PSPNet (the same names LandUse uses), e.g. a model trained
            in PyTorch:
                python python/export_model.py full --weights pspnet.pt --description description.json \
                    --output model.safetensors [--storage F16] [--keep-aux]

  encoder   a torchvision ResNet state dict (resnet18/34/50/101, e.g. ImageNet weights) as the encoder's
            initialisation; pyramid pooling, decoder and aux head get PyTorch's default initialisation
            (seeded by --seed); the file is a starting point for training.
                python python/export_model.py encoder --weights resnet50-0676ba61.pth \
                    --description description.json --output init.safetensors

The description is a JSON file with at least "architecture" (backbone, and optionally output_stride,
pyramid_sizes, decoder, aux_weight, width), "classes" ([{"value", "name", "color"}]) and "bands"
([{"name", "mean", "std"}]); the other keys of the model description get their defaults (format_version 1,
nodata "masked_as_mean", chip_size 256, chip_overlap 64, provenance filled in by this script).

torchvision keys map onto LandUse's by prefixing "backbone." (conv1.weight -> backbone.conv1.weight,
layer4.2.bn3.running_var -> backbone.layer4.2.bn3.running_var); fc.* is dropped. A 3-band (RGB)
conv1.weight is spread over N bands: band i takes the filter of RGB channel i mod 3, scaled by 3 / N; a
single band takes the sum of the three filters (timm's rules). So the bands keep distinct pretrained
filters and a pixel whose bands all hold one value gets the stem response the RGB network gives a grey
pixel of that value (exactly for 1 band and multiples of 3, approximately otherwise). PSPNet.adaptStemWeight in Swift applies the same rule.

Weights are read with torch.load(weights_only=True): no pickled code runs. Checkpoints that wrap the
state dict under "state_dict" or "model", or whose keys start with "module." (DataParallel), are unwrapped.
"""

import argparse
import datetime
import json
import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from landuse_pspnet import PSPNet  # noqa: E402

FORMAT_VERSION = 1
STORAGE = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def fail(message):
    sys.exit(f"export_model.py: {message}")


def load_state_dict(path):
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - report any reader failure with the file name
        fail(f"cannot read {path} as a PyTorch state dict ({error}); save it with torch.save(model.state_dict(), path)")
    for wrapper in ("state_dict", "model"):
        if isinstance(state, dict) and isinstance(state.get(wrapper), dict):
            state = state[wrapper]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        fail(f"{path} does not hold a state dict (a mapping of names to tensors)")
    if state and all(key.startswith("module.") for key in state):
        state = {key[len("module."):]: value for key, value in state.items()}
    return state


def complete_description(path, weights_path, source):
    with open(path) as handle:
        description = json.load(handle)
    for key in ("architecture", "classes", "bands"):
        if key not in description:
            fail(f"{path} lacks \"{key}\"; see docs/model-format.md for the description's keys")
    architecture = {"output_stride": 8, "pyramid_sizes": [1, 3, 5, 6], "decoder": "upsample", "aux_weight": 0.4,
                    "width": 1.0, "class_count": len(description["classes"]), "band_count": len(description["bands"])}
    architecture.update(description["architecture"])
    if "backbone" not in architecture:
        fail(f"{path}: \"architecture\" lacks \"backbone\" (resnet18, resnet34, resnet50 or resnet101)")
    description["architecture"] = architecture
    description.setdefault("format_version", FORMAT_VERSION)
    description.setdefault("nodata", "masked_as_mean")
    description.setdefault("chip_size", 256)
    description.setdefault("chip_overlap", 64)
    provenance = {"data": "", "iterations": 0, "metrics": {}, "software": "python/export_model.py",
                  "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "notes": {}}
    provenance.update(description.get("provenance", {}))
    provenance["notes"] = dict(provenance["notes"], source=f"{source}: {os.path.basename(weights_path)}")
    description["provenance"] = provenance
    return description


def build(architecture):
    try:
        return PSPNet(architecture["backbone"], architecture["band_count"], architecture["class_count"],
                      architecture["output_stride"], architecture["pyramid_sizes"], architecture["decoder"],
                      architecture["aux_weight"], width=architecture["width"])
    except KeyError as error:
        fail(f"unknown architecture value {error}: backbones are resnet18/34/50/101, output strides 8 or 16")


def spread_stem(weight, bands):
    """[O, 3, KH, KW] RGB filters -> [O, bands, KH, KW]: band i takes channel i mod 3, all scaled by 3 / bands
    (one band: the sum of the three)."""
    if bands == 1:
        return weight.sum(dim=1, keepdim=True)
    return weight[:, [band % 3 for band in range(bands)]] * (3.0 / bands)


def report_mismatch(error, what):
    fail(f"the weights do not fit the described architecture ({error}); {what}")


def export(model, description, output, storage, keep_aux):
    tensors = {}
    for name, tensor in model.state_dict().items():
        if name.startswith("aux.") and not keep_aux:
            continue
        # num_batches_tracked (int64) is stored as a float like every other tensor.
        tensors[name] = tensor.detach().to(STORAGE[storage]).contiguous()
    save_file(tensors, output, metadata={"landuse": json.dumps(description, sort_keys=True)})
    print(f"wrote {output}: {len(tensors)} tensors as {storage}, "
          f"{description['architecture']['backbone']} {description['architecture']['decoder']}, "
          f"{len(description['classes'])} classes, {len(description['bands'])} bands")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", choices=["full", "encoder"])
    parser.add_argument("--weights", required=True, help="PyTorch state dict (.pt/.pth)")
    parser.add_argument("--description", required=True, help="JSON description (classes, bands, architecture)")
    parser.add_argument("--output", required=True, help="the model file to write (.safetensors)")
    parser.add_argument("--storage", choices=sorted(STORAGE), default="F32")
    parser.add_argument("--keep-aux", action="store_true", help="keep the aux head (training checkpoints)")
    parser.add_argument("--seed", type=int, default=0, help="initialisation of the non-encoder parts (encoder)")
    args = parser.parse_args()

    description = complete_description(args.description, args.weights, args.source)
    state = load_state_dict(args.weights)
    torch.manual_seed(args.seed)
    model = build(description["architecture"])
    bands = description["architecture"]["band_count"]
    if args.source == "full":
        try:
            model.load_state_dict(state, strict=True)
        except RuntimeError as error:
            report_mismatch(error, "check backbone, decoder, pyramid_sizes, class and band counts in the description")
    else:
        if description["architecture"]["width"] != 1:
            fail(f"the description asks for width {description['architecture']['width']}, and torchvision ResNet weights "
                 "fit width 1.0 only: train from scratch or use --width 1 (\"width\": 1 in the description)")
        encoder = {key: value for key, value in state.items() if not key.startswith("fc.")}
        if all(key.startswith("backbone.") for key in encoder):
            encoder = {key[len("backbone."):]: value for key, value in encoder.items()}
        stem = encoder.get("conv1.weight")
        if stem is not None and stem.dim() == 4 and stem.shape[1] == 3 and bands != 3:
            encoder["conv1.weight"] = spread_stem(stem, bands)
        try:
            model.backbone.load_state_dict(encoder, strict=True)
        except RuntimeError as error:
            report_mismatch(error, f"pass a torchvision {description['architecture']['backbone']} state dict")
    export(model.eval(), description, args.output, args.storage, args.keep_aux)


if __name__ == "__main__":
    main()
