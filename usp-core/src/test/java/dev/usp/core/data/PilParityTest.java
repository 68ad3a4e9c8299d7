package dev.usp.core.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Resampling and crops against PIL 9.4 (fixture written by scripts/fixtures/core_transforms.py). */
class PilParityTest {

    private static JsonObject fixture;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = PilParityTest.class.getResourceAsStream("/data/transforms.json")) {
            fixture = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    private static Image image(JsonElement e) {
        JsonObject o = e.getAsJsonObject();
        return new Image(o.get("width").getAsInt(), o.get("height").getAsInt(), o.get("channels").getAsInt(),
                Base64.getDecoder().decode(o.get("data").getAsString()));
    }

    private static Image input(JsonObject testCase) {
        return image(fixture.getAsJsonObject("inputs").get(testCase.get("input").getAsString()));
    }

    private static void assertSameImage(Image expected, Image actual, String what) {
        assertEquals(expected.width() + "x" + expected.height() + "x" + expected.channels(),
                actual.width() + "x" + actual.height() + "x" + actual.channels(), what);
        assertArrayEquals(expected.pixels(), actual.pixels(), what);
    }

    @Test
    void resizeMatchesPilExactly() {
        int n = 0;
        for (JsonElement e : fixture.getAsJsonArray("resizes")) {
            JsonObject c = e.getAsJsonObject();
            Resample.Filter filter = Resample.Filter.valueOf(c.get("filter").getAsString());
            Image out = Resample.resize(input(c), c.get("width").getAsInt(), c.get("height").getAsInt(), filter);
            assertSameImage(image(c.get("output")), out, c.get("input").getAsString() + " -> "
                    + c.get("width") + "x" + c.get("height") + " " + filter);
            n++;
        }
        assertEquals(12, n);
    }

    @Test
    void resizedCropMatchesPil() {
        JsonObject c = fixture.getAsJsonObject("resized_crop");
        Image crop = input(c).crop(c.get("left").getAsInt(), c.get("top").getAsInt(),
                c.get("width").getAsInt(), c.get("height").getAsInt());
        int size = c.get("size").getAsInt();
        assertSameImage(image(c.get("output")), Resample.resize(crop, size, size, Resample.Filter.BICUBIC), "crop");
    }

    @Test
    void admCenterCropMatchesGuidedDiffusion() {
        for (JsonElement e : fixture.getAsJsonArray("adm_center_crops")) {
            JsonObject c = e.getAsJsonObject();
            int size = c.get("size").getAsInt();
            assertSameImage(image(c.get("output")), new AdmCenterCrop(size).apply(input(c), null), "adm crop " + size);
        }
    }

    @Test
    void rgbToGreyMatchesPilConvert() {
        Image rgb = image(fixture.getAsJsonObject("inputs").get("rgb"));
        assertSameImage(image(fixture.get("rgb_to_grey")), new ToChannels(1).apply(rgb, null), "convert L");
    }
}
