package dev.usp.core.config;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Says where the values of a record came from, for the message of a record constructor's own
 * check: the keys the message names with their sources, else every key not left at its default.
 */
final class Origins {

    private static final String DEFAULTS = "the defaults";

    private Origins() {
    }

    /**
     * A suffix for {@code message}, e.g. {@code " (model from --set model=SiT-S/2; objective from the defaults)"},
     * or "" when every value is a default.
     *
     * @param origins full dotted key to source ("file ...", "--set ...") of every value not left at its default
     */
    static String note(Class<?> type, String prefix, String message, Map<String, String> origins) {
        List<String> named = new ArrayList<>();
        Map<String, List<String>> bySource = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            String snake = Names.snake(c.getName());
            String key = Names.join(prefix, snake);
            String source = origins.get(key);
            if (mentions(message, snake) || mentions(message, c.getName())) {
                named.add(key + " from " + (source == null ? DEFAULTS : source));
            }
            if (source != null) {
                bySource.computeIfAbsent(source, s -> new ArrayList<>()).add(key);
            }
        }
        if (!named.isEmpty()) {
            return " (" + String.join("; ", named) + ")";
        }
        if (bySource.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        bySource.forEach((source, keys) -> parts.add(String.join(", ", keys) + " from " + source));
        return " (" + String.join("; ", parts) + "; the rest from " + DEFAULTS + ")";
    }

    private static boolean mentions(String message, String word) {
        return Pattern.compile("(?<![\\w.])" + Pattern.quote(word) + "(?![\\w])").matcher(message).find();
    }
}
