package dev.usp.eval.fdnet;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The weight file and its sidecar survive a save and a load unchanged. */
class FdNetWeightsTest {

    @TempDir
    Path tmp;

    private static FdNetWeights.Card card(FmnistFeatureNet.Spec spec) {
        return new FdNetWeights.Card(FdNetWeights.FORMAT, "FD-FMNIST, IS-FMNIST", spec, "Fashion-MNIST (test)",
                60000, 10000, 0.9123, FmnistBatches.INPUT_FORM, 7, 3, 128, 1404, "AdamW", 123.5);
    }

    @Test
    void saveAndLoadRoundTrip() throws Exception {
        Path weights = tmp.resolve("net.safetensors");
        try (FmnistFeatureNet net = FdNetWeights.load(FmnistFeatureNetTest.fixture("weights.safetensors"), Device.cpu())) {
            FdNetWeights.save(net, card(net.spec()), weights);
            try (FmnistFeatureNet back = FdNetWeights.load(weights, Device.cpu())) {
                assertEquals(net.spec(), back.spec());
                for (String key : net.stateDict().keys()) {
                    assertArrayEquals(net.stateDict().get(key).toFloatArray(), back.stateDict().get(key).toFloatArray(), key);
                }
            }
            assertEquals(card(net.spec()), FdNetWeights.readCard(weights));
        }
        assertEquals(tmp.resolve("net.json"), FdNetWeights.cardFile(weights));
        String json = Files.readString(tmp.resolve("net.json"));
        assertTrue(json.contains("\"test_accuracy\": 0.9123") && json.contains("\"feature_dim\": 6"), json);
        assertEquals(64, FdNetWeights.sha256(weights).length());
    }

    @Test
    void aForeignSidecarIsRefusedByName() throws Exception {
        Path weights = tmp.resolve("x.safetensors");
        Files.writeString(tmp.resolve("x.json"), "{\"format\": \"something-else\"}");
        IOException e = assertThrows(IOException.class, () -> FdNetWeights.readCard(weights));
        assertTrue(e.getMessage().contains("x.json"), e.getMessage());
    }
}
