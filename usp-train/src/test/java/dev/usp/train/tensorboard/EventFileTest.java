package dev.usp.train.tensorboard;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.usp.train.loop.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The scenario of {@code src/test/resources/tensorboard/make_fixture.py}, written through
 * {@link MetricsLog}: MAE pretraining tags, a checkpoint at step 4, a line at step 6 logged by a
 * run that then died, and a resume from step 4. The fixtures were written by TensorBoard's own
 * writer and read back by its EventAccumulator.
 */
class EventFileTest {

    private static final TensorBoardTags TAGS = TensorBoardTags.epoch1000x(4, 2).rename("loss", "train_loss")
            .perEpoch("test_acc1", "perf/test_acc1", 4);
    private static final String FIRST = "events.out.tfevents.1700000000.fixture";
    private static final String SECOND = "events.out.tfevents.1700000100.fixture";

    @TempDir
    Path dir;

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(EventFileTest.class.getResource("/tensorboard/" + name).toURI());
    }

    private static Map<String, Double> train(double loss, double lr) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", loss);
        m.put("lr", lr);
        return m;
    }

    /** Writes the scenario into {@link #dir} as the trainers would, with the fixture's host and wall times. */
    private void writeScenario() throws IOException, URISyntaxException {
        Path metrics = dir.resolve("metrics.jsonl");
        Path png = fixture("grid.png");
        try (MetricsLog log = MetricsLog.open(metrics, 0, TAGS, EventFile.create(dir, "fixture", () -> 1700000000.5))) {
            log.log(2, 0, train(0.75, 1e-4));
            log.log(4, 0, train(0.5, 2e-4));
            log.log(4, 1, Map.of("test_acc1", 12.5));
            log.image("samples", 4, png);
            log.log(6, 1, train(0.25, 3e-4));
        }
        try (MetricsLog log = MetricsLog.open(metrics, 4, TAGS, EventFile.create(dir, "fixture", () -> 1700000100.5))) {
            log.log(6, 1, train(0.375, 3e-4));
            log.log(8, 1, train(0.125, 4e-4));
            log.log(8, 2, Map.of("test_acc1", 25.0));
        }
    }

    @Test
    void bytesEqualThoseOfTensorBoardsOwnWriter() throws IOException, URISyntaxException {
        writeScenario();
        assertEquals(List.of(dir.resolve(FIRST), dir.resolve(SECOND)), EventReader.files(dir));
        for (String name : List.of(FIRST, SECOND)) {
            assertArrayEquals(Files.readAllBytes(fixture("run/" + name)), Files.readAllBytes(dir.resolve(name)), name);
        }
        List<Double> steps = MetricsLog.read(dir.resolve("metrics.jsonl")).stream().map(r -> r.get("step")).toList();
        assertEquals(List.of(2.0, 4.0, 4.0, 6.0, 8.0, 8.0), steps, "metrics.jsonl dropped the dead run's step 6 too");
    }

    @Test
    void independentReaderSeesEveryRecordWithTagStepAndValue() throws IOException, URISyntaxException {
        writeScenario();
        List<EventReader.Event> first = EventReader.read(dir.resolve(FIRST));
        assertEquals("brain.Event:2", first.get(0).fileVersion());
        assertEquals(1700000000.5, first.get(0).wallTime());
        assertEquals(List.of("scalar(train_loss, step 375, 0.75)", "scalar(lr, step 375, 1.0E-4)",
                "scalar(train_loss, step 875, 0.5)", "scalar(lr, step 875, 2.0E-4)",
                "scalar(perf/test_acc1, step 0, 12.5)", "image(samples, step 875, 3x2)",
                "scalar(train_loss, step 1375, 0.25)", "scalar(lr, step 1375, 3.0E-4)"),
                first.subList(1, first.size()).stream().map(EventReader.Event::toString).toList());
        EventReader.Event image = first.get(6);
        assertEquals(3, image.channels());
        assertArrayEquals(Files.readAllBytes(fixture("grid.png")), image.png());
        List<EventReader.Event> second = EventReader.read(dir.resolve(SECOND));
        assertEquals(List.of("version", "start"), second.subList(0, 2).stream().map(EventReader.Event::kind).toList());
        assertEquals(1125, second.get(1).step(), "epoch_1000x of step 5, the first the resumed run can log");
        assertEquals(List.of("scalar(train_loss, step 1375, 0.375)", "scalar(lr, step 1375, 3.0E-4)",
                "scalar(train_loss, step 1875, 0.125)", "scalar(lr, step 1875, 4.0E-4)",
                "scalar(perf/test_acc1, step 1, 25.0)"),
                second.subList(2, second.size()).stream().map(EventReader.Event::toString).toList());
        for (EventReader.Event e : second) {
            assertEquals(1700000100.5, e.wallTime());
        }
    }

    @Test
    void tensorBoardsReaderKeepsWhatTheRunKept() throws IOException, URISyntaxException {
        writeScenario();
        // what the events say once a session start drops the earlier events at its step or later
        Map<String, List<String>> expected = new TreeMap<>();
        List<EventReader.Event> kept = new ArrayList<>();
        for (EventReader.Event e : EventReader.readDir(dir)) {
            if (e.kind().equals("start")) {
                kept.removeIf(k -> k.step() >= e.step());
            } else if (!e.kind().equals("version")) {
                kept.add(e);
            }
        }
        for (EventReader.Event e : kept) {
            expected.computeIfAbsent(e.kind() + " " + e.tag(), k -> new ArrayList<>()).add(e.kind().equals("scalar")
                    ? e.step() + " " + e.value() + " " + e.wallTime()
                    : e.step() + " " + e.width() + "x" + e.height() + " " + HexFormat.of().formatHex(e.png()));
        }
        JsonObject acc = new Gson().fromJson(Files.readString(fixture("accumulator.json"), StandardCharsets.UTF_8),
                JsonObject.class);
        Map<String, List<String>> actual = new TreeMap<>();
        for (Map.Entry<String, JsonElement> t : acc.getAsJsonObject("scalars").entrySet()) {
            for (JsonElement row : t.getValue().getAsJsonArray()) {
                JsonArray r = row.getAsJsonArray();
                actual.computeIfAbsent("scalar " + t.getKey(), k -> new ArrayList<>())
                        .add(r.get(0).getAsLong() + " " + r.get(1).getAsFloat() + " " + r.get(2).getAsDouble());
            }
        }
        for (Map.Entry<String, JsonElement> t : acc.getAsJsonObject("images").entrySet()) {
            for (JsonElement row : t.getValue().getAsJsonArray()) {
                JsonArray r = row.getAsJsonArray();
                actual.computeIfAbsent("image " + t.getKey(), k -> new ArrayList<>()).add(r.get(0).getAsLong() + " "
                        + r.get(1).getAsInt() + "x" + r.get(2).getAsInt() + " " + r.get(3).getAsString());
            }
        }
        assertEquals(expected, actual);
        assertEquals(List.of("375 0.75 1.7000000005E9", "875 0.5 1.7000000005E9", "1375 0.375 1.7000001005E9",
                "1875 0.125 1.7000001005E9"), actual.get("scalar train_loss"), "the dead run's 0.25 at 1375 is gone");
    }

    @Test
    void aRestartFromStepZeroDropsEverythingTheDeadRunLogged() throws IOException {
        Path metrics = dir.resolve("metrics.jsonl");
        TensorBoardTags steps = TensorBoardTags.steps();
        try (MetricsLog log = MetricsLog.open(metrics, 0, steps, EventFile.create(dir, "h", () -> 10.0))) {
            log.log(1, 0, Map.of("loss", 2.0));
        }
        try (MetricsLog log = MetricsLog.open(metrics, 0, steps, EventFile.create(dir, "h", () -> 20.0))) {
            log.log(1, 0, Map.of("loss", 1.0));
        }
        List<EventReader.Event> first = EventReader.read(dir.resolve("events.out.tfevents.0000000010.h"));
        assertEquals(List.of("version", "scalar"), first.stream().map(EventReader.Event::kind).toList(),
                "a new run's file starts with no session start");
        List<EventReader.Event> second = EventReader.read(dir.resolve("events.out.tfevents.0000000020.h"));
        assertEquals(List.of("version", "start", "scalar"), second.stream().map(EventReader.Event::kind).toList());
        assertEquals(1, second.get(1).step(), "the start purges from the first step the new run logs");
    }

    @Test
    void epoch1000xFollowsMaeForOneMicroBatchPerStep() {
        TensorBoardTags t = TensorBoardTags.epoch1000x(3, 1);
        // int((data_iter_step / 3 + epoch) * 1000) for data_iter_step, epoch = (0,0) (1,0) (2,0) (0,1)
        assertEquals(List.of(0L, 333L, 666L, 1000L), List.of(t.x("loss", 1), t.x("loss", 2), t.x("loss", 3),
                t.x("loss", 4)));
        assertEquals("loss", t.tag("loss"));
        assertEquals(7L, TensorBoardTags.steps().x("anything", 7));
    }

    @Test
    void aFileThatIsNotPngIsRefused() throws IOException {
        try (EventFile f = EventFile.create(dir, "h", () -> 1.0)) {
            assertThrows(IllegalArgumentException.class, () -> f.image("x", 1, new byte[40]));
            assertEquals(dir.resolve("events.out.tfevents.0000000001.h"), f.file());
        }
        try (EventFile f = EventFile.create(dir, "h", () -> 1.0)) {
            assertEquals(dir.resolve("events.out.tfevents.0000000001.h.1"), f.file(), "a taken name gets a suffix");
        }
    }

    @Test
    void aCorruptedByteFailsTheCrc() throws IOException {
        Path file;
        try (EventFile f = EventFile.create(dir, "h", () -> 2.0)) {
            f.scalar("loss", 1, 0.5f);
            file = f.file();
        }
        byte[] b = Files.readAllBytes(file);
        b[b.length - 6] ^= 1;
        Files.write(file, b);
        AssertionError e = assertThrows(AssertionError.class, () -> EventReader.read(file));
        assertEquals("bad data CRC in " + file, e.getMessage());
    }
}
