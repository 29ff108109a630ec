"""The PyTorch twin of LandUse's PSPNet, parameter name for parameter name.

LandUse's Swift model (SegmentationModels) and this module build the same network from the same
configuration and use the same dotted parameter names, so a state dict of either loads into the other
(after the layout note below). It serves three purposes:

* generating the parity fixtures that the Swift tests compare against (Tests/Fixtures/pspnet/);
* the PyTorch side of the side-by-side benchmarks (Benchmarks/);
* importing weights that PyTorch users have (python/export_model.py).

Layouts: PyTorch activations are NCHW, LandUse's are NHWC; parameters have identical shapes (conv weights
OIHW) in both.

Architecture (docs/DESIGN.md has the drawing):
  backbone    torchvision ResNet-18/34/50/101 (conv1, bn1, maxpool, layer1..layer4), any band count,
              output stride 8 (every 3x3 conv of layer3 dilation 2, of layer4 dilation 4, stride 1 and
              1x1 downsample stride 1) or 16 (layer4 only, dilation 2).
  ppm         for each size b: adaptive average pool to b x b, 1x1 conv (no bias) to C // len(sizes),
              BN, ReLU, bilinear upsampling (align_corners=False) to the feature size; concatenated after
              the input features. Empty sizes: identity.
  decoder     "upsample": 3x3 conv to 512 (no bias), BN, ReLU, Dropout2d(0.1), 1x1 conv to classes,
              bilinear upsampling to the input size.
              "fpn": 3x3 bottleneck to 256, then five top-down stages fusing skips from layer3, layer2,
              layer1, the stem (conv1-bn1-relu, stride 2) and the input bands: each stage upsamples the
              running features to the skip's size, concatenates a 1x1-conv-BN-ReLU lateral of the skip,
              and applies a 3x3 conv-BN-ReLU; Dropout2d(0.1) and a 1x1 classifier at full resolution.
  aux         on layer3, training only: 3x3 conv to 256 (no bias), BN, ReLU, Dropout2d(0.1), 1x1 conv,
              bilinear upsampling to the input size.
  width       multiplier of every channel count above (stem, the ResNet widths 64/128/256/512 with bottleneck
              expansion kept, hence the PPM reduction, the 512/256 head widths, the FPN bottleneck, stage and
              lateral widths): scaled(c) = max(8, round(c * width)), product in float32, halves rounded away
              from zero (LandUse's PSPNetConfiguration.scaledChannels). Width 1 is the network above.
"""

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BLOCK_COUNTS = {"resnet18": [2, 2, 2, 2], "resnet34": [3, 4, 6, 3],
                "resnet50": [3, 4, 6, 3], "resnet101": [3, 4, 23, 3]}
FPN_WIDTHS = [256, 128, 64, 32, 32]      # output channels of stages 0..4 (layer3, layer2, layer1, stem, input)
FPN_LATERALS = [128, 64, 32, 16, 16]     # lateral channels of the same stages
FPN_BOTTLENECK = 256
MIN_SCALED_CHANNELS = 8


def scaled(channels, width):
    """channels x width rounded half away from zero (in float32, as LandUse computes it), at least 8."""
    product = float(np.float32(channels) * np.float32(width))
    return max(MIN_SCALED_CHANNELS, int(math.floor(product + 0.5)))


def conv_bn(inputs, outputs, kernel, stride=1, dilation=1):
    padding = dilation * (kernel // 2)
    return nn.Conv2d(inputs, outputs, kernel, stride, padding, dilation, bias=False), nn.BatchNorm2d(outputs)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inputs, width, stride, dilation, downsample):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(inputs, width, 3, stride, dilation)
        self.conv2, self.bn2 = conv_bn(width, width, 3, 1, dilation)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inputs, width, stride, dilation, downsample):
        super().__init__()
        self.conv1, self.bn1 = conv_bn(inputs, width, 1)
        self.conv2, self.bn2 = conv_bn(width, width, 3, stride, dilation)
        self.conv3, self.bn3 = conv_bn(width, width * 4, 1)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


class DilatedResNet(nn.Module):
    def __init__(self, backbone, bands, output_stride, width=1.0):
        super().__init__()
        block = Bottleneck if backbone in ("resnet50", "resnet101") else BasicBlock
        counts = BLOCK_COUNTS[backbone]
        stem = scaled(64, width)
        widths = [scaled(c, width) for c in (64, 128, 256, 512)]
        self.conv1 = nn.Conv2d(bands, stem, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        # (stride, dilation) of layer1..layer4
        plan = {8: [(1, 1), (2, 1), (1, 2), (1, 4)], 16: [(1, 1), (2, 1), (2, 1), (1, 2)]}[output_stride]
        inputs = stem
        for index, (planes, count, (stride, dilation)) in enumerate(zip(widths, counts, plan)):
            downsample = None
            if stride != 1 or inputs != planes * block.expansion:
                downsample = nn.Sequential(nn.Conv2d(inputs, planes * block.expansion, 1, stride, bias=False),
                                           nn.BatchNorm2d(planes * block.expansion))
            blocks = [block(inputs, planes, stride, dilation, downsample)]
            inputs = planes * block.expansion
            blocks += [block(inputs, planes, 1, dilation, None) for _ in range(count - 1)]
            setattr(self, f"layer{index + 1}", nn.Sequential(*blocks))
        self.channels = [stem] + [planes * block.expansion for planes in widths]

    def forward(self, x):
        stem = self.relu(self.bn1(self.conv1(x)))
        layer1 = self.layer1(self.maxpool(stem))
        layer2 = self.layer2(layer1)
        layer3 = self.layer3(layer2)
        layer4 = self.layer4(layer3)
        return stem, layer1, layer2, layer3, layer4


class PyramidStage(nn.Module):
    def __init__(self, inputs, outputs, size):
        super().__init__()
        self.size = size
        self.conv = nn.Conv2d(inputs, outputs, 1, bias=False)
        self.bn = nn.BatchNorm2d(outputs)

    def forward(self, x):
        y = F.relu(self.bn(self.conv(F.adaptive_avg_pool2d(x, self.size))))
        return F.interpolate(y, size=x.shape[2:], mode="bilinear", align_corners=False)


class PyramidPooling(nn.Module):
    def __init__(self, inputs, sizes):
        super().__init__()
        reduced = inputs // len(sizes) if sizes else 0
        self.stages = nn.ModuleList([PyramidStage(inputs, reduced, size) for size in sizes])
        self.channels = inputs + reduced * len(sizes)

    def forward(self, x):
        return torch.cat([x] + [stage(x) for stage in self.stages], dim=1) if len(self.stages) else x


class ConvBNReLU(nn.Module):
    def __init__(self, inputs, outputs, kernel):
        super().__init__()
        self.conv, self.bn = conv_bn(inputs, outputs, kernel)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class UpsampleHead(nn.Module):
    def __init__(self, inputs, width, classes):
        super().__init__()
        self.conv, self.bn = conv_bn(inputs, width, 3)
        self.dropout = nn.Dropout2d(0.1)
        self.classifier = nn.Conv2d(width, classes, 1)

    def forward(self, x, size):
        y = self.classifier(self.dropout(F.relu(self.bn(self.conv(x)))))
        return F.interpolate(y, size=size, mode="bilinear", align_corners=False)


class FPNStage(nn.Module):
    def __init__(self, running, skip, lateral, width):
        super().__init__()
        self.lateral = ConvBNReLU(skip, lateral, 1)
        self.fuse = ConvBNReLU(running + lateral, width, 3)

    def forward(self, running, skip):
        if running.shape[2:] != skip.shape[2:]:
            running = F.interpolate(running, size=skip.shape[2:], mode="bilinear", align_corners=False)
        return self.fuse(torch.cat([running, self.lateral(skip)], dim=1))


class FPNDecoder(nn.Module):
    def __init__(self, inputs, skip_channels, classes, width=1.0):
        super().__init__()
        running = scaled(FPN_BOTTLENECK, width)
        self.bottleneck = ConvBNReLU(inputs, running, 3)
        stages = []
        for skip, lateral, outputs in zip(skip_channels, FPN_LATERALS, FPN_WIDTHS):
            stages.append(FPNStage(running, skip, scaled(lateral, width), scaled(outputs, width)))
            running = scaled(outputs, width)
        self.stages = nn.ModuleList(stages)
        self.dropout = nn.Dropout2d(0.1)
        self.classifier = nn.Conv2d(running, classes, 1)

    def forward(self, x, skips):
        y = self.bottleneck(x)
        for stage, skip in zip(self.stages, skips):
            y = stage(y, skip)
        return self.classifier(self.dropout(y))


class PSPNet(nn.Module):
    def __init__(self, backbone="resnet50", bands=3, classes=7, output_stride=8, pyramid_sizes=(1, 3, 5, 6),
                 decoder="upsample", aux_weight=0.4, width=1.0):
        super().__init__()
        self.width = width
        self.backbone = DilatedResNet(backbone, bands, output_stride, width)
        channels = self.backbone.channels
        self.ppm = PyramidPooling(channels[4], list(pyramid_sizes))
        self.decoder_kind = decoder
        if decoder == "upsample":
            self.decoder = UpsampleHead(self.ppm.channels, scaled(512, width), classes)
        else:
            # skips in top-down order: layer3, layer2, layer1, stem, input
            self.decoder = FPNDecoder(self.ppm.channels, [channels[3], channels[2], channels[1], channels[0], bands],
                                      classes, width)
        self.aux = UpsampleHead(channels[3], scaled(256, width), classes) if aux_weight > 0 else None

    def forward(self, x):
        """Returns the logits at the input size; in training mode with an aux head, (logits, aux_logits)."""
        stem, layer1, layer2, layer3, layer4 = self.backbone(x)
        features = self.ppm(layer4)
        if self.decoder_kind == "upsample":
            logits = self.decoder(features, x.shape[2:])
        else:
            logits = self.decoder(features, [layer3, layer2, layer1, stem, x])
        if self.training and self.aux is not None:
            return logits, self.aux(layer3, x.shape[2:])
        return logits


def randomize_(model, generator):
    """Random weights and BatchNorm statistics, so that parity fixtures exercise every parameter."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.weight.copy_(torch.rand(module.weight.shape, generator=generator) * 0.5 + 0.75)
                module.bias.copy_(torch.randn(module.bias.shape, generator=generator) * 0.1)
                module.running_mean.copy_(torch.randn(module.running_mean.shape, generator=generator) * 0.1)
                module.running_var.copy_(torch.rand(module.running_var.shape, generator=generator) * 0.5 + 0.75)
            elif isinstance(module, nn.Conv2d):
                fan_in = module.weight[0].numel()
                module.weight.copy_(torch.randn(module.weight.shape, generator=generator) * (2.0 / fan_in) ** 0.5)
                if module.bias is not None:
                    module.bias.copy_(torch.randn(module.bias.shape, generator=generator) * 0.1)
    return model
