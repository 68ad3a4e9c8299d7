package dev.usp.core.config;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Converts the raw values of a YAML file or a {@code --set} (strings, lists, maps; the loader
 * resolves no scalar types itself) into the Java type of a record component.
 */
final class Values {

    private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?");

    private Values() {
    }

    /** True for the types held as a single scalar (everything but lists and records). */
    static boolean isScalar(Type type) {
        return !(type instanceof ParameterizedType) && !(type instanceof Class<?> c && c.isRecord());
    }

    /**
     * Converts a scalar or list value.
     *
     * @param key    full dotted key, for messages
     * @param source where the value came from, for messages
     */
    static Object convert(Type type, Object raw, String key, String source) {
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            return convertList(p.getActualTypeArguments()[0], raw, key, source);
        }
        if (!(type instanceof Class<?> cls)) {
            throw new ConfigException("config key " + key + " has unsupported type " + type);
        }
        if (cls.isRecord()) {
            throw new IllegalStateException("records are merged by ConfigLoader, not converted: " + key);
        }
        if (raw == null) {
            if (cls == String.class || cls == Path.class) {
                return null;
            }
            throw bad(key, source, null, "a value (null is allowed only for strings and paths)");
        }
        if (!(raw instanceof String s)) {
            throw bad(key, source, raw, describe(cls));
        }
        return parseScalar(cls, s.trim(), key, source);
    }

    private static Object parseScalar(Class<?> cls, String s, String key, String source) {
        if (cls == String.class) {
            return s;
        }
        if (cls == Path.class) {
            return Path.of(s);
        }
        if (cls == int.class || cls == Integer.class || cls == long.class || cls == Long.class) {
            if (!INTEGER.matcher(s).matches()) {
                throw bad(key, source, s, describe(cls));
            }
            try {
                return cls == int.class || cls == Integer.class ? (Object) Integer.parseInt(s) : (Object) Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw bad(key, source, s, describe(cls) + " (too large)");
            }
        }
        if (cls == double.class || cls == Double.class || cls == float.class || cls == Float.class) {
            double d = parseDouble(s, key, source, cls);
            return cls == float.class || cls == Float.class ? (Object) (float) d : (Object) d;
        }
        if (cls == boolean.class || cls == Boolean.class) {
            if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(s);
            }
            throw bad(key, source, s, describe(cls));
        }
        if (cls.isEnum()) {
            for (Object c : cls.getEnumConstants()) {
                if (((Enum<?>) c).name().equalsIgnoreCase(s.replace('-', '_'))) {
                    return c;
                }
            }
            throw bad(key, source, s, describe(cls));
        }
        throw new ConfigException("config key " + key + " has unsupported type " + cls.getName()
                + " (use int, long, float, double, boolean, String, Path, an enum, a List of those, or a record)");
    }

    private static double parseDouble(String s, String key, String source, Class<?> cls) {
        String lower = s.toLowerCase(Locale.ROOT);
        switch (lower) {
            case ".nan":
                return Double.NaN;
            case ".inf":
            case "+.inf":
                return Double.POSITIVE_INFINITY;
            case "-.inf":
                return Double.NEGATIVE_INFINITY;
            default:
                if (!DECIMAL.matcher(s).matches()) {
                    throw bad(key, source, s, describe(cls));
                }
                return Double.parseDouble(s);
        }
    }

    private static List<Object> convertList(Type element, Object raw, String key, String source) {
        List<?> items;
        if (raw instanceof List<?> l) {
            items = l;
        } else if (raw instanceof String s) {
            items = splitList(s, key, source);
        } else {
            throw bad(key, source, raw, "a list");
        }
        List<Object> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            out.add(convert(element, items.get(i), key + "[" + i + "]", source));
        }
        return List.copyOf(out);
    }

    /** A list written inline by {@code --set}: {@code [1, 2]} (YAML flow) or {@code 1,2}. */
    private static List<?> splitList(String s, String key, String source) {
        Object parsed = ConfigLoader.parseYaml(s, "the value of " + key + " in " + source);
        if (parsed instanceof List<?> l) {
            return l;
        }
        String t = s.trim();
        if (t.isEmpty()) {
            return List.of();
        }
        return Arrays.stream(t.split(",")).map(String::trim).collect(Collectors.toList());
    }

    /** What a type accepts, for error messages. */
    static String describe(Class<?> cls) {
        if (cls == int.class || cls == Integer.class) {
            return "an integer (int)";
        }
        if (cls == long.class || cls == Long.class) {
            return "an integer (long)";
        }
        if (cls == double.class || cls == Double.class || cls == float.class || cls == Float.class) {
            return "a number such as 0.5 or 1e-4";
        }
        if (cls == boolean.class || cls == Boolean.class) {
            return "true or false";
        }
        if (cls.isEnum()) {
            return "one of " + Arrays.stream(cls.getEnumConstants())
                    .map(c -> Names.enumKey((Enum<?>) c)).collect(Collectors.joining(", "));
        }
        return "a " + cls.getSimpleName();
    }

    private static ConfigException bad(String key, String source, Object value, String expected) {
        String shown = value == null ? "null" : value instanceof String ? "'" + value + "'" : value.toString();
        return new ConfigException("bad value for " + key + " in " + source + ": " + shown + "; expected " + expected);
    }
}
