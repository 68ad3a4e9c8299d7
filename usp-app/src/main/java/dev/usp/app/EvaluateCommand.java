package dev.usp.app;

import ai.djl.Device;
import dev.usp.core.data.FashionMnist;
import dev.usp.eval.evaluate.EvaluationResult;
import dev.usp.eval.evaluate.Evaluator;
import dev.usp.eval.evaluate.FeatureNet;
import dev.usp.eval.evaluate.FmnistFeatures;
import dev.usp.eval.evaluate.ImageSources;
import dev.usp.eval.evaluate.InceptionTorchScript;
import dev.usp.eval.evaluate.Reference;
import dev.usp.eval.fdnet.FdFmnist;
import dev.usp.eval.fdnet.FdNetWeights;
import dev.usp.eval.io.NpzFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code usp evaluate}: FID/IS/precision/recall (or their FD-FMNIST counterparts) of a sample batch. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Score generated images against a reference: Frechet distance, Inception Score and"
                + " improved precision/recall (k = 3), printed as a table and written as JSON.",
                "--features inception: Inception-v3 from the StyleGAN/clean-fid TorchScript file"
                        + " inception-2015-12-05.pt (FID, IS); sFID is not computed (needs the ADM TF graph).",
                "--features fmnist: the project's Fashion-MNIST net from `usp train-fdnet`"
                        + " (FD-FMNIST, IS-FMNIST; never called FID)."})
final class EvaluateCommand implements Callable<Integer> {

    enum FeatureKind { inception, fmnist }

    @Option(names = "--samples", required = true, paramLabel = "PATH",
            description = "Samples: a folder of PNG/JPEG files or an .npz with uint8 (N, H, W, C) images"
                    + " (what `usp sample` writes).")
    private Path samples;

    @Option(names = "--samples-key", paramLabel = "KEY", defaultValue = NpzFile.DEFAULT_KEY,
            description = "Array of the samples .npz. Default: ${DEFAULT-VALUE}.")
    private String samplesKey;

    @Option(names = "--reference", paramLabel = "PATH",
            description = {"Reference: an ADM reference batch .npz (mu, sigma; its image array gives precision/recall),"
                    + " or a folder / .npz of images.",
                    "Default with --features fmnist: the Fashion-MNIST training split (statistics cached next to"
                            + " the weights; no precision/recall)."})
    private Path reference;

    @Option(names = "--reference-key", paramLabel = "KEY", defaultValue = NpzFile.DEFAULT_KEY,
            description = "Image array of the reference .npz. Default: ${DEFAULT-VALUE}.")
    private String referenceKey;

    @Option(names = "--features", paramLabel = "NET", defaultValue = "fmnist",
            description = "Feature net: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    private FeatureKind features;

    @Option(names = "--inception", paramLabel = "FILE",
            description = "Inception-v3 TorchScript file inception-2015-12-05.pt, as StyleGAN2-ADA's metrics fetch it"
                    + " from https://nvlabs-fi-cdn.nvidia.com/stylegan2-ada-pytorch/pretrained/metrics/"
                    + "inception-2015-12-05.pt (clean-fid downloads the same file).")
    private Path inception;

    @Option(names = "--fdnet", paramLabel = "FILE", defaultValue = "runs/fdnet/" + FdNetWeights.FILE,
            description = "FD-FMNIST weights from `usp train-fdnet`. Default: ${DEFAULT-VALUE}.")
    private Path fdnet;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Fashion-MNIST IDX folder for the default fmnist reference. Default: "
                    + "/usr/share/datasets/fashion-mnist.")
    private Path dataDir;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "evaluation.json",
            description = "JSON result file. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Override
    public Integer call() throws IOException {
        try (FeatureNet net = open()) {
            Reference ref = reference(net);
            EvaluationResult r = Evaluator.evaluate(net, weightFile().toString(), ImageSources.open(samples, samplesKey),
                    ref);
            System.out.print(r.table());
            r.writeJson(out);
            System.out.println("written: " + out);
        }
        return 0;
    }

    private Path weightFile() {
        return features == FeatureKind.inception ? inception : fdnet;
    }

    private FeatureNet open() throws IOException {
        if (features == FeatureKind.inception) {
            if (inception == null) {
                throw new IllegalArgumentException("--features inception needs --inception FILE"
                        + " (inception-2015-12-05.pt, the StyleGAN/clean-fid TorchScript file)");
            }
            return InceptionTorchScript.load(inception);
        }
        if (!fdnet.toFile().isFile()) {
            throw new NoSuchFileException(fdnet.toString(), null, "FD-FMNIST weights not found (train them with"
                    + " `usp train-fdnet` or pass --fdnet FILE)");
        }
        return new FmnistFeatures(FdFmnist.load(fdnet, Device.cpu()));
    }

    private Reference reference(FeatureNet net) throws IOException {
        if (reference != null) {
            return Reference.open(reference, referenceKey, net);
        }
        if (!(net instanceof FmnistFeatures f)) {
            throw new IllegalArgumentException("--features inception needs --reference PATH");
        }
        Path cache = FdFmnist.referenceCache(fdnet, FashionMnist.Split.TRAIN);
        return Reference.ofStatistics(f.fd().referenceStatistics(dataDir, FashionMnist.Split.TRAIN, cache),
                "Fashion-MNIST training split (cache " + cache + ")");
    }
}
