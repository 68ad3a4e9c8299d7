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
 * each merged over the previous one; then checks {@link Range} and {@link OneOf}. See the package
 * documentation for the rules.
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
        Map<String, String> origins = new HashMap<>();
        R config = defaults(type);
        if (yaml != null) {
            config = type.cast(mergeRecord(type, config, readYaml(yaml), "", "file " + yaml, origins));
        }
        for (String override : overrides == null ? List.<String>of() : overrides) {
            config = type.cast(mergeRecord(type, config, nest(override), "", "--set " + override, origins));
        }
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

    private static Object mergeRecord(Class<?> type, Object base, Object raw, String prefix, String source,
                                      Map<String, String> origins) {
        if (raw == null) {
            return base;
        }
        if (!(raw instanceof Map<?, ?> map)) {
            throw new ConfigException("bad value for " + (prefix.isEmpty() ? "the root" : prefix) + " in " + source
                    + ": expected a mapping with keys " + allowedKeys(type));
        }
        RecordComponent[] comps = type.getRecordComponents();
        Map<String, RecordComponent> bySnake = new LinkedHashMap<>();
        for (RecordComponent c : comps) {
            bySnake.put(Names.snake(c.getName()), c);
        }
        for (Object k : map.keySet()) {
            if (!bySnake.containsKey(String.valueOf(k))) {
                throw new ConfigException("unknown config key " + Names.join(prefix, String.valueOf(k)) + " in " + source
                        + "; allowed keys" + (prefix.isEmpty() ? "" : " under " + prefix) + ": " + allowedKeys(type));
            }
        }
        Object[] args = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            RecordComponent c = comps[i];
            String snake = Names.snake(c.getName());
            String key = Names.join(prefix, snake);
            Object current = base == null ? null : read(c, base);
            types[i] = c.getType();
            if (!map.containsKey(snake)) {
                if (base == null) {
                    throw new ConfigException("config key " + key + " has no default; set it in " + source);
                }
                args[i] = current;
            } else if (c.getType().isRecord()) {
                Object value = map.get(snake);
                if (value instanceof String s) {
                    value = parseYaml(s, source);
                }
                args[i] = mergeRecord(c.getType(), current, value, key, source, origins);
            } else {
                args[i] = Values.convert(c.getGenericType(), map.get(snake), key, source);
                origins.put(key, source);
            }
        }
        return construct(type, types, args);
    }

    private static Object construct(Class<?> type, Class<?>[] types, Object[] args) {
        try {
            Constructor<?> ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new ConfigException("invalid " + type.getSimpleName() + ": " + cause.getMessage(), cause);
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
        if (!(v >= range.min() && v <= range.max())) {
            throw new ConfigException("value out of range for " + key + " in " + source + ": " + item
                    + "; allowed: " + bound(range.min()) + " <= " + key + " <= " + bound(range.max()));
        }
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
        } catch (YAMLException e) {
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
