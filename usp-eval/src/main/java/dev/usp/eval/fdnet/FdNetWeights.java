package dev.usp.eval.fdnet;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.usp.core.io.AtomicFiles;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The trained feature net on disk: {@code <name>.safetensors} (float32, PyTorch key names) and
 * the sidecar {@code <name>.json} that says how it was trained and how good it is.
 */
public final class FdNetWeights {

    /** The weight file {@code usp train-fdnet} writes into its output folder. */
    public static final String FILE = "fmnist-featnet.safetensors";
    /** The sidecar's {@code format} value. */
    public static final String FORMAT = "usp-fdnet/1";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

    /**
     * What the sidecar records.
     *
     * @param format {@link #FORMAT}
     * @param metrics the names of the scores this net defines
     * @param net the layer widths
     * @param dataset the data set and the folder it was read from
     * @param trainImages training images used
     * @param testImages test images the accuracy was measured on
     * @param testAccuracy top-1 accuracy on them, in [0, 1]
     * @param input the input form ({@link FmnistBatches#INPUT_FORM})
     * @param seed the run seed
     * @param epochs training epochs
     * @param batchSize images per step
     * @param steps optimiser steps
     * @param optimizer the optimiser and its settings
     * @param trainSeconds wall time of the training loop
     */
    public record Card(String format, String metrics, FmnistFeatureNet.Spec net, String dataset,
                       int trainImages, int testImages, double testAccuracy, String input, long seed,
                       int epochs, int batchSize, long steps, String optimizer, double trainSeconds) {
    }

    private FdNetWeights() {
    }

    /** The sidecar of a weight file: the same name with {@code .json} instead of {@code .safetensors}. */
    public static Path cardFile(Path weights) {
        String name = weights.getFileName().toString();
        String stem = name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
        return weights.resolveSibling(stem + ".json");
    }

    /** Writes the weights and the sidecar, each atomically. */
    public static void save(FmnistFeatureNet net, Card card, Path weights) throws IOException {
        SafeTensors.write(weights, net.stateDict().asMap(),
                Map.of("format", FORMAT, "test_accuracy", Double.toString(card.testAccuracy())));
        AtomicFiles.writeString(cardFile(weights), GSON.toJson(card) + "\n");
    }

    /** Reads the weights into a new net on {@code device}, in evaluation mode; closing the net frees everything. */
    public static FmnistFeatureNet load(Path weights, Device device) throws IOException {
        NDManager manager = NDManager.newBaseManager(device);
        try (StateDict sd = SafeTensors.read(weights, manager)) {
            FmnistFeatureNet net = FmnistFeatureNet.fromStateDict(sd, manager);
            net.eval();
            return net;
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Reads the sidecar of a weight file.
     *
     * @throws IOException naming the file when it is missing or not a card
     */
    public static Card readCard(Path weights) throws IOException {
        Path file = cardFile(weights);
        try {
            Card card = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Card.class);
            if (card == null || !FORMAT.equals(card.format())) {
                throw new IOException(file + ": not a " + FORMAT + " sidecar");
            }
            return card;
        } catch (JsonParseException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** The SHA-256 of a file as lower-case hex (identifies the weights a reference cache was made with). */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
