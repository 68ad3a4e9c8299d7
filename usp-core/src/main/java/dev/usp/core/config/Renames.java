package dev.usp.core.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads deprecated keys as their new names: a config record may declare
 * {@code public static Map<String, String> renamedKeys()}, old dotted key to new dotted key, and
 * each old key found in a YAML file or a {@code --set} is moved to its new place with a warning
 * naming both keys and the source. Giving both the old and the new key is an error.
 */
final class Renames {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

    private Renames() {
    }

    /** The type's {@code renamedKeys()}, or none. */
    static Map<String, String> of(Class<?> type) {
        Method m;
        try {
            m = type.getMethod("renamedKeys");
        } catch (NoSuchMethodException e) {
            return Map.of();
        }
        if (!Modifier.isStatic(m.getModifiers()) || !Map.class.isAssignableFrom(m.getReturnType())) {
            throw new ConfigException(type.getName() + ".renamedKeys() must be static and return a Map");
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, String> renames = (Map<String, String>) m.invoke(null);
            return renames;
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new ConfigException("cannot call " + type.getName() + ".renamedKeys(): " + e.getCause(), e);
        }
    }

    /**
     * The raw tree with every old key moved to its new key (the input is left alone).
     *
     * @param source "file ..." or "--set ...", for the warning
     */
    static Object apply(Map<String, String> renames, Object raw, String source) {
        if (renames.isEmpty() || !(raw instanceof Map<?, ?> map)) {
            return raw;
        }
        Map<String, Object> root = copy(map);
        for (Map.Entry<String, String> r : renames.entrySet()) {
            String[] from = r.getKey().split("\\.");
            Map<String, Object> parent = parent(root, from, false);
            if (parent == null || !parent.containsKey(from[from.length - 1])) {
                continue;
            }
            Object value = parent.remove(from[from.length - 1]);
            String[] to = r.getValue().split("\\.");
            Map<String, Object> target = parent(root, to, true);
            if (target == null) {
                throw new ConfigException("cannot read the deprecated key " + r.getKey() + " in " + source + " as "
                        + r.getValue() + ": a part of " + r.getValue() + " is not a mapping there");
            }
            if (target.containsKey(to[to.length - 1])) {
                throw new ConfigException("both the deprecated key " + r.getKey() + " and its new name " + r.getValue()
                        + " are given in " + source + "; keep only " + r.getValue());
            }
            target.put(to[to.length - 1], value);
            LOG.warn("{}: config key '{}' is deprecated, use '{}' (read as it for one more release)", source,
                    r.getKey(), r.getValue());
        }
        return root;
    }

    /**
     * The mapping that holds the last part of {@code path}; created when asked; null when absent or
     * not a mapping. Each mapping on the way is replaced by a copy first, so that the caller's tree
     * (and any YAML alias that shares a mapping) is left alone; only the path is copied, which
     * keeps a self-referencing alias finite.
     */
    private static Map<String, Object> parent(Map<String, Object> root, String[] path, boolean create) {
        Map<String, Object> level = root;
        for (int i = 0; i < path.length - 1; i++) {
            Object next = level.get(path[i]);
            if (next == null && create) {           // absent, or an empty block ("run:" with nothing under it)
                next = new LinkedHashMap<String, Object>();
            }
            if (!(next instanceof Map<?, ?> m)) {
                return null;
            }
            Map<String, Object> copy = copy(m);
            level.put(path[i], copy);
            level = copy;
        }
        return level;
    }

    /** A shallow copy with text keys. */
    private static Map<String, Object> copy(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            out.put(String.valueOf(e.getKey()), e.getValue());
        }
        return out;
    }
}
