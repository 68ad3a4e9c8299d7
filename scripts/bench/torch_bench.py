#!/usr/bin/python3
"""PyTorch side of scripts/bench.sh: the same rows as dev.usp.app.bench.Rows, in eager mode.

Compact definitions of our own that mirror the official ones: timm's ViT block (as MAE uses it),
MAE's MaskedAutoencoderViT, DiT with adaLN-Zero (SiT = DiT whose forward drops the sigma half),
DiT's GaussianDiffusion training loss (learned-range variance: MSE + VB), SiT's linear-path
velocity loss, and LDM's KL-VAE (encoder; decoder and usp train-vae's loss for the training row).
Runs one row and prints one line `BENCH <json>` with the same keys as the Java driver. Run with
Debian's /usr/bin/python3 (torch 1.13, CPU; scipy only for fd-10k).
"""
import argparse
import json
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH, LATENT, CHANNELS = 32, 32, 4


# ------------------------------------------------------------------ transformer parts (timm style)
class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.scale = heads, (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)   # explicit, as timm of that era
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim, hidden, approximate="none"):
        super().__init__()
        self.fc1, self.fc2, self.approximate = nn.Linear(dim, hidden), nn.Linear(hidden, dim), approximate

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate=self.approximate))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio=4.0):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim, eps=1e-6), nn.LayerNorm(dim, eps=1e-6)
        self.attn, self.mlp = Attention(dim, heads), Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


def patchify(imgs, p):
    n, c, h, w = imgs.shape
    x = imgs.reshape(n, c, h // p, p, w // p, p)
    return torch.einsum("nchpwq->nhwpqc", x).reshape(n, (h // p) * (w // p), p * p * c)


# ------------------------------------------------------------------ MAE (models_mae.py)
class MAE(nn.Module):
    def __init__(self, dim, depth, heads, dec_dim=128, dec_depth=2, dec_heads=4, img=LATENT, p=2, c=CHANNELS):
        super().__init__()
        self.p, L = p, (img // p) ** 2
        self.patch_embed = nn.Conv2d(c, dim, p, p)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, L + 1, dim) * 0.02, requires_grad=False)
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.decoder_embed = nn.Linear(dim, dec_dim)
        self.mask_token = nn.Parameter(torch.randn(1, 1, dec_dim) * 0.02)
        self.decoder_pos_embed = nn.Parameter(torch.randn(1, L + 1, dec_dim) * 0.02, requires_grad=False)
        self.decoder_blocks = nn.ModuleList([Block(dec_dim, dec_heads) for _ in range(dec_depth)])
        self.decoder_norm = nn.LayerNorm(dec_dim, eps=1e-6)
        self.decoder_pred = nn.Linear(dec_dim, p * p * c)

    def random_masking(self, x, ratio):
        n, L, d = x.shape
        keep = int(L * (1 - ratio))
        ids_shuffle = torch.argsort(torch.rand(n, L), dim=1)
        ids_restore = torch.argsort(ids_shuffle, dim=1)
        kept = torch.gather(x, 1, ids_shuffle[:, :keep].unsqueeze(-1).repeat(1, 1, d))
        mask = torch.ones(n, L)
        mask[:, :keep] = 0
        return kept, torch.gather(mask, 1, ids_restore), ids_restore

    def forward(self, imgs, ratio=0.75):
        x = self.patch_embed(imgs).flatten(2).transpose(1, 2) + self.pos_embed[:, 1:, :]
        x, mask, ids_restore = self.random_masking(x, ratio)
        cls = (self.cls_token + self.pos_embed[:, :1, :]).expand(x.shape[0], -1, -1)
        x = torch.cat((cls, x), dim=1)
        for b in self.blocks:
            x = b(x)
        x = self.decoder_embed(self.norm(x))
        tokens = self.mask_token.repeat(x.shape[0], ids_restore.shape[1] + 1 - x.shape[1], 1)
        x_ = torch.cat([x[:, 1:, :], tokens], dim=1)
        x_ = torch.gather(x_, 1, ids_restore.unsqueeze(-1).repeat(1, 1, x.shape[2]))
        x = torch.cat([x[:, :1, :], x_], dim=1) + self.decoder_pos_embed
        for b in self.decoder_blocks:
            x = b(x)
        pred = self.decoder_pred(self.decoder_norm(x))[:, 1:, :]
        target = patchify(imgs, self.p)                                      # norm_pix_loss
        mean, var = target.mean(dim=-1, keepdim=True), target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1e-6) ** 0.5
        loss = ((pred - target) ** 2).mean(dim=-1)
        return (loss * mask).sum() / mask.sum()


# ------------------------------------------------------------------ DiT / SiT (models.py)
def modulate(x, shift, scale):
    return x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)


class TimestepEmbedder(nn.Module):
    def __init__(self, dim, freq=256):
        super().__init__()
        self.freq = freq
        self.mlp = nn.Sequential(nn.Linear(freq, dim), nn.SiLU(), nn.Linear(dim, dim))

    def forward(self, t):
        half = self.freq // 2
        freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / half)
        args = t[:, None].float() * freqs[None]
        return self.mlp(torch.cat([torch.cos(args), torch.sin(args)], dim=-1))


class DiTBlock(nn.Module):
    def __init__(self, dim, heads, affine=False):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, elementwise_affine=affine, eps=1e-6)
        self.norm2 = nn.LayerNorm(dim, elementwise_affine=affine, eps=1e-6)
        self.attn, self.mlp = Attention(dim, heads), Mlp(dim, 4 * dim, approximate="tanh")
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 6 * dim))

    def forward(self, x, c):
        sm, cm, gm, sp, cp, gp = self.adaLN_modulation(c).chunk(6, dim=1)
        x = x + gm.unsqueeze(1) * self.attn(modulate(self.norm1(x), sm, cm))
        return x + gp.unsqueeze(1) * self.mlp(modulate(self.norm2(x), sp, cp))


class DiT(nn.Module):
    def __init__(self, dim=384, depth=12, heads=6, img=LATENT, p=2, c=CHANNELS, classes=1000, affine=False, sit=False):
        super().__init__()
        self.p, self.c, self.out_c, self.sit, self.classes = p, c, 2 * c, sit, classes
        self.x_embedder = nn.Conv2d(c, dim, p, p)
        self.t_embedder = TimestepEmbedder(dim)
        self.y_table = nn.Embedding(classes + 1, dim)
        self.pos_embed = nn.Parameter(torch.randn(1, (img // p) ** 2, dim) * 0.02, requires_grad=False)
        self.blocks = nn.ModuleList([DiTBlock(dim, heads, affine) for _ in range(depth)])
        self.norm_final = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.final_linear = nn.Linear(dim, p * p * self.out_c)
        self.final_ada = nn.Sequential(nn.SiLU(), nn.Linear(dim, 2 * dim))

    def forward(self, x, t, y):
        n, _, h, w = x.shape
        if self.training:                                                    # label dropout 0.1
            y = torch.where(torch.rand(n) < 0.1, torch.full_like(y, self.classes), y)
        x = self.x_embedder(x).flatten(2).transpose(1, 2) + self.pos_embed
        c = self.t_embedder(t) + self.y_table(y)
        for b in self.blocks:
            x = b(x, c)
        shift, scale = self.final_ada(c).chunk(2, dim=1)
        x = self.final_linear(modulate(self.norm_final(x), shift, scale))
        p, gh, gw = self.p, h // self.p, w // self.p
        x = torch.einsum("nhwpqc->nchpwq", x.reshape(n, gh, gw, p, p, self.out_c))
        x = x.reshape(n, self.out_c, h, w)
        return x.chunk(2, dim=1)[0] if self.sit else x


# ------------------------------------------------------------------ GaussianDiffusion (learned range)
class Diffusion:
    def __init__(self, steps=1000):
        scale = 1000 / steps
        betas = np.linspace(scale * 1e-4, scale * 0.02, steps, dtype=np.float64)
        ac = np.cumprod(1.0 - betas)
        acp = np.append(1.0, ac[:-1])
        pv = betas * (1.0 - acp) / (1.0 - ac)
        self.steps = steps
        self.t = {k: torch.from_numpy(v) for k, v in dict(
            sqrt_ac=np.sqrt(ac), sqrt_1mac=np.sqrt(1 - ac), sqrt_recip=np.sqrt(1 / ac), sqrt_recipm1=np.sqrt(1 / ac - 1),
            log_var=np.log(np.append(pv[1], pv[1:])), log_betas=np.log(betas),
            coef1=betas * np.sqrt(acp) / (1 - ac), coef2=(1 - acp) * np.sqrt(1 - betas) / (1 - ac)).items()}

    def ex(self, name, t, x):
        return self.t[name][t].float().view(-1, *([1] * (x.dim() - 1)))

    def p_mean_var(self, out, x, t):
        eps, v = out.chunk(2, dim=1)
        frac = (v + 1) / 2
        log_var = frac * self.ex("log_betas", t, x) + (1 - frac) * self.ex("log_var", t, x)
        x0 = self.ex("sqrt_recip", t, x) * x - self.ex("sqrt_recipm1", t, x) * eps
        return self.ex("coef1", t, x) * x0 + self.ex("coef2", t, x) * x, log_var

    def training_losses(self, model, x0, t, y):
        noise = torch.randn_like(x0)
        xt = self.ex("sqrt_ac", t, x0) * x0 + self.ex("sqrt_1mac", t, x0) * noise
        out = model(xt, t, y)
        eps = out.chunk(2, dim=1)[0]
        mean, log_var = self.p_mean_var(torch.cat([eps.detach(), out.chunk(2, dim=1)[1]], dim=1), xt, t)
        true_mean = self.ex("coef1", t, x0) * x0 + self.ex("coef2", t, x0) * xt
        true_lv = self.ex("log_var", t, x0)
        kl = 0.5 * (-1.0 + log_var - true_lv + torch.exp(true_lv - log_var) + (true_mean - mean) ** 2 * torch.exp(-log_var))
        kl = kl.mean(dim=(1, 2, 3)) / math.log(2.0)
        nll = -discretized_log_likelihood(x0, mean, 0.5 * log_var).mean(dim=(1, 2, 3)) / math.log(2.0)
        vb = torch.where(t == 0, nll, kl)
        return ((noise - eps) ** 2).mean(dim=(1, 2, 3)) + vb

    def p_sample(self, model, x, t, y):
        mean, log_var = self.p_mean_var(model(x, t, y), x, t)
        nonzero = (t != 0).float().view(-1, 1, 1, 1)
        return mean + nonzero * torch.exp(0.5 * log_var) * torch.randn_like(x)


def discretized_log_likelihood(x, means, log_scales):
    def cdf(v):
        return 0.5 * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (v + 0.044715 * v ** 3)))
    centered, inv = x - means, torch.exp(-log_scales)
    cdf_plus, cdf_min = cdf(inv * (centered + 1.0 / 255)), cdf(inv * (centered - 1.0 / 255))
    log_plus = torch.log(cdf_plus.clamp(min=1e-12))
    log_1m_min = torch.log((1.0 - cdf_min).clamp(min=1e-12))
    log_delta = torch.log((cdf_plus - cdf_min).clamp(min=1e-12))
    return torch.where(x < -0.999, log_plus, torch.where(x > 0.999, log_1m_min, log_delta))


def transport_loss(model, x1, y):
    t = torch.rand(x1.shape[0])
    x0 = torch.randn_like(x1)
    tt = t.view(-1, 1, 1, 1)
    xt, ut = tt * x1 + (1 - tt) * x0, x1 - x0
    return ((model(xt, t, y) - ut) ** 2).mean(dim=(1, 2, 3))


# ------------------------------------------------------------------ LDM KL-VAE encoder
class ResnetBlock(nn.Module):
    def __init__(self, cin, cout, groups):
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(groups, cin, eps=1e-6), nn.Conv2d(cin, cout, 3, 1, 1)
        self.norm2, self.conv2 = nn.GroupNorm(groups, cout, eps=1e-6), nn.Conv2d(cout, cout, 3, 1, 1)
        self.nin_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x):
        h = self.conv2(F.silu(self.norm2(self.conv1(F.silu(self.norm1(x))))))
        return (x if self.nin_shortcut is None else self.nin_shortcut(x)) + h


class AttnBlock(nn.Module):
    def __init__(self, c, groups):
        super().__init__()
        self.norm = nn.GroupNorm(groups, c, eps=1e-6)
        self.q, self.k, self.v, self.proj_out = (nn.Conv2d(c, c, 1) for _ in range(4))

    def forward(self, x):
        h = self.norm(x)
        b, c, hh, ww = h.shape
        q = self.q(h).reshape(b, c, hh * ww).permute(0, 2, 1)
        w = (torch.bmm(q, self.k(h).reshape(b, c, hh * ww)) * c ** -0.5).softmax(dim=2)
        out = torch.bmm(self.v(h).reshape(b, c, hh * ww), w.permute(0, 2, 1)).reshape(b, c, hh, ww)
        return x + self.proj_out(out)


class Downsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, 2, 0)

    def forward(self, x):
        return self.conv(F.pad(x, (0, 1, 0, 1)))


class VaeEncoder(nn.Module):
    """Encoder + quant_conv; encode() returns the posterior mean times the scale factor."""

    def __init__(self, ch, ch_mult, num_res, attn_res, z, cin, resolution, groups, scale):
        super().__init__()
        self.scale, self.z = scale, z
        layers, c_in, res = [nn.Conv2d(cin, ch, 3, 1, 1)], ch, resolution
        for i, m in enumerate(ch_mult):
            for _ in range(num_res):
                layers.append(ResnetBlock(c_in, ch * m, groups))
                c_in = ch * m
                if res in attn_res:
                    layers.append(AttnBlock(c_in, groups))
            if i != len(ch_mult) - 1:
                layers.append(Downsample(c_in))
                res //= 2
        layers += [ResnetBlock(c_in, c_in, groups), AttnBlock(c_in, groups), ResnetBlock(c_in, c_in, groups),
                   nn.GroupNorm(groups, c_in, eps=1e-6), nn.SiLU(), nn.Conv2d(c_in, 2 * z, 3, 1, 1),
                   nn.Conv2d(2 * z, 2 * z, 1)]
        self.layers = nn.Sequential(*layers)

    def moments(self, x):
        return self.layers(x)

    def encode(self, x):
        return self.moments(x)[:, :self.z] * self.scale


class Upsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, 1, 1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class VaeDecoder(nn.Module):
    """post_quant_conv + Decoder (levels deepest first, num_res + 1 blocks each): unscaled latents to images."""

    def __init__(self, ch, ch_mult, num_res, attn_res, z, cout, resolution, groups, scale):
        super().__init__()
        c_in, res = ch * ch_mult[-1], resolution // 2 ** (len(ch_mult) - 1)
        layers = [nn.Conv2d(z, z, 1), nn.Conv2d(z, c_in, 3, 1, 1),
                  ResnetBlock(c_in, c_in, groups), AttnBlock(c_in, groups), ResnetBlock(c_in, c_in, groups)]
        for i in reversed(range(len(ch_mult))):
            for _ in range(num_res + 1):
                layers.append(ResnetBlock(c_in, ch * ch_mult[i], groups))
                c_in = ch * ch_mult[i]
                if res in attn_res:
                    layers.append(AttnBlock(c_in, groups))
            if i != 0:
                layers.append(Upsample(c_in))
                res *= 2
        layers += [nn.GroupNorm(groups, c_in, eps=1e-6), nn.SiLU(), nn.Conv2d(c_in, cout, 3, 1, 1)]
        self.layers = nn.Sequential(*layers)

    def forward(self, z):
        return self.layers(z)


class VaeTrainLoss(nn.Module):
    """usp train-vae's loss (LDM's without LPIPS and GAN): L1 reconstruction of a posterior sample
    (logvar clamped to [-30, 20]) + kl_weight * KL / pixels per image."""

    def __init__(self, preset, kl_weight=1e-6):
        super().__init__()
        self.encoder, self.decoder = VaeEncoder(*VAE_PRESETS[preset]), VaeDecoder(*VAE_PRESETS[preset])
        self.kl_weight = kl_weight

    def forward(self, x):
        mean, logvar = self.encoder.moments(x).chunk(2, dim=1)
        logvar = logvar.clamp(-30.0, 20.0)
        out = self.decoder(mean + torch.exp(0.5 * logvar) * torch.randn_like(mean))
        kl = 0.5 * (mean ** 2 + torch.exp(logvar) - 1.0 - logvar).sum(dim=(1, 2, 3))
        return (out - x).abs().mean() + self.kl_weight * kl.mean() / x[0].numel()


VAE_PRESETS = {  # ch, ch_mult, num_res_blocks, attn resolutions, z, in (= out) channels, resolution, groups, scale
    "sd": (128, (1, 2, 4, 4), 2, (), 4, 3, 256, 32, 0.18215),
    "fmnist-tiny": (16, (1, 2, 4), 1, (), 4, 1, 32, 8, 1.0),
}


# ------------------------------------------------------------------ workloads
class Train:
    def __init__(self, model, loss_fn, decay_groups=False, betas=(0.9, 0.999)):
        self.model, self.loss_fn, self.items, self.unit = model.train(), loss_fn, BATCH, "samples/s"
        params = [p for p in model.parameters() if p.requires_grad]
        if decay_groups:   # timm param_groups_weight_decay, wd 0.05 (USP pretraining)
            named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
            groups = [{"params": [p for n, p in named if p.ndim <= 1 or n.endswith(".bias")], "weight_decay": 0.0},
                      {"params": [p for n, p in named if not (p.ndim <= 1 or n.endswith(".bias"))], "weight_decay": 0.05}]
        else:
            groups = [{"params": params, "weight_decay": 0.0}]
        self.opt = torch.optim.AdamW(groups, lr=1e-4, betas=betas)

    def step(self):
        self.opt.zero_grad()
        self.loss_fn(self.model).backward()
        self.opt.step()


class Infer:
    def __init__(self, fn, items, unit):
        self.fn, self.items, self.unit = fn, items, unit

    def step(self):
        with torch.no_grad():
            self.fn()


def latents():
    return torch.randn(BATCH, CHANNELS, LATENT, LATENT)


def labels(n, classes):
    return torch.randint(0, classes, (n,))


def dit_row(sit):
    model = DiT(sit=sit)
    if sit:
        return Train(model, lambda m: transport_loss(m, latents(), labels(BATCH, 1000)).mean())
    gd = Diffusion()
    return Train(model, lambda m: gd.training_losses(m, latents(), torch.randint(0, gd.steps, (BATCH,)),
                                                     labels(BATCH, 1000)).mean())


def images(preset, size, batch):
    return torch.rand(batch, VAE_PRESETS[preset][5], size, size) * 2 - 1


def vae_row(preset, size, batch):
    """Encoding with the whole VAE in memory, encoder and decoder, as diffusers' AutoencoderKL and the
    Java side's AutoencoderKL hold it (the peak RSS compares like with like)."""
    vae = nn.ModuleDict({"encoder": VaeEncoder(*VAE_PRESETS[preset]),
                         "decoder": VaeDecoder(*VAE_PRESETS[preset])}).eval()
    return Infer(lambda: vae["encoder"].encode(images(preset, size, batch)), batch, "images/s")


def ddpm_row(batch=16):
    model, gd = DiT(dim=128, depth=4, heads=4, img=8, classes=10, affine=True).eval(), Diffusion()
    state = {"x": torch.randn(batch, CHANNELS, 8, 8), "t": gd.steps - 1}
    y = torch.arange(batch) % 10

    def step():
        t = torch.full((batch,), state["t"], dtype=torch.long)
        state["x"] = gd.p_sample(model, state["x"], t, y)
        state["t"] = state["t"] - 1 if state["t"] > 0 else gd.steps - 1
    return Infer(step, 1, "steps/s")


def fd_row(n=10_000, d=2048):
    """ADM evaluator: np.mean / np.cov of float32 features, then scipy.linalg.sqrtm of sigma1 sigma2."""
    import scipy.linalg   # here, so that the other rows run where scipy is not installed
    a = (np.random.default_rng(1).standard_normal((n, d)) * 1.0).astype(np.float32)
    b = (np.random.default_rng(2).standard_normal((n, d)) * 1.1).astype(np.float32)

    def fd():
        (m1, s1), (m2, s2) = [(np.mean(x, axis=0), np.cov(x, rowvar=False)) for x in (a, b)]
        covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
        if not np.isfinite(covmean).all():
            off = np.eye(d) * 1e-6
            covmean = scipy.linalg.sqrtm((s1 + off).dot(s2 + off))
        diff = m1 - m2
        return diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(np.real(covmean))
    return Infer(fd, 1, "FD/s")


def matmul_row(n=2048):
    a, b = torch.randn(n, n), torch.randn(n, n)
    return Infer(lambda: a @ b, 1, "matmul/s")


def op_overhead_row(ops=10_000):
    a, b = torch.ones(16), torch.ones(16)

    def run():
        for _ in range(ops):
            a.add(b)
    return Infer(run, ops, "ops/s")


class GeluTanh:
    """F.gelu(approximate='tanh') forward and backward on (32 x 256, 1536), as GeluTanhStep.java."""
    items, unit = 1, "fwd+bwd/s"

    def step(self):
        x = torch.randn(32 * 256, 1536, requires_grad=True)
        F.gelu(x, approximate="tanh").sum().backward()


class AdamWOnly:
    """zero_grad + AdamW step over DiT-S/2's parameters with zero gradients, as OptimizerOnly.java."""
    items, unit = 1, "steps/s"

    def __init__(self):
        params = [p for p in DiT().parameters() if p.requires_grad]
        for p in params:
            p.grad = torch.zeros_like(p)
        self.opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)

    def step(self):
        self.opt.zero_grad(set_to_none=False)
        self.opt.step()


ROWS = {  # name: (factory, warm-up units, timed units), as Rows.java
    "matmul": (matmul_row, 2, 5),
    "mae-tiny": (lambda: Train(MAE(192, 6, 3), lambda m: m(latents()), True, (0.9, 0.95)), 2, 5),
    "mae-small": (lambda: Train(MAE(384, 12, 6), lambda m: m(latents()), True, (0.9, 0.95)), 1, 3),
    "dit-s2": (lambda: dit_row(False), 1, 2),
    "sit-s2": (lambda: dit_row(True), 1, 2),
    "vae-fmnist": (lambda: vae_row("fmnist-tiny", 32, 64), 5, 20),
    "vae-sd": (lambda: vae_row("sd", 256, 4), 1, 2),
    "vae-train": (lambda: Train(VaeTrainLoss("fmnist-tiny"), lambda m: m(images("fmnist-tiny", 32, BATCH))),
                  10, 30),
    "ddpm-tiny": (ddpm_row, 20, 100),
    "fd-10k": (fd_row, 0, 1),
    "op-overhead": (op_overhead_row, 100, 20),  # the same warm-up as the Java side (its JIT needs it)
    "gelu-tanh": (GeluTanh, 3, 10),
    "adamw-only": (AdamWOnly, 3, 10),
}


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("row", choices=list(ROWS))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int)
    ap.add_argument("--steps", type=int)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    factory, warmup, steps = ROWS[a.row]
    w = factory()
    for _ in range(warmup if a.warmup is None else a.warmup):
        w.step()
    times = []
    for _ in range(max(1, steps if a.steps is None else a.steps)):
        t0 = time.perf_counter()
        w.step()
        times.append(time.perf_counter() - t0)
    print("BENCH " + json.dumps({"row": a.row, "side": "torch", "median_s": float(np.median(times)), "times_s": times,
                                 "items": float(w.items), "unit": w.unit, "flops": None,
                                 "peak_rss_mb": peak_rss_mb()}), flush=True)


if __name__ == "__main__":
    main()
