package dev.usp.app.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.models.dit.DiT;
import dev.usp.models.dit.DiTConfig;
import dev.usp.models.dit.DiTModels;
import dev.usp.models.mae.MaeConfig;
import dev.usp.models.mae.MaeModels;
import dev.usp.models.mae.MaeOptions;
import dev.usp.models.mae.MaskedAutoencoder;
import dev.usp.models.sit.SiT;
import dev.usp.models.generation.GaussianDiffusion;
import dev.usp.train.optim.ParamGroups;
import dev.usp.models.generation.Transport;
import dev.usp.train.vae.VaeLoss;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.VaeConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The benchmark rows, each with its default warm-up and timed units; scripts/bench/torch_bench.py
 * defines the same rows in PyTorch. Training rows: batch 32 on 32x32x4 latents (MAE patch 2,
 * mask 0.75, norm_pix_loss, AdamW (0.9, 0.95) wd 0.05 on 2-D+ tensors; DiT/SiT AdamW wd 0), and
 * the quickstart VAE's step on batch 32 of 32x32x1 images ({@code usp train-vae}'s loss, Adam).
 * The last rows are micro-measurements that explain the ratios: per-op dispatch cost, the
 * composed tanh-GELU, and the optimiser step alone.
 */
final class Rows {

    /** A row: how to build its workload in a root manager, and how long to run it. */
    record Row(Function<NDManager, Workload> factory, int warmup, int steps) {
    }

    static final int BATCH = 32;
    static final int LATENT = 32;
    static final int CHANNELS = 4;

    private static final Map<String, Row> ROWS = new LinkedHashMap<>();

    static {
        ROWS.put("matmul", new Row(m -> new MatmulRate(m, 2048), 2, 5));
        ROWS.put("mae-tiny", new Row(m -> mae(m, MaeModels.config("vit_tiny_patch_vae", maeOptions())), 2, 5));
        ROWS.put("mae-small", new Row(m -> mae(m, maeSmall()), 1, 3));
        ROWS.put("dit-s2", new Row(m -> dit(m, "DiT-S/2"), 1, 2));
        ROWS.put("sit-s2", new Row(m -> sit(m, "SiT-S/2"), 1, 2));
        ROWS.put("vae-fmnist", new Row(m -> new VaeEncode(m, "fmnist-tiny", 32, 64), 5, 20));
        ROWS.put("vae-sd", new Row(m -> new VaeEncode(m, "sd", 256, 4), 1, 2));
        ROWS.put("vae-train", new Row(m -> vaeTrain(m, "fmnist-tiny", 32), 10, 30));
        ROWS.put("ddpm-tiny", new Row(m -> new DdpmSampling(m, tinyDit(), 16), 20, 100));
        ROWS.put("fd-10k", new Row(m -> new FdCost(10_000, 2048), 0, 1));
        ROWS.put("op-overhead", new Row(OpOverhead::new, 100, 20));   // past the JIT's transitional phase (ANALYSIS)
        ROWS.put("gelu-tanh", new Row(GeluTanhStep::new, 3, 10));
        ROWS.put("adamw-only", new Row(OptimizerOnly::new, 3, 10));
    }

    private Rows() {
    }

    /** The row names in table order. */
    static List<String> names() {
        return List.copyOf(ROWS.keySet());
    }

    /** The named row. */
    static Row get(String name) {
        Row r = ROWS.get(name);
        if (r == null) {
            throw new IllegalArgumentException("unknown benchmark row '" + name + "'; known: " + names());
        }
        return r;
    }

    /** USP's MAE options on 32x32x4 latents with patch 2. */
    static MaeOptions maeOptions() {
        return MaeOptions.d8().withLatent(LATENT, CHANNELS, 2);
    }

    /** A ViT-S-sized encoder (384/12/6) with the registry's small decoder (128/2/4) of vit_tiny_patch_vae. */
    static MaeConfig maeSmall() {
        MaeConfig t = MaeModels.config("vit_tiny_patch_vae", maeOptions());
        return new MaeConfig(t.inputSize(), t.patchSize(), t.inChannels(), 384, 12, 6, t.decoderDim(),
                t.decoderDepth(), t.decoderHeads(), t.mlpRatio(), t.normPixLoss(), t.normImage(), t.maskRatio());
    }

    /** The fmnist quickstart generator: DiT-M/2-VAE-simple on 8x8x4 latents, 10 classes. */
    static DiTConfig tinyDit() {
        return DiTModels.config("DiT-M/2-VAE-simple").toBuilder().inputSize(8).numClasses(10).build();
    }

    private static Workload mae(NDManager root, MaeConfig c) {
        MaskedAutoencoder model = new MaskedAutoencoder(c, root.newSubManager());
        return new TrainStep(model,
                ParamGroups.weightDecay(model.trainableParameters(), 0.05, Set.of()), new double[] {0.9, 0.95},
                m -> model.forward(latents(m)).loss(), BATCH, Flops.maeForward(c, BATCH));
    }

    private static Workload dit(NDManager root, String name) {
        DiT model = new DiT(root.newSubManager(), DiTModels.config(name));
        GaussianDiffusion gd = GaussianDiffusion.create("");
        return new TrainStep(model, ParamGroups.single(model.trainableParameters(), 0), new double[] {0.9, 0.999},
                m -> {
                    NDArray x = latents(m);
                    NDArray t = gd.sampleTimesteps(m, BATCH);
                    return gd.trainingLosses(model::forward, x, t, labels(m, BATCH, 1000), null).loss().mean();
                }, BATCH, Flops.ditForward(model.config(), BATCH));
    }

    private static Workload sit(NDManager root, String name) {
        SiT model = new SiT(root.newSubManager(), DiTModels.config(name));
        return new TrainStep(model, ParamGroups.single(model.trainableParameters(), 0), new double[] {0.9, 0.999},
                m -> Transport.trainingLosses(model::forward, latents(m), labels(m, BATCH, 1000), null, null).loss().mean(),
                BATCH, Flops.ditForward(model.config(), BATCH));
    }

    /**
     * A step of {@code usp train-vae} with its defaults (L1 + 1e-6 KL / pixels, betas (0.9, 0.999),
     * wd 0) on random images of side {@code size}; without its gradient clipping.
     */
    private static Workload vaeTrain(NDManager root, String preset, int size) {
        AutoencoderKL vae = new AutoencoderKL(root.newSubManager(), VaeConfig.preset(preset));
        VaeLoss loss = new VaeLoss("l1", 1e-6);
        return new TrainStep(vae, ParamGroups.single(vae.trainableParameters(), 0), new double[] {0.9, 0.999},
                m -> loss.apply(vae, VaeEncode.images(m, vae.config(), BATCH, size)).total(), BATCH,
                Flops.vaeEncoder(vae.config(), BATCH, size) + Flops.vaeDecoder(vae.config(), BATCH, size));
    }

    private static NDArray latents(NDManager m) {
        return m.randomNormal(0f, 1f, new Shape(BATCH, CHANNELS, LATENT, LATENT), DataType.FLOAT32);
    }

    private static NDArray labels(NDManager m, long n, int classes) {
        return m.randomInteger(0, classes, new Shape(n), DataType.INT64);
    }
}
