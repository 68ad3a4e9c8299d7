#!/usr/bin/python3
"""Counts the VAE encoder's and decoder's conv and attention FLOPs (2 x MACs) with forward hooks on
torch_bench.py's modules: the reference numbers of FlopsTest.vaeEncoderMatchesHookCounts and
FlopsTest.vaeDecoderMatchesHookCounts."""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_bench as tb  # noqa: E402


def count(module, x):
    total = [0]

    def conv_hook(m, _, out):
        total[0] += 2 * out.numel() * m.in_channels * m.kernel_size[0] * m.kernel_size[1]

    def attn_hook(_, __, out):
        b, c, h, w = out.shape
        total[0] += 2 * 2 * b * (h * w) ** 2 * c   # q^T k and v w^T

    for m in module.modules():
        if isinstance(m, torch.nn.Conv2d):
            m.register_forward_hook(conv_hook)
        elif isinstance(m, tb.AttnBlock):
            m.register_forward_hook(attn_hook)
    with torch.no_grad():
        module(x)
    return total[0]


def encoder(preset, size):
    p = tb.VAE_PRESETS[preset]
    return count(tb.VaeEncoder(*p).eval().layers, torch.zeros(1, p[5], size, size))


def decoder(preset, size):
    p = tb.VAE_PRESETS[preset]
    f = 2 ** (len(p[1]) - 1)
    return count(tb.VaeDecoder(*p).eval(), torch.zeros(1, p[4], size // f, size // f))


if __name__ == "__main__":
    print("encoder: sd @64px:", encoder("sd", 64), " fmnist-tiny @32px:", encoder("fmnist-tiny", 32))
    print("decoder: sd @64px:", decoder("sd", 64), " fmnist-tiny @32px:", decoder("fmnist-tiny", 32))
