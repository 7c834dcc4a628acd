#!/usr/bin/python3
"""Trains the shipped bone segmentation model and exports it to ONNX.

Usage: train.py DATA_DIR OUT.onnx METRICS.json

DATA_DIR holds the volumes written by `./anatwin train-model` (TrainingDataCommand): NAME.raw
(int16 HU, little-endian, x fastest) and NAME.txt ("nx ny nz sx sy sz"). The label of every voxel
is HU >= 300 (the bone preset), computed here after the intensity augmentation, so the network
learns the threshold itself rather than one scanner's calibration.

Training uses the synthetic phantoms and the real phantom's slices below HOLDOUT_FROM; the Dice
reported as "holdout" is measured on the real phantom's remaining slices, never trained on.
Debian's python3-torch and python3-onnx are all it needs; CPU only; seeded.
"""

import json
import pathlib
import sys
import time

import numpy as np
import onnx
import torch
from torch import nn

LOWER, UPPER, THRESHOLD = -1024.0, 3071.0, 300.0
PATCH = (24, 40, 40)  # z, y, x during training
EXPORT_PATCH = (48, 96, 96)  # z, y, x of the exported model's input
HOLDOUT_FROM = 100  # real phantom slices from here on are held out
STEPS = 1200
BATCH = 6


def normalise(hu):
    return (np.clip(hu, LOWER, UPPER) - LOWER) / (UPPER - LOWER)


def load(data):
    volumes = {}
    for header in sorted(pathlib.Path(data).glob("*.txt")):
        nx, ny, nz, *_ = header.read_text().split()
        raw = np.fromfile(header.with_suffix(".raw"), dtype="<i2")
        volumes[header.stem] = raw.reshape(int(nz), int(ny), int(nx)).astype(np.float32)
    return volumes


class BoneNet(nn.Module):
    """Three 3D convolutions: 5x5x5 receptive field, two output logits (background, bone).

    The input (the descriptor's CLIP_SCALE to [0, 1]) is first mapped back to a bone window,
    (HU - 400) / 100 (level 400, one unit per 100 HU), a fixed standardisation inside the network
    in the manner of nnU-Net's CT normalisation, so the convolutions work on values of order one.
    """

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv3d(1, 4, 3, padding=1),
            nn.ReLU(),
            nn.Conv3d(4, 4, 3, padding=1),
            nn.ReLU(),
            nn.Conv3d(4, 2, 1),
        )

    def forward(self, x):
        hu = x * (UPPER - LOWER) + LOWER
        return self.layers((hu - 400.0) / 100.0)


def patches(rng, volumes, boundaries):
    names = list(volumes)
    xs, ys = [], []
    for _ in range(BATCH):
        name = names[rng.integers(len(names))]
        v = volumes[name]
        limit = [v.shape[i] - PATCH[i] for i in range(3)]
        if rng.random() < 0.8:  # centred near a bone boundary, where the decision is made
            z, y, x = boundaries[name][rng.integers(len(boundaries[name]))]
            start = [int(np.clip(c - p // 2, 0, l)) for c, p, l in zip((z, y, x), PATCH, limit)]
        else:
            start = [int(rng.integers(0, l + 1)) for l in limit]
        hu = v[tuple(slice(s, s + p) for s, p in zip(start, PATCH))]
        # intensity augmentation: the label follows the augmented values
        hu = hu * rng.uniform(0.85, 1.15) + rng.uniform(-150, 150)
        hu = hu + rng.normal(0, rng.uniform(0, 30), hu.shape)
        xs.append(normalise(hu))
        ys.append((hu >= THRESHOLD).astype(np.int64))
    return torch.from_numpy(np.stack(xs)[:, None].astype(np.float32)), torch.from_numpy(np.stack(ys))


def dice(a, b):
    return 2.0 * np.logical_and(a, b).sum() / (a.sum() + b.sum())


def main():
    data, out, metrics_out = sys.argv[1:4]
    torch.manual_seed(0)
    torch.set_num_threads(2)
    rng = np.random.default_rng(0)
    volumes = load(data)
    real = volumes["phantom-study1"]
    train = {k: v for k, v in volumes.items() if k != "phantom-study1"}
    train["phantom-train"] = real[:HOLDOUT_FROM]
    boundaries = {}
    for name, v in train.items():
        bone = v >= THRESHOLD
        edge = bone ^ np.roll(bone, 1, axis=2)
        boundaries[name] = np.argwhere(edge)[:: 97]

    net = BoneNet()
    optimiser = torch.optim.Adam(net.parameters(), lr=2e-2)
    schedule = torch.optim.lr_scheduler.StepLR(optimiser, step_size=400, gamma=0.3)
    loss_fn = nn.CrossEntropyLoss()
    began = time.time()
    for step in range(STEPS):
        x, y = patches(rng, train, boundaries)
        optimiser.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        optimiser.step()
        schedule.step()
        if step % 100 == 0:
            print(f"step {step} loss {loss.item():.5f}", flush=True)

    net.eval()
    with torch.no_grad():
        logits = net(torch.from_numpy(normalise(real)[None, None]))
    predicted = (logits[0, 1] > logits[0, 0]).numpy()
    label = real >= THRESHOLD
    metrics = {
        "dice_real_phantom": round(float(dice(predicted, label)), 5),
        "dice_holdout_slices": round(
            float(dice(predicted[HOLDOUT_FROM:], label[HOLDOUT_FROM:])), 5
        ),
        "steps": STEPS,
        "batch": BATCH,
        "patch_zyx": PATCH,
        "parameters": sum(p.numel() for p in net.parameters()),
        "training_seconds": round(time.time() - began, 1),
        "torch": torch.__version__,
    }
    print(json.dumps(metrics))
    pathlib.Path(metrics_out).write_text(json.dumps(metrics, indent=2) + "\n")
    torch.onnx.export(
        net,
        torch.zeros((1, 1) + EXPORT_PATCH),
        out,
        input_names=["image"],
        output_names=["logits"],
        dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=13,
    )
    onnx.checker.check_model(onnx.load(out), full_check=True)


if __name__ == "__main__":
    main()
