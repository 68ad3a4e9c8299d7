package dev.usp.train.optim;

/** A learning rate as a function of the (fractional) epoch: MAE sets it every iteration. */
@FunctionalInterface
public interface LrSchedule {

    /**
     * The learning rate at {@code epoch}; MAE passes {@code iteration / itersPerEpoch + epoch}.
     */
    double lr(double epoch);

    /** A constant rate (DiT/SiT: 1e-4). */
    static LrSchedule constant(double lr) {
        return epoch -> lr;
    }

    /**
     * MAE's {@code adjust_learning_rate}: linear warm-up from 0 over {@code warmupEpochs}, then a
     * half-cycle cosine from {@code lr} to {@code minLr} at {@code epochs}.
     */
    static LrSchedule warmupCosine(double lr, double minLr, double warmupEpochs, double epochs) {
        return epoch -> {
            if (epoch < warmupEpochs) {
                return lr * epoch / warmupEpochs;
            }
            return minLr + (lr - minLr) * 0.5
                    * (1. + Math.cos(Math.PI * (epoch - warmupEpochs) / (epochs - warmupEpochs)));
        };
    }

    /** The fractional epoch MAE uses: {@code iteration / itersPerEpoch + epoch}. */
    static double fractionalEpoch(int epoch, long iteration, long itersPerEpoch) {
        return (double) iteration / itersPerEpoch + epoch;
    }
}
