#!/usr/bin/python3
"""Turns the BENCH lines of scripts/bench.sh into the results table (stdout) and bench/RESULTS.md.

Per row and side: the median over rounds of each process's median unit time; peak RSS is the
largest VmHWM over rounds. Ratio = Java throughput / PyTorch throughput (> 1: Java faster).
MFU = analytic FLOPs per unit / unit time / the machine's fp32 matmul rate, taken as the faster
of the two measured 2048^3 matmuls of the same run.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import statistics

import torch

ROWS = {  # row: description
    "matmul": "fp32 matmul 2048x2048x2048 (GFLOP/s)",
    "mae-tiny": "MAE step, ViT-Tiny enc 192/6/3 + dec 128/2/4, 32x32x4 p2, mask .75, b32",
    "mae-small": "MAE step, ViT-S enc 384/12/6 + dec 128/2/4, 32x32x4 p2, mask .75, b32",
    "dit-s2": "DiT-S/2 step, GaussianDiffusion loss (MSE+VB), b32",
    "sit-s2": "SiT-S/2 step, linear-path velocity loss, b32",
    "vae-fmnist": "VAE encode, fmnist-tiny preset, 32px x1, b64",
    "vae-sd": "VAE encode, SD preset (ch 128, 1-2-4-4), 256px, b4",
    "vae-train": "VAE training step, fmnist-tiny, 32px x1, L1 + 1e-6 KL/px, AdamW (.9, .999) wd 0, b32",
    "ddpm-tiny": "DDPM p_sample step, DiT-M/2 8x8x4, b16 (Java: inference mode; PyTorch: no_grad)",
    "fd-10k": "FD of two 10k x 2048 feature sets (s per FD)",
    "op-overhead": "micro: dispatch cost of one tiny op (a + b on 16 floats; Java: inference mode, PyTorch: no_grad), us per op",
    "gelu-tanh": "micro: tanh-GELU fwd+bwd on 32x256x1536 (DiT-S MLP, one block), ms",
    "adamw-only": "micro: zero_grad + AdamW step over DiT-S/2 parameters, ms",
}


def load(path):
    recs = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            recs.setdefault(r["row"], {}).setdefault(r["side"], []).append(r)
    return recs


def summarise(recs):
    out = {}
    for row, sides in recs.items():
        s = {}
        for side, rs in sides.items():
            ok = [r for r in rs if not r.get("failed")]
            if not ok:
                s[side] = None
                continue
            s[side] = {"t": statistics.median(r["median_s"] for r in ok), "items": ok[0]["items"],
                       "unit": ok[0]["unit"], "flops": ok[0]["flops"], "rss": max(r["peak_rss_mb"] for r in ok),
                       "rounds": [round(r["median_s"], 4) for r in ok]}
        out[row] = s
    return out


def fmt_rate(row, side_data, flops):
    if side_data is None:
        return "failed"
    t = side_data["t"]
    if row == "matmul":
        return f"{flops / t / 1e9:.1f} GFLOP/s"
    if side_data["unit"] == "FD/s":
        return f"{t:.2f} s"
    if side_data["unit"] == "ops/s":
        return f"{1e6 * t / side_data['items']:.1f} us/op"
    if row in ("gelu-tanh", "adamw-only"):
        return f"{1e3 * t:.0f} ms"
    return f"{side_data['items'] / t:.2f} {side_data['unit']}"


def table(summary):
    java_mm, torch_mm = summary.get("matmul", {}).get("java"), summary.get("matmul", {}).get("torch")
    rates = [d["flops"] / d["t"] for d in (java_mm,) if d] + \
            [java_mm["flops"] / torch_mm["t"] for d in (torch_mm,) if d and java_mm]
    peak = max(rates) if rates else None
    head = ("| row | Java | PyTorch | ratio Java/PyTorch | MFU Java | MFU PyTorch | peak RSS Java | peak RSS PyTorch "
            "| GFLOP/unit |\n|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for row in [r for r in ROWS if r in summary] + [r for r in summary if r not in ROWS]:
        j, p = summary[row].get("java"), summary[row].get("torch")
        flops = j["flops"] if j else 0.0
        ratio = f"{p['t'] / j['t']:.2f}" if j and p else "n/a"

        def mfu(d):
            return f"{100 * flops / d['t'] / peak:.1f}%" if d and flops and peak else "—"

        def rss(d):
            return f"{d['rss']:.0f} MiB" if d else "—"
        lines.append(f"| {row} | {fmt_rate(row, j, flops)} | {fmt_rate(row, p, flops)} | {ratio} | {mfu(j)} | "
                     f"{mfu(p)} | {rss(j)} | {rss(p)} | {flops / 1e9:.1f} |" if flops else
                     f"| {row} | {fmt_rate(row, j, flops)} | {fmt_rate(row, p, flops)} | {ratio} | — | — | "
                     f"{rss(j)} | {rss(p)} | — |")
    return "\n".join(lines), peak


def java_field(log, key):
    """What the Java side's processes reported under key (conv, kernels, mkl, malloc)."""
    with open(log) as f:
        kinds = sorted({r[key] for r in map(json.loads, f) if r["side"] == "java" and r.get(key)})
    return ", ".join(kinds) if kinds else "not reported"


def machine():
    model = "unknown"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    return model, os.cpu_count(), java[0] if java else "java: unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--rounds", type=int, required=True)
    ap.add_argument("--seconds", type=int, required=True)
    ap.add_argument("--load-before", default="?")
    ap.add_argument("--analysis")
    ap.add_argument("--load-after", help="default: now (set it when rewriting the report of an earlier run)")
    ap.add_argument("--date", help="the run's date, default: now")
    a = ap.parse_args()
    summary = summarise(load(a.log))
    tab, peak = table(summary)
    model, cpus, java = machine()
    conv = java_field(a.log, "conv")
    kernels = java_field(a.log, "kernels")
    mkl = java_field(a.log, "mkl")
    malloc = java_field(a.log, "malloc")
    with open("/proc/loadavg") as f:
        load_after = a.load_after or " ".join(f.read().split()[:3])
    now = a.date or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rounds = "\n".join(f"- {row}: Java {d['java']['rounds'] if d.get('java') else '-'} s, PyTorch "
                       f"{d['torch']['rounds'] if d.get('torch') else '-'} s"
                       for row, d in summary.items())
    rows = "\n".join(f"- `{r}`: {desc}" for r, desc in ROWS.items() if r in summary)
    md = f"""# Benchmarks: Java (DJL) against PyTorch eager

Written by `scripts/bench.sh` on {now} ({a.seconds} s for the whole run).

- Machine: {model}, {cpus} CPUs ({platform.machine()}); **{a.threads} intra-op thread(s) on both sides**
  (`ai.djl.pytorch.num_threads`, `torch.set_num_threads`, OMP/OpenBLAS/MKL env).
- Load average (1/5/15 min) before: {a.load_before}; after: {load_after}. Other jobs may share this machine;
  A/B interleaving (java, python, java, python per row) spreads their effect over both sides.
- Java: {java}, DJL 0.36.0 with libtorch 2.7.1 (CPU). PyTorch: {torch.__version__} (Debian, eager, /usr/bin/python3).
- Java convolution kernels: **{conv}** (`-Dusp.conv`, `scripts/bench.sh --conv`; see `Numerics`).
- Java fused kernels (tanh-GELU, SiLU, GroupNorm, attention, AdamW, zero_grad, eigvalsh): **{kernels}** (`-Dusp.kernels`,
  `scripts/bench.sh --kernels`; see `Kernels`).
- Java oneMKL code path: **{mkl}** (`-Dusp.mkl`, `scripts/bench.sh --mkl`; see `MklDispatch`); glibc malloc:
  **{malloc}** (`-Dusp.malloc`, `scripts/bench.sh --malloc`; see `MallocTuning`).
- Rounds: {a.rounds} process pairs per row; each process runs warm-up units, then timed units, and
  reports the median unit time; the table holds the median over rounds.
- Ratio = Java throughput / PyTorch throughput (> 1: Java is faster).
- MFU = analytic FLOPs per unit (2 x MACs of linear, attention and conv layers; x3 for a training
  step) / unit time / fp32 matmul rate ({f'{peak / 1e9:.1f} GFLOP/s' if peak else 'not measured'}, the faster side's 2048^3 matmul in this run).

## Rows
{rows}

## Table
{tab}

Per-round medians (s per unit):
{rounds}
"""
    if a.analysis and os.path.exists(a.analysis):
        with open(a.analysis) as f:
            md += "\n" + f.read()
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(md)
    print(f"\nwritten {a.out}\n\nthreads {a.threads}, Java convolution kernels {conv}, kernels {kernels}, {model}\n{tab}")


if __name__ == "__main__":
    main()
