package dev.usp.train.cls;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.usp.core.nn.Parameter;
import dev.usp.models.vit.ProbeHead;
import dev.usp.train.optim.Lars;
import dev.usp.train.optim.ParamGroups;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Three linear-probe head steps (BatchNorm1d without affine + Linear, cross-entropy, LARS with
 * the lr set per step) against PyTorch 1.13 ({@code scripts/fixtures/train_cls.py}).
 */
class ProbeStepParityTest {

    @Test
    void headStepsMatchPyTorch() throws IOException {
        JsonObject f = load();
        int classes = f.get("classes").getAsInt();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray features = array(m, f.getAsJsonObject("features"));
            long[] labels = longs(f.getAsJsonArray("labels"));
            ProbeHead head = new ProbeHead(m, features.getShape().get(1), classes);
            head.linear().weight().assign(array(m, f.getAsJsonObject("init_weight")));
            head.linear().bias().assign(array(m, f.getAsJsonObject("init_bias")));
            Map<String, Parameter> params = new LinkedHashMap<>(head.trainableParameters());
            JsonArray batches = f.getAsJsonArray("batches");
            try (Lars opt = new Lars(params, ParamGroups.single(params, f.get("weight_decay").getAsDouble()))) {
                head.train(true);
                for (int s = 0; s < batches.size(); s++) {
                    long[] rows = longs(batches.get(s).getAsJsonArray());
                    long[] batchLabels = new long[rows.length];
                    for (int j = 0; j < rows.length; j++) {
                        batchLabels[j] = labels[(int) rows[j]];
                    }
                    opt.zeroGrad();
                    double loss;
                    try (NDManager step = m.newSubManager()) {
                        NDArray x = features.get(step.create(rows));
                        x.attach(step);
                        loss = LinearProbe.Trainer.backwardHead(head, x, step.create(batchLabels), classes, 1);
                    }
                    opt.step(f.getAsJsonArray("lrs").get(s).getAsDouble());
                    assertEquals(f.getAsJsonArray("losses").get(s).getAsDouble(), loss, 1e-5, "loss of step " + s);
                }
            }
            close(head.linear().weight().array(), f.getAsJsonObject("weight"), "head.1.weight");
            close(head.linear().bias().array(), f.getAsJsonObject("bias"), "head.1.bias");
            close(head.stateDict().get("0.running_mean"), f.getAsJsonObject("running_mean"), "running_mean");
            close(head.stateDict().get("0.running_var"), f.getAsJsonObject("running_var"), "running_var");
        }
    }

    private static void close(NDArray actual, JsonObject expected, String what) {
        float[] a = actual.toFloatArray();
        JsonArray e = expected.getAsJsonArray("data");
        assertEquals(e.size(), a.length, what + " size");
        for (int i = 0; i < a.length; i++) {
            double want = e.get(i).getAsDouble();
            assertEquals(want, a[i], 2e-5 + 1e-5 * Math.abs(want), what + "[" + i + "]");
        }
    }

    private static NDArray array(NDManager m, JsonObject entry) {
        JsonArray shape = entry.getAsJsonArray("shape");
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.get(i).getAsLong();
        }
        JsonArray data = entry.getAsJsonArray("data");
        float[] v = new float[data.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = data.get(i).getAsFloat();
        }
        return m.create(v, new Shape(dims));
    }

    private static long[] longs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    private static JsonObject load() throws IOException {
        String path = "/fixtures/train_cls/probe_steps.json";
        try (InputStream in = ProbeStepParityTest.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }
}
