#!/usr/bin/env python3
"""PyTorch CPU reference for bench/throughput.ts: the same two architectures as
src/trainer/models (lenet5, resnet-small), trained and run at the same batch size on random data.

Prints one JSON object on the last line of stdout:
  {"model", "train", "infer" (samples/s), "peakRssMb", "threads", "version", "profile": [...]}

Run by bench/throughput.ts (which installs Debian's python3-torch first); by hand:
  /usr/bin/python3 bench/throughput_torch.py --model resnet-small --seconds 5
"""
import argparse
import json
import os
import resource
import time

import torch
from torch import nn


class LeNet5(nn.Module):
    """conv5x5(6, 'same') -> maxpool -> conv5x5(16) -> maxpool -> 120 -> 84 -> classes, ReLU."""

    def __init__(self, in_channels, size, classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
        flat = 16 * ((size // 2 - 4) // 2) ** 2
        self.head = nn.Sequential(nn.Linear(flat, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                                  nn.Linear(84, classes))

    def forward(self, x):
        return self.head(self.features(x))


def conv_bn(cin, cout, k, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, padding=k // 2, bias=False),
                         nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = conv_bn(cin, cout, 3, stride)
        self.b = conv_bn(cout, cout, 3, 1)
        self.proj = conv_bn(cin, cout, 1, stride) if stride != 1 or cin != cout else None
        self.relu = nn.ReLU()

    def forward(self, x):
        y = self.b(self.relu(self.a(x)))
        return self.relu(y + (self.proj(x) if self.proj is not None else x))


class ResNetSmall(nn.Module):
    """Stem conv3x3(32), stages 32/64/128 (stride 2 into stages 2 and 3), GAP, linear head."""

    def __init__(self, in_channels, classes, depth=1):
        super().__init__()
        layers = [conv_bn(in_channels, 32, 3, 1), nn.ReLU()]
        cin = 32
        for stage, cout in enumerate([32, 64, 128]):
            for block in range(depth):
                layers.append(BasicBlock(cin, cout, 2 if stage > 0 and block == 0 else 1))
                cin = cout
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(cin, classes)

    def forward(self, x):
        return self.head(self.features(x))


def timed(step, seconds):
    """Steps per second: the best of three windows (each >= seconds / 3 and one step) after two
    warm-up steps; other work on a shared machine only slows a window down (as in throughputRun.ts)."""
    for _ in range(2):
        step()
    best = 0.0
    for _ in range(3):
        count, start = 0, time.perf_counter()
        while count < 1 or time.perf_counter() - start < seconds / 3:
            step()
            count += 1
        best = max(best, count / (time.perf_counter() - start))
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--model', choices=['lenet5', 'resnet-small'], required=True)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--seconds', type=float, default=5.0)
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    parser.add_argument('--profile', action='store_true')
    args = parser.parse_args()

    # Debian's build starts with one thread; the comparison is against all cores, like tfjs.
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.model == 'lenet5':
        model, shape = LeNet5(1, 28, 10), (args.batch, 1, 28, 28)
    else:
        model, shape = ResNetSmall(3, 10), (args.batch, 3, 32, 32)
    x = torch.randn(*shape)
    y = torch.randint(0, 10, (args.batch,))
    optimiser = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    def train_step():
        optimiser.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimiser.step()

    def infer_step():
        with torch.no_grad():
            model(x)

    model.train()
    train = timed(train_step, args.seconds) * args.batch
    model.eval()
    infer = timed(infer_step, args.seconds / 2) * args.batch
    model.train()

    profile = []
    if args.profile:
        from torch.profiler import ProfilerActivity, profile as torch_profile
        with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
            train_step()
        rows = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)[:8]
        profile = [{'kernel': e.key, 'ms': e.self_cpu_time_total / 1000, 'calls': e.count} for e in rows]

    print(json.dumps({
        'model': args.model, 'train': train, 'infer': infer,
        'peakRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'threads': torch.get_num_threads(), 'version': torch.__version__, 'profile': profile,
    }))


if __name__ == '__main__':
    main()
