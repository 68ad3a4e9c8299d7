package dev.usp.core.data;

import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.Seeds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches of a {@link Dataset}, decoded and transformed by background threads. The output depends
 * only on the seed, the epoch and the settings, not on the number of threads: the epoch's order
 * comes from the stream {@code (seed, SHUFFLE, epoch)} and each sample's transform draws from
 * {@code (seed, SAMPLE, epoch, index)}. Images become float {@code (C, H, W)} in [-1, 1].
 *
 * <pre>{@code
 * try (DataLoader loader = DataLoader.builder(data).batchSize(64).shuffle(true).seed(0)
 *         .transform(Transform.compose(RandomResizedCrop.mae(224), new HorizontalFlip(0.5))).workers(4).build();
 *      DataLoader.Epoch epoch = loader.epoch(e)) {
 *     while (epoch.hasNext()) {
 *         try (NDManager step = model.manager().newSubManager()) {
 *             Batch b = epoch.next(step);   // images (N, 3, 224, 224) float32, labels (N) int64
 *         }
 *     }
 * }
 * }</pre>
 */
public final class DataLoader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DataLoader.class);
    private static final long SHUFFLE_STREAM = 1;
    private static final long SAMPLE_STREAM = 2;

    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final int workers;
    private final int prefetch;
    private final long seed;
    private final Transform transform;
    private final ExecutorService pool;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.workers = b.workers;
        this.prefetch = b.prefetch;
        this.seed = b.seed;
        this.transform = b.transform;
        this.pool = workers == 0 ? null : Executors.newFixedThreadPool(workers, daemonThreads());
    }

    /** Starts a loader over {@code dataset}. */
    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /** Batches in one epoch (before dropping wholly unreadable ones). */
    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The dataset indices in the order epoch {@code epoch} visits them. */
    public int[] order(int epoch) {
        int n = dataset.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom rng = Seeds.derive(seed, SHUFFLE_STREAM, epoch);
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** An iterator over the batches of epoch {@code epoch}; close it to stop its pending work. */
    public Epoch epoch(int epoch) {
        return new Epoch(epoch);
    }

    /** Stops the decoding threads. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    /** One decoded sample, or a skipped one ({@code image == null}). */
    private record Decoded(int index, int label, float[] image, int c, int h, int w) {
    }

    private List<Decoded> decode(int epoch, int[] indices) {
        List<Decoded> out = new ArrayList<>(indices.length);
        for (int index : indices) {
            Sample s = dataset.get(index);
            if (s == null) {
                out.add(new Decoded(index, -1, null, 0, 0, 0));
                continue;
            }
            Image img = transform.apply(s.image(), Seeds.derive(seed, SAMPLE_STREAM, epoch, index));
            float[] t = new float[img.channels() * img.height() * img.width()];
            img.toTensor(t, 0);
            out.add(new Decoded(index, s.label(), t, img.channels(), img.height(), img.width()));
        }
        return out;
    }

    /** The batches of one epoch, in order; at most {@code prefetch} batches are decoded ahead. */
    public final class Epoch implements Iterator<HostBatch>, AutoCloseable {

        private final int epoch;
        private final int[] order;
        private final int batches;
        private final ArrayDeque<List<Future<List<Decoded>>>> pending = new ArrayDeque<>();
        private int submitted;
        private int skipped;
        private boolean reported;
        private HostBatch ready;

        private Epoch(int epoch) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.batches = batchesPerEpoch();
        }

        @Override
        public boolean hasNext() {
            while (ready == null) {
                fill();
                if (pending.isEmpty()) {
                    if (skipped > 0 && !reported) {
                        reported = true;
                        LOG.warn("epoch {}: {} unreadable samples skipped", epoch, skipped);
                    }
                    return false;
                }
                HostBatch b = assemble(pending.poll());
                ready = b.size() == 0 ? null : b;
            }
            return true;
        }

        /** The next batch in Java memory. */
        @Override
        public HostBatch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch " + epoch + " has no more batches");
            }
            HostBatch b = ready;
            ready = null;
            return b;
        }

        /** The next batch as arrays owned by {@code manager}. */
        public Batch next(NDManager manager) {
            return next().toNDArrays(manager);
        }

        /** Samples skipped as unreadable so far in this epoch. */
        public int skipped() {
            return skipped;
        }

        /** Cancels the batches decoded ahead. */
        @Override
        public void close() {
            for (List<Future<List<Decoded>>> b : pending) {
                b.forEach(f -> f.cancel(true));
            }
            pending.clear();
        }

        private void fill() {
            int ahead = pool == null ? 1 : prefetch;
            while (pending.size() < ahead && submitted < batches) {
                int from = submitted * batchSize;
                int to = Math.min(order.length, from + batchSize);
                int chunks = pool == null ? 1 : Math.min(workers, to - from);
                int per = (to - from + chunks - 1) / chunks;
                List<Future<List<Decoded>>> parts = new ArrayList<>(chunks);
                for (int s = from; s < to; s += per) {
                    int[] idx = Arrays.copyOfRange(order, s, Math.min(to, s + per));
                    parts.add(pool == null ? CompletableFuture.completedFuture(decode(epoch, idx))
                            : pool.submit(() -> decode(epoch, idx)));
                }
                pending.add(parts);
                submitted++;
            }
        }

        private HostBatch assemble(List<Future<List<Decoded>>> parts) {
            List<Decoded> rows = new ArrayList<>();
            for (Future<List<Decoded>> f : parts) {
                for (Decoded d : await(f)) {
                    if (d.image() == null) {
                        skipped++;
                    } else {
                        rows.add(d);
                    }
                }
            }
            if (rows.isEmpty()) {
                return new HostBatch(new float[0], new long[0], new int[0], 0, 0, 0);
            }
            Decoded first = rows.get(0);
            int len = first.image().length;
            float[] images = new float[rows.size() * len];
            long[] labels = new long[rows.size()];
            int[] indices = new int[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                Decoded d = rows.get(i);
                if (d.c() != first.c() || d.h() != first.h() || d.w() != first.w()) {
                    throw new IllegalStateException("sample " + d.index() + " is " + d.c() + "x" + d.h() + "x" + d.w()
                            + " after the transform but sample " + first.index() + " is " + first.c() + "x" + first.h()
                            + "x" + first.w() + ": add a crop or resize so that all samples have one size");
                }
                System.arraycopy(d.image(), 0, images, i * len, len);
                labels[i] = d.label();
                indices[i] = d.index();
            }
            return new HostBatch(images, labels, indices, first.c(), first.h(), first.w());
        }
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("data loading failed: " + c, c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        } catch (CancellationException e) {
            throw new IllegalStateException("the epoch was closed while a batch was pending", e);
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "usp-data-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Settings of a {@link DataLoader}; {@link #build()} checks them. */
    public static final class Builder {

        private final Dataset dataset;
        private int batchSize = 1;
        private boolean shuffle;
        private boolean dropLast;
        private int workers;
        private int prefetch = 2;
        private long seed;
        private Transform transform = Transform.identity();

        private Builder(Dataset dataset) {
            this.dataset = dataset;
        }

        /** Samples per batch (default 1). */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Visit the samples in a new random order every epoch (default off). */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Leave out the last, smaller batch (default off). */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Decoding threads; 0 decodes in the calling thread (default 0). */
        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /** Batches decoded ahead when {@code workers > 0} (default 2). */
        public Builder prefetch(int prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        /** The seed of the shuffle and of the random transforms (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Applied to every image before it becomes a tensor (default none). */
        public Builder transform(Transform transform) {
            this.transform = transform;
            return this;
        }

        /** The loader; throws when a setting is invalid. */
        public DataLoader build() {
            int n = dataset.size();
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
            }
            if (dropLast && batchSize > n) {
                throw new IllegalArgumentException("batch size " + batchSize + " is larger than the dataset (" + n
                        + " samples) and drop_last is set: no batch would be produced; lower the batch size or turn drop_last off");
            }
            if (n == 0) {
                throw new IllegalArgumentException("the dataset is empty");
            }
            if (workers < 0 || prefetch < 1) {
                throw new IllegalArgumentException("workers must be >= 0 and prefetch >= 1, got " + workers + " and " + prefetch);
            }
            return new DataLoader(this);
        }
    }
}
