package dev.usp.core.weights;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A pickled Python object of a class we do not model (e.g. {@code argparse.Namespace}): its
 * class name, constructor arguments, the state given to {@code __setstate__}, and any dict or
 * list items pickled into it. For the common case of an object whose state is its
 * {@code __dict__}, {@link #attributes()} gives the fields by name.
 */
public final class PyObject {

    private final String className;
    private final List<Object> args;
    private Object state;
    private final Map<Object, Object> items = new LinkedHashMap<>();
    private final List<Object> listItems = new ArrayList<>();

    PyObject(String className, List<Object> args) {
        this.className = className;
        this.args = args;
    }

    /** The fully qualified Python class (or function) name, e.g. {@code argparse.Namespace}. */
    public String className() {
        return className;
    }

    /** The arguments the class was called with (often empty). */
    public List<Object> args() {
        return Collections.unmodifiableList(args);
    }

    /** The object's pickled state (usually its {@code __dict__}), or null. */
    public Object state() {
        return state;
    }

    /**
     * The object's attributes: its state when that is a dict, the dict part of a
     * {@code (dict, slots)} state, or else an empty map.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> attributes() {
        Object dict = state;
        if (state instanceof List<?> pair && pair.size() == 2) {
            dict = pair.get(0);
        }
        return dict instanceof Map<?, ?> m ? Collections.unmodifiableMap((Map<String, Object>) m) : Map.of();
    }

    /**
     * Returns an attribute.
     *
     * @throws IllegalArgumentException naming the class and the attributes present
     */
    public Object get(String attribute) {
        Map<String, Object> attrs = attributes();
        if (!attrs.containsKey(attribute)) {
            throw new IllegalArgumentException(className + " has no attribute '" + attribute + "' (has "
                    + attrs.keySet() + ")");
        }
        return attrs.get(attribute);
    }

    /** Items stored into the object as into a dict (for dict subclasses). */
    public Map<Object, Object> items() {
        return Collections.unmodifiableMap(items);
    }

    /** Items appended to the object as to a list (for list subclasses). */
    public List<Object> listItems() {
        return Collections.unmodifiableList(listItems);
    }

    void setState(Object state) {
        this.state = state;
    }

    void putItem(Object key, Object value) {
        items.put(key, value);
    }

    void addItem(Object value) {
        listItems.add(value);
    }

    /** A copy whose arguments, state and items are passed through {@code f}. */
    PyObject map(UnaryOperator<Object> f) {
        List<Object> newArgs = new ArrayList<>();
        args.forEach(a -> newArgs.add(f.apply(a)));
        PyObject out = new PyObject(className, newArgs);
        out.state = f.apply(state);
        items.forEach((k, v) -> out.items.put(k, f.apply(v)));
        listItems.forEach(v -> out.listItems.add(f.apply(v)));
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(className).append('(');
        if (!args.isEmpty()) {
            sb.append(args);
        }
        if (state != null) {
            sb.append(args.isEmpty() ? "" : ", ").append(state);
        }
        return sb.append(')').toString();
    }
}
