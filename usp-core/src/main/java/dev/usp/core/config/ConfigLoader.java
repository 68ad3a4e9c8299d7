package dev.usp.core.config;

import dev.usp.core.io.AtomicFiles;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Loads a config record: its {@code defaults()}, then a YAML file, then {@code --set} overrides,
 * each merged key by key over the previous ones; only the merged result is built (so the record's
 * own cross-checks see the final values) and checked against {@link Range} and {@link OneOf}.
 * See the package documentation for the rules.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /**
     * Resolves a config.
     *
     * @param type      a record with a {@code public static R defaults()} method
     * @param yaml      a YAML file whose keys are a subset of the record's (snake_case), or null
     * @param overrides {@code dotted.key=value} strings, applied in order (later ones win); may be null
     * @throws ConfigException naming the key, value, source and what is allowed
     */
    public static <R extends Record> R load(Class<R> type, Path yaml, List<String> overrides) {
        try {
            return merge(type, yaml, overrides);
        } catch (ConfigException e) {
            if (yaml == null || String.valueOf(e.getMessage()).contains(yaml.toString())) {
                throw e;
            }
            throw new ConfigException(yaml + ": " + e.getMessage(), e);
        }
    }

    /**
     * Builds a config record from values read back from somewhere else than a file, e.g. the
     * run config a checkpoint records: its {@code defaults()}, then {@code values} (snake_case
     * keys, nested maps for nested records), checked as {@link #load} checks a file.
     *
     * @param source names where the values come from in messages (e.g. {@code "the checkpoint x.pt"})
     * @throws ConfigException naming the key, value, source and what is allowed
     */
    public static <R extends Record> R fromMap(Class<R> type, Map<String, ?> values, String source) {
        Map<String, String> origins = new HashMap<>();
        Map<String, Object> tree = tree(defaults(type));
        overlay(type, tree, asText(values), "", source, origins);
        return finish(type, tree, origins);
    }

    /** Scalars as the text a YAML file would hold them as (the loader parses text itself), nesting kept. */
    private static Object asText(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), asText(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ConfigLoader::asText).collect(Collectors.toList());
        }
        return value == null ? null : String.valueOf(value);
    }

    private static <R extends Record> R merge(Class<R> type, Path yaml, List<String> overrides) {
        Map<String, String> origins = new HashMap<>();
        Map<String, Object> values = tree(defaults(type));
        Map<String, String> renames = Renames.of(type);
        if (yaml != null) {
            String source = "file " + yaml;
            overlay(type, values, Renames.apply(renames, readYaml(yaml), source), "", source, origins);
        }
        for (String override : overrides == null ? List.<String>of() : overrides) {
            String source = "--set " + override;
            overlay(type, values, Renames.apply(renames, nest(override), source), "", source, origins);
        }
        return finish(type, values, origins);
    }

    /** Builds the merged values (so the record's own cross-checks see the final ones) and checks them. */
    private static <R extends Record> R finish(Class<R> type, Map<String, Object> values, Map<String, String> origins) {
        R config = type.cast(build(type, values, "", origins));
        validate(config, "", origins);
        return config;
    }

    /** The record's defaults, from its {@code public static R defaults()} method. */
    public static <R extends Record> R defaults(Class<R> type) {
        Method m;
        try {
            m = type.getMethod("defaults");
        } catch (NoSuchMethodException e) {
            throw new ConfigException("config record " + type.getName() + " needs a public static "
                    + type.getSimpleName() + " defaults() method");
        }
        if (!Modifier.isStatic(m.getModifiers()) || m.getReturnType() != type) {
            throw new ConfigException(type.getName() + ".defaults() must be static and return " + type.getSimpleName());
        }
        try {
            m.setAccessible(true);
            return type.cast(m.invoke(null));
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new ConfigException("cannot call " + type.getName() + ".defaults(): " + e.getCause(), e);
        }
    }

    /** The record as YAML with snake_case keys, loadable again by {@link #load}. */
    public static String toYaml(Record config) {
        DumperOptions opts = new DumperOptions();
        opts.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        opts.setIndent(2);
        return new Yaml(new Representer(opts), opts).dump(toMap(config));
    }

    /** Writes {@link #toYaml} to a file atomically (e.g. {@code config.yaml} in a run folder). */
    public static void save(Path file, Record config) throws IOException {
        AtomicFiles.writeString(file, toYaml(config));
    }

    /** The record as nested maps with snake_case keys and plain values (enums as lower-case names). */
    public static Map<String, Object> toMap(Record config) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : config.getClass().getRecordComponents()) {
            out.put(Names.snake(c.getName()), plain(read(c, config)));
        }
        return out;
    }

    private static Object plain(Object v) {
        if (v instanceof Record r) {
            return toMap(r);
        }
        if (v instanceof Enum<?> e) {
            return Names.enumKey(e);
        }
        if (v instanceof Path p) {
            return p.toString();
        }
        if (v instanceof List<?> l) {
            return l.stream().map(ConfigLoader::plain).collect(Collectors.toList());
        }
        return v;
    }

    // ---- merging ---------------------------------------------------------------------------

    /** The record as a mutable tree: snake_case key to value, nested records as nested trees. */
    private static Map<String, Object> tree(Object record) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            Object v = read(c, record);
            out.put(Names.snake(c.getName()), c.getType().isRecord() && v != null ? tree(v) : v);
        }
        return out;
    }

    /**
     * Merges the raw values of one source (a YAML mapping or a nested {@code --set}) into
     * {@code values}, converting each to its component's type; returns the tree.
     */
    private static Map<String, Object> overlay(Class<?> type, Map<String, Object> values, Object raw, String prefix,
                                               String source, Map<String, String> origins) {
        if (raw == null) {
            return values;
        }
        if (!(raw instanceof Map<?, ?> map)) {
            throw new ConfigException("bad value for " + (prefix.isEmpty() ? "the root" : prefix) + " in " + source
                    + ": expected a mapping with keys " + allowedKeys(type));
        }
        Map<String, RecordComponent> bySnake = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            bySnake.put(Names.snake(c.getName()), c);
        }
        for (Object k : map.keySet()) {
            if (!bySnake.containsKey(String.valueOf(k))) {
                throw new ConfigException("unknown config key " + Names.join(prefix, String.valueOf(k)) + " in " + source
                        + "; allowed keys" + (prefix.isEmpty() ? "" : " under " + prefix) + ": " + allowedKeys(type));
            }
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String snake = String.valueOf(e.getKey());
            RecordComponent c = bySnake.get(snake);
            String key = Names.join(prefix, snake);
            Object value = e.getValue();
            if (c.getType().isRecord()) {
                if (value instanceof String text) {
                    value = parseYaml(text, source);
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> current = (Map<String, Object>) values.get(snake);
                if (current == null && value != null) {
                    current = new LinkedHashMap<>();
                    origins.put(key, source);
                }
                values.put(snake, overlay(c.getType(), current, value, key, source, origins));
            } else {
                values.put(snake, Values.convert(c.getGenericType(), value, key, source));
                origins.put(key, source);
            }
        }
        return values;
    }

    /** Builds the record of {@code type} from a merged tree, nested records first. */
    private static Object build(Class<?> type, Map<String, Object> values, String prefix, Map<String, String> origins) {
        RecordComponent[] comps = type.getRecordComponents();
        Object[] args = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            RecordComponent c = comps[i];
            String snake = Names.snake(c.getName());
            String key = Names.join(prefix, snake);
            types[i] = c.getType();
            if (!values.containsKey(snake)) {
                throw new ConfigException("config key " + key + " has no default; set it in "
                        + origins.getOrDefault(prefix, "the YAML file or with --set"));
            }
            Object v = values.get(snake);
            if (c.getType().isRecord() && v != null) {
                @SuppressWarnings("unchecked")
                Map<String, Object> nested = (Map<String, Object>) v;
                v = build(c.getType(), nested, key, origins);
            }
            args[i] = v;
        }
        return construct(type, types, args, prefix, origins);
    }

    private static Object construct(Class<?> type, Class<?>[] types, Object[] args, String prefix,
                                    Map<String, String> origins) {
        try {
            Constructor<?> ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            String where = prefix.isEmpty() ? "" : " (key " + prefix + ")";
            throw new ConfigException("invalid " + type.getSimpleName() + where + ": " + cause.getMessage()
                    + Origins.note(type, prefix, String.valueOf(cause.getMessage()), origins), cause);
        } catch (ReflectiveOperationException e) {
            throw new ConfigException("cannot construct config record " + type.getName() + ": " + e, e);
        }
    }

    private static Object read(RecordComponent c, Object record) {
        try {
            Method m = c.getAccessor();
            m.setAccessible(true);
            return m.invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new ConfigException("cannot read " + c.getName() + " of " + record.getClass().getName(), e);
        }
    }

    private static String allowedKeys(Class<?> type) {
        List<String> keys = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            keys.add(Names.snake(c.getName()));
        }
        return String.join(", ", keys);
    }

    /** {@code a.b.c=v} -> {@code {a: {b: {c: "v"}}}}; the value stays text until its type is known. */
    private static Map<String, Object> nest(String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("bad --set '" + override + "': expected dotted.key=value, e.g. train.lr=1e-4");
        }
        String[] parts = override.substring(0, eq).trim().split("\\.", -1);
        String raw = override.substring(eq + 1);
        Object value = raw.equals("null") || raw.equals("~") ? null : raw;
        for (int i = parts.length - 1; i >= 0; i--) {
            if (parts[i].isBlank()) {
                throw new ConfigException("bad --set '" + override + "': empty key segment");
            }
            Map<String, Object> level = new LinkedHashMap<>();
            level.put(parts[i].trim(), value);
            value = level;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) value;
        return root;
    }

    // ---- validation ------------------------------------------------------------------------

    private static void validate(Object record, String prefix, Map<String, String> origins) {
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            String key = Names.join(prefix, Names.snake(c.getName()));
            Object value = read(c, record);
            if (value instanceof Record) {
                validate(value, key, origins);
                continue;
            }
            String source = origins.getOrDefault(key, "the defaults of " + record.getClass().getSimpleName());
            Range range = c.getAnnotation(Range.class);
            OneOf oneOf = c.getAnnotation(OneOf.class);
            List<?> items = value instanceof List<?> l ? l : Collections.singletonList(value);
            for (Object item : items) {
                if (range != null) {
                    checkRange(range, item, key, source);
                }
                if (oneOf != null && item != null && !List.of(oneOf.value()).contains(item.toString())) {
                    throw new ConfigException("bad value for " + key + " in " + source + ": '" + item
                            + "'; allowed: " + String.join(", ", oneOf.value()));
                }
            }
        }
    }

    private static void checkRange(Range range, Object item, String key, String source) {
        if (!(item instanceof Number n)) {
            throw new ConfigException("@Range on " + key + " needs a numeric type, got " + item);
        }
        double v = n.doubleValue();
        if (!Double.isFinite(v)) {
            throw new ConfigException("bad value for " + key + " in " + source + ": " + item + "; expected "
                    + finiteWithin(range, key));
        }
        if (!(v >= range.min() && v <= range.max())) {
            throw new ConfigException("value out of range for " + key + " in " + source + ": " + item
                    + "; allowed: " + bound(range.min()) + " <= " + key + " <= " + bound(range.max()));
        }
    }

    /** "a finite number", with the range's finite bounds. */
    private static String finiteWithin(Range range, String key) {
        boolean lo = Double.isFinite(range.min());
        boolean hi = Double.isFinite(range.max());
        if (lo && hi) {
            return "a finite number with " + bound(range.min()) + " <= " + key + " <= " + bound(range.max());
        }
        return "a finite number" + (lo ? " >= " + bound(range.min()) : hi ? " <= " + bound(range.max()) : "");
    }

    private static String bound(double b) {
        return b == Math.rint(b) && !Double.isInfinite(b) ? Long.toString((long) b) : Double.toString(b);
    }

    // ---- YAML ------------------------------------------------------------------------------

    private static Object readYaml(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file not found: " + file);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        return parseYaml(text, "file " + file);
    }

    /**
     * Parses YAML keeping every scalar as text (only {@code null}, {@code ~} and empty values
     * become null): the record component's type decides how a value is read, not YAML 1.1's
     * guessing ({@code no} is not a boolean, {@code 1e-4} is a number when the field is a double).
     */
    static Object parseYaml(String text, String source) {
        LoaderOptions opts = new LoaderOptions();
        opts.setAllowDuplicateKeys(false);
        DumperOptions dump = new DumperOptions();
        Yaml yaml = new Yaml(new SafeConstructor(opts), new Representer(dump), dump, opts, new TextResolver());
        try {
            return yaml.load(text);
        } catch (YAMLException | IllegalArgumentException | ClassCastException e) {
            // snakeyaml's own constructors throw plain runtime exceptions too (e.g. a !!binary that is not base64)
            throw new ConfigException("cannot parse YAML in " + source + ": " + e.getMessage(), e);
        }
    }

    /** A resolver that recognises only null; every other plain scalar is a string. */
    private static final class TextResolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.NULL, NULL, "~nN\0", 10);
            addImplicitResolver(Tag.NULL, EMPTY, null, 10);
        }
    }
}
