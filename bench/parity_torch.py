#!/usr/bin/env python3
"""PyTorch reference for bench/parity.ts: source-only and DANN on the Digits images our loader
decoded (exported by bench/parity.ts as float32 NHWC arrays), with our trainer's recipe, so that the
two frameworks' accuracies can be compared run for run.

Recipe (as src/trainer trains lenet5 with method dann / source-only, optimizer lrSchedule per-step,
discriminator dann-digits): trunk conv5x5(6, pad 2)-ReLU-maxpool-conv5x5(16)-ReLU-maxpool-flatten
(400-d), head 120-84-classes with ReLU; discriminator 400-100-1 with ReLU behind gradient reversal
(delta = 2/(1+exp(-10p))-1); one trunk pass over [source; target]; loss = CE(source) + BCE over all
source (1) and target (0) images; SGD momentum, lr0/(1+10p)^0.75 per step with p = step/total;
weight decay on kernels only. Source-only trains on the source batch alone.

Prints one JSON object on the last line of stdout:
  {"accuracy": {<target>: .., "source-holdout": ..}, "seconds", "threads", "version", "losses"}
"seconds" runs from building the model to the end of the evaluation (not Python's start, importing
torch or reading the arrays). Progress goes to stderr.

  /usr/bin/python3 bench/parity_torch.py --arrays .cache/bench/parity/arrays --method dann \
      --targets mnist-photo --seed 0 --epochs 10 --steps 300
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

MASK = 0xFFFFFFFF


def derive_seed(seed, *parts):
    """src/trainer/data/seededRandom.ts deriveSeed: FNV-1a over the UTF-16 units, then an avalanche."""
    value = 0x811C9DC5 ^ (seed & MASK)
    text = '\0'.join(str(part) for part in parts).encode('utf-16-le')
    for unit in struct.unpack(f'<{len(text) // 2}H', text):
        value = ((value ^ unit) * 0x01000193) & MASK
    value ^= value >> 16
    value = (value * 0x85EBCA6B) & MASK
    value ^= value >> 13
    value = (value * 0xC2B2AE35) & MASK
    value ^= value >> 16
    return value


class Sfc32:
    """src/trainer/data/seededRandom.ts SeededRandom, draw for draw."""

    def __init__(self, seed):
        self.a, self.b, self.c, self.d = 0x9E3779B9, 0x243F6A88, 0xB7E15162, seed & MASK
        for _ in range(12):
            self.next_uint32()

    def next_uint32(self):
        t = (self.a + self.b + self.d) & MASK
        self.d = (self.d + 1) & MASK
        self.a = self.b ^ (self.b >> 9)
        self.b = (self.c + (self.c << 3)) & MASK
        self.c = ((((self.c << 21) | (self.c >> 11)) & MASK) + t) & MASK
        return t

    def below(self, n):
        return math.floor(self.next_uint32() / 4294967296 * n)

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]
        return items


class DomainSampler:
    """src/trainer/data/domainSampler.ts with the seed our loader gives a domain's training stream, so
    that both frameworks see the same images in the same batches in the same order: what is left
    to differ is the initial weights and the arithmetic."""

    def __init__(self, count, seed, domain):
        self.count = count
        self.random = Sfc32(derive_seed(seed, 'train', domain))
        self.reshuffle()

    def reshuffle(self):
        self.order = self.random.shuffle(list(range(self.count)))
        self.position = 0

    def take(self, n):
        indices = []
        while len(indices) < n:
            indices.append(self.order[self.position])
            self.position += 1
            if self.position == self.count:
                self.reshuffle()
        return torch.tensor(indices)


def load_split(arrays, index, domain, split):
    entry = index['splits'][f'{domain}/{split}']
    size, channels = index['imageSize'], index['channels']
    images = np.fromfile(os.path.join(arrays, entry['images']), dtype='<f4')
    labels = np.fromfile(os.path.join(arrays, entry['labels']), dtype='<i4')
    if images.size != entry['count'] * size * size * channels or labels.size != entry['count']:
        sys.exit(f'{arrays}: {domain}/{split} does not hold {entry["count"]} images; export it again')
    nchw = images.reshape(entry['count'], size, size, channels).transpose(0, 3, 1, 2)
    return torch.from_numpy(np.ascontiguousarray(nchw)), torch.from_numpy(labels.astype(np.int64))


def init_like_tfjs(module):
    """tfjs-layers' defaults for conv2d and dense: glorotNormal, which draws a normal of std
    sqrt(2 / (fan_in + fan_out)) truncated at two std (without Keras' correction of the std for
    the truncation), and zero biases."""
    for layer in module.modules():
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(layer.weight)
            std = math.sqrt(2.0 / (fan_in + fan_out))
            nn.init.trunc_normal_(layer.weight, 0.0, std, -2 * std, 2 * std)
            nn.init.zeros_(layer.bias)


class ReverseGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, features, delta):
        ctx.delta = delta
        return features.view_as(features)

    @staticmethod
    def backward(ctx, grad):
        return -ctx.delta * grad, None


def build(channels, classes, with_discriminator):
    trunk = nn.Sequential(
        nn.Conv2d(channels, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
    head = nn.Sequential(nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, classes))
    discriminator = nn.Sequential(nn.Linear(400, 100), nn.ReLU(), nn.Linear(100, 1)) if with_discriminator else None
    for part in (trunk, head, discriminator):
        if part is not None:
            init_like_tfjs(part)
    return trunk, head, discriminator


def accuracy(trunk, head, images, labels):
    correct = 0
    with torch.no_grad():
        for start in range(0, len(labels), 500):
            logits = head(trunk(images[start:start + 500]))
            correct += (logits.argmax(1) == labels[start:start + 500]).sum().item()
    return correct / len(labels)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--arrays', required=True, help="bench/parity.ts's export: index.json and the arrays")
    parser.add_argument('--method', choices=['source-only', 'dann'], required=True)
    parser.add_argument('--source', default='mnist')
    parser.add_argument('--targets', required=True, help='comma-separated; dann adapts to exactly one')
    parser.add_argument('--seed', type=int, required=True)
    parser.add_argument('--epochs', type=int, required=True)
    parser.add_argument('--steps', type=int, required=True, help='steps per epoch')
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--lr', type=float, default=0.01)
    parser.add_argument('--momentum', type=float, default=0.9)
    parser.add_argument('--weight-decay', type=float, default=0.0005)
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()
    targets = args.targets.split(',')
    if args.method == 'dann' and len(targets) != 1:
        sys.exit('dann adapts to one target here (our trainer blends several into one batch)')

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    with open(os.path.join(args.arrays, 'index.json'), encoding='utf8') as file:
        index = json.load(file)
    source_x, source_y = load_split(args.arrays, index, args.source, 'train')
    target_x = load_split(args.arrays, index, targets[0], 'train')[0] if args.method == 'dann' else None
    evaluation = {name: load_split(args.arrays, index, name, 'test') for name in targets}
    evaluation['source-holdout'] = load_split(args.arrays, index, args.source, 'test')

    started = time.perf_counter()
    trunk, head, discriminator = build(index['channels'], len(index['classNames']), args.method == 'dann')
    parts = [part for part in (trunk, head, discriminator) if part is not None]
    kernels = [p for part in parts for name, p in part.named_parameters() if name.endswith('weight')]
    biases = [p for part in parts for name, p in part.named_parameters() if name.endswith('bias')]
    optimizer = torch.optim.SGD([{'params': kernels, 'weight_decay': args.weight_decay}, {'params': biases, 'weight_decay': 0.0}],
                                lr=args.lr, momentum=args.momentum)
    source_stream = DomainSampler(len(source_y), args.seed, args.source)
    target_stream = DomainSampler(len(target_x), args.seed, targets[0]) if target_x is not None else None
    domain_labels = torch.cat([torch.ones(args.batch), torch.zeros(args.batch)])

    total = args.epochs * args.steps
    for part in parts:
        part.train()
    for epoch in range(1, args.epochs + 1):
        sums = {}
        for step in range((epoch - 1) * args.steps, epoch * args.steps):
            progress = step / total
            for group in optimizer.param_groups:
                group['lr'] = args.lr / (1 + 10 * progress) ** 0.75
            picked = source_stream.take(args.batch)
            images, labels = source_x[picked], source_y[picked]
            if target_stream is not None:
                images = torch.cat([images, target_x[target_stream.take(args.batch)]])
            features = trunk(images)
            terms = {'ce': F.cross_entropy(head(features[:args.batch]), labels)}
            if discriminator is not None:
                delta = 2 / (1 + math.exp(-10 * progress)) - 1
                logits = discriminator(ReverseGradient.apply(features, delta)).squeeze(1)
                terms['dann'] = F.binary_cross_entropy_with_logits(logits, domain_labels)
            optimizer.zero_grad(set_to_none=True)
            sum(terms.values()).backward()
            optimizer.step()
            for name, term in terms.items():
                sums[name] = sums.get(name, 0.0) + term.item()
        losses = {name: value / args.steps for name, value in sums.items()}
        print(f'epoch {epoch}/{args.epochs}: ' + ', '.join(f'{name} {value:.4f}' for name, value in losses.items()), file=sys.stderr, flush=True)

    for part in parts:
        part.eval()
    scores = {name: accuracy(trunk, head, images, labels) for name, (images, labels) in evaluation.items()}
    print(json.dumps({'accuracy': scores, 'seconds': time.perf_counter() - started, 'threads': torch.get_num_threads(),
                      'version': torch.__version__, 'losses': losses}))


if __name__ == '__main__':
    main()
