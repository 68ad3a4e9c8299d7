package dev.usp.core.config;

import java.util.Locale;

/** Maps Java's camelCase record components to the snake_case keys of the YAML files. */
final class Names {

    private Names() {
    }

    /** {@code batchSize} -> {@code batch_size}. */
    static String snake(String camel) {
        StringBuilder b = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                b.append('_').append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The spelling of an enum constant in YAML: {@code HALF_CYCLE} -> {@code half_cycle}. */
    static String enumKey(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** {@code prefix.key}, or {@code key} at the root. */
    static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }
}
