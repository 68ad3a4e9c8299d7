package dev.usp.train.loop;

import dev.usp.core.engine.Seeds;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.usp.core.nn.Linear;
import dev.usp.core.nn.Parameter;
import dev.usp.core.weights.StateDict;

import java.util.Map;
import java.util.Random;

/**
 * A test trainer: Linear 8 -> 4 fitted by plain SGD with an MSE loss to y = x A + noise, where
 * x comes from the step's host RNG and the noise from the (reseeded) engine, so both randomness
 * paths of a real trainer are exercised.
 */
final class TinyRegression implements TrainState, AutoCloseable {

    static final int IN = 8;
    static final int OUT = 4;
    static final int BATCH = 16;

    final NDManager manager;
    final Linear model;
    private final float[] target = new float[IN * OUT];

    TinyRegression(int initSeed) {
        Engine.getInstance().setRandomSeed(initSeed);
        manager = NDManager.newBaseManager();
        model = new Linear(manager, IN, OUT);
        Random r = new Random(1234);
        for (int i = 0; i < target.length; i++) {
            target[i] = (float) r.nextGaussian();
        }
    }

    /** One SGD step on one batch of {@code batch} examples drawn from {@code rng}. */
    StepResult step(StepContext ctx) {
        return accumulated(ctx, 1);
    }

    /**
     * One SGD step whose gradient is accumulated over {@code micro} micro-batches that together
     * hold the same BATCH examples as {@link #step}.
     */
    StepResult accumulated(StepContext ctx, int micro) {
        int per = BATCH / micro;
        float[] xs = new float[BATCH * IN];
        Random rng = ctx.random(Seeds.DATA);
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) rng.nextGaussian();
        }
        NDArray all = ctx.manager().create(xs, new Shape(BATCH, IN));
        NDArray noise = ctx.manager().randomNormal(0f, 0.1f, new Shape(BATCH, OUT), all.getDataType());
        NDArray y = all.matMul(ctx.manager().create(target, new Shape(IN, OUT))).add(noise);
        double lossSum = 0;
        for (int m = 0; m < micro; m++) {
            try (NDManager scope = ctx.manager().newSubManager();
                 GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray x = all.get(m * per + ":" + (m + 1) * per);
                x.attach(scope);
                NDArray yt = y.get(m * per + ":" + (m + 1) * per);
                yt.attach(scope);
                NDArray loss = model.forward(x).sub(yt).square().mean();
                gc.backward(loss.div(micro));
                lossSum += loss.getFloat();
            }
        }
        float lr = (float) ctx.lr();
        for (Parameter p : model.trainableParameters().values()) {
            NDArray g = p.array().getGradient();
            g.attach(ctx.manager());
            p.replace(p.array().sub(g.mul(lr)));
        }
        return StepResult.of(lossSum / micro, BATCH);
    }

    /** All parameters, flattened in state-dict order. */
    float[] flatParameters() {
        StateDict sd = model.stateDict();
        int n = (int) sd.numel();
        float[] out = new float[n];
        int k = 0;
        for (NDArray a : sd.asMap().values()) {
            float[] v = a.toFloatArray();
            System.arraycopy(v, 0, out, k, v.length);
            k += v.length;
        }
        return out;
    }

    @Override
    public Map<String, StateDict> stateDicts() {
        return Map.of("model", model.stateDict());
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        model.loadStateDict(checkpoint.part("model"), true);
    }

    @Override
    public void close() {
        manager.close();
    }
}
