package dev.usp.models.vit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Named classifier sizes, skip_depth, init statistics and train/eval behaviour. */
class VitModelsTest {

    @Test
    void namedSizesAndSkipDepth() {
        VitConfig base = VitModels.config("vit_base_patch16_vae", VitOptions.finetune(1000));
        assertEquals(768, base.embedDim());
        assertEquals(12, base.depth());
        assertEquals(2, base.patchSize());
        assertEquals(GlobalPool.AVG, base.pool());
        VitConfig probe = VitModels.config("vit_xlarge_patch16_vae", VitOptions.linearProbe(1000).withSkipDepth(8));
        assertEquals(20, probe.depth());
        assertEquals(1152, probe.embedDim());
        assertEquals(GlobalPool.TOKEN, probe.pool());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VitModels.config("vit_giant", VitOptions.finetune(10)));
        assertTrue(e.getMessage().contains("vit_large_patch16_vae"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> VitModels.config("vit_base_patch16_vae", VitOptions.finetune(10).withSkipDepth(12)));
    }

    @Test
    void baseParameterCountEqualsTimm() {
        // timm ViT-B on 28x28x4 latents, patch 2, 1000 classes, avg pool:
        // MAE encoder 85,221,120 - norm 1,536 + fc_norm 1,536 + head 769,000.
        // Built with 11 of 12 blocks skipped; the 11 identical blocks are added back.
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = VitModels.create("vit_base_patch16_vae", VitOptions.finetune(1000).withSkipDepth(11), m);
            assertEquals(1, vit.blocks().depth());
            long block = vit.blocks().blocks().get(0).parameterCount();
            assertEquals(85_221_120L + 769_000L, vit.parameterCount() + 11 * block);
            assertEquals(vit.parameterCount(), vit.trainableParameters().values().stream()
                    .mapToLong(p -> p.shape().size()).sum(), "pos_embed is learnable in the classifier");
        }
    }

    @Test
    void headInitFollowsTheOptionsAndDropPathOnlyActsInTraining() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = VitModels.create("vit_tiny_patch16_vae",
                    VitOptions.finetune(7).withLatent(8, 4, 2).withDropPath(0.5), m);
            NDArray w = vit.head().weight().array();
            assertTrue(w.abs().max().getFloat() < 1e-4f && w.abs().max().getFloat() > 0f, "head ~ N(0, 2e-5)");
            assertEquals(0f, vit.head().bias().array().abs().sum().getFloat());
            try (NDManager step = m.newSubManager()) {
                NDArray x = step.randomNormal(new Shape(4, 4, 8, 8));
                vit.eval();
                NDArray a = vit.forward(x);
                NDArray b = vit.forward(x);
                assertEquals(0f, a.sub(b).abs().max().getFloat());
                vit.train(true);
                NDArray c = vit.forward(x);
                assertTrue(a.sub(c).abs().max().getFloat() > 0f, "drop path changes the training forward");
                assertEquals(new Shape(4, 7), c.getShape());
            }
        }
    }
}
