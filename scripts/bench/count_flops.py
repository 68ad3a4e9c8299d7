#!/usr/bin/python3
"""Counts the VAE encoder's conv and attention FLOPs (2 x MACs) with forward hooks on
torch_bench.py's encoder: the reference numbers of FlopsTest.vaeEncoderMatchesHookCounts."""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_bench as tb  # noqa: E402


def count(preset, size):
    enc = tb.VaeEncoder(*tb.VAE_PRESETS[preset]).eval()
    total = [0]

    def conv_hook(m, _, out):
        total[0] += 2 * out.numel() * m.in_channels * m.kernel_size[0] * m.kernel_size[1]

    def attn_hook(_, __, out):
        b, c, h, w = out.shape
        total[0] += 2 * 2 * b * (h * w) ** 2 * c   # q^T k and v w^T

    for m in enc.modules():
        if isinstance(m, torch.nn.Conv2d):
            m.register_forward_hook(conv_hook)
        elif isinstance(m, tb.AttnBlock):
            m.register_forward_hook(attn_hook)
    with torch.no_grad():
        enc.encode(torch.zeros(1, tb.VAE_PRESETS[preset][5], size, size))
    return total[0]


if __name__ == "__main__":
    print("sd @64px:", count("sd", 64), " fmnist-tiny @32px:", count("fmnist-tiny", 32))
