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
 * LDM's {@code Decoder}: {@code conv_in}, {@code mid}, levels {@code up.i} run from the deepest
 * ({@code up.(L-1)}) to {@code up.0}, each with num_res_blocks + 1 blocks and (except level 0) an
 * upsampler, then {@code norm_out}, SiLU, {@code conv_out}.
 */
public final class Decoder extends Module implements Layer {

    private final Conv2d convIn;
    private final MidBlock mid;
    private final ModuleList<Level> up;
    private final GroupNorm normOut;
    private final Conv2d convOut;

    /** Creates the decoder of a configuration. */
    public Decoder(NDManager manager, VaeConfig c) {
        super(manager);
        int g = c.normGroups();
        int levels = c.levels();
        long in = c.levelChannels(levels - 1);
        convIn = addModule("conv_in", new Conv2d(manager, c.zChannels(), in, 3, 1, 1, true));
        mid = addModule("mid", new MidBlock(manager, in, g));
        // Built deepest first (as LDM does) but registered as up.0 .. up.(L-1), LDM's key order.
        Level[] levelsBuilt = new Level[levels];
        int res = c.resolution() / c.downsampling();
        for (int i = levels - 1; i >= 0; i--) {
            long out = c.levelChannels(i);
            Level level = new Level(manager, in, out, c.numResBlocks() + 1, c.decoderAttnResolutions().contains(res), g);
            if (i != 0) {
                level.withUpsample(out);
                res *= 2;
            }
            levelsBuilt[i] = level;
            in = out;
        }
        up = addModule("up", new ModuleList<>(manager));
        for (Level level : levelsBuilt) {
            up.add(level);
        }
        normOut = addModule("norm_out", new GroupNorm(manager, g, in, VaeNorm.EPS));
        convOut = addModule("conv_out", new Conv2d(manager, in, c.outChannels(), 3, 1, 1, true));
    }

    /** (N, z, h, w) -> (N, out_channels, h*f, w*f). */
    @Override
    public NDArray forward(NDArray z) {
        List<UnaryOperator<NDArray>> layers = new ArrayList<>();
        layers.add(convIn::forward);
        layers.addAll(mid.layers());
        for (int i = up.size() - 1; i >= 0; i--) {
            layers.addAll(up.get(i).layers());
        }
        layers.add(normOut::forward);
        layers.add(Activations::silu);
        layers.add(convOut::forward);
        return Scopes.chain(z, layers);   // one activation held at a time
    }
}
