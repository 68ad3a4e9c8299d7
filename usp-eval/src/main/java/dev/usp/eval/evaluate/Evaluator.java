package dev.usp.eval.evaluate;

import dev.usp.eval.metrics.FeatureMatrix;
import dev.usp.eval.metrics.FidStatistics;
import dev.usp.eval.metrics.FrechetDistance;
import dev.usp.eval.metrics.InceptionScore;
import dev.usp.eval.metrics.PrecisionRecall;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores samples against a reference in a feature net's space: the Frechet distance of pool
 * features, the Inception Score of the softmax, and improved precision/recall (k = 3) when the
 * reference's features are known; each under the net's names.
 *
 * <pre>{@code
 * try (FeatureNet net = InceptionTorchScript.load(Path.of("inception-2015-12-05.pt"))) {
 *     Reference ref = Reference.open(Path.of("VIRTUAL_imagenet256_labeled.npz"), "arr_0", net);
 *     EvaluationResult r = Evaluator.evaluate(net, "inception-2015-12-05.pt", ImageSources.open(samples, "arr_0"), ref);
 * }
 * }</pre>
 */
public final class Evaluator {

    private Evaluator() {
    }

    /** Embeds the samples and computes every metric the inputs allow. */
    public static EvaluationResult evaluate(FeatureNet net, String featureFile, ImageSource samples, Reference reference)
            throws IOException {
        MetricNames names = net.names();
        if (samples.count() < 2) {
            throw new IOException(samples.describe() + ": " + samples.count() + " images; at least 2 are needed");
        }
        Features f = net.embed(samples);
        FidStatistics ref = reference.statistics();
        if (ref.dim() != f.pool().dim()) {
            throw new IOException(reference.source() + ": reference statistics have dimension " + ref.dim() + " but "
                    + names.features() + " features have " + f.pool().dim()
                    + " (statistics from another feature net?)");
        }
        Map<String, Double> m = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        m.put(names.fd(), FrechetDistance.compute(FidStatistics.compute(f.pool()), ref));
        m.put(names.is(), InceptionScore.compute(f.probabilities(), net.isSplitSize(f.probabilities().rows())));
        FeatureMatrix real = reference.features();
        if (real != null && real.rows() > PrecisionRecall.ADM_K && f.pool().rows() > PrecisionRecall.ADM_K) {
            PrecisionRecall.Result pr = PrecisionRecall.compute(real, f.pool());
            m.put(names.precision(), pr.precision());
            m.put(names.recall(), pr.recall());
        } else {
            notes.add("precision/recall not computed: they need more than " + PrecisionRecall.ADM_K
                    + " reference and sample images (reference: " + reference.note() + ")");
        }
        notes.add("reference: " + reference.note());
        if (names == MetricNames.INCEPTION) {
            notes.add("sFID not computed: it needs the ADM evaluator's spatial features (mixed_6/conv, TF graph),"
                    + " which the TorchScript file's forward does not return");
            notes.add("FID/IS use StyleGAN's TorchScript Inception-v3 and its resize; the ADM TF evaluator can differ"
                    + " slightly");
        } else {
            notes.add(names.fd() + "/" + names.is() + " use the project's Fashion-MNIST net: not FID/IS, comparable"
                    + " only with values from the same weight file");
        }
        return new EvaluationResult(names.features(), featureFile, samples.describe(), samples.count(),
                reference.source(), m, notes);
    }
}
