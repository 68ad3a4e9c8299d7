package dev.usp.vae.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.Scopes;
import dev.usp.core.nn.Activations;
import dev.usp.core.nn.Conv2d;
import dev.usp.core.nn.Module;
import dev.usp.vae.VaeConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * LDM's {@code Encoder}: {@code conv_in}, levels {@code down.i} (the last without downsampling),
 * {@code mid}, {@code norm_out}, SiLU, {@code conv_out} to 2z (double_z) or z channels.
 */
public final class Encoder extends Module implements Layer {

    private final Conv2d convIn;
    private final ModuleList<Level> down;
    private final MidBlock mid;
    private final GroupNorm normOut;
    private final Conv2d convOut;

    /** Creates the encoder of a configuration. */
    public Encoder(NDManager manager, VaeConfig c) {
        super(manager);
        int g = c.normGroups();
        convIn = addModule("conv_in", new Conv2d(manager, c.inChannels(), c.ch(), 3, 1, 1, true));
        down = addModule("down", new ModuleList<>(manager));
        long in = c.ch();
        int res = c.resolution();
        for (int i = 0; i < c.levels(); i++) {
            long out = c.levelChannels(i);
            Level level = new Level(manager, in, out, c.numResBlocks(), c.encoderAttnResolutions().contains(res), g);
            if (i != c.levels() - 1) {
                level.withDownsample(out);
                res /= 2;
            }
            down.add(level);
            in = out;
        }
        mid = addModule("mid", new MidBlock(manager, in, g));
        normOut = addModule("norm_out", new GroupNorm(manager, g, in, VaeNorm.EPS));
        convOut = addModule("conv_out", new Conv2d(manager, in, c.doubleZ() ? 2L * c.zChannels() : c.zChannels(), 3, 1, 1, true));
    }

    /** (N, in_channels, H, W) -> (N, 2z, H/f, W/f). */
    @Override
    public NDArray forward(NDArray x) {
        List<UnaryOperator<NDArray>> layers = new ArrayList<>();
        layers.add(convIn::forward);
        for (Level level : down.items()) {
            layers.addAll(level.layers());
        }
        layers.addAll(mid.layers());
        layers.add(normOut::forward);
        layers.add(Activations::silu);
        layers.add(convOut::forward);
        return Scopes.chain(x, layers);   // one activation held at a time
    }
}
