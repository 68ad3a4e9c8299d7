package dev.usp.core.weights;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an unpickled object graph into the tree {@link TorchCheckpoint} hands out (tuples become
 * lists), and refuses graphs no checkpoint has: nesting deeper than {@link ReadLimits#PICKLE_DEPTH},
 * a container that contains itself, and shared parts that would expand into more than
 * {@link ReadLimits#treeNodes()} values when walked as a tree. After this, every recursive walk
 * of the tree is bounded in depth and in length.
 */
final class PickleTree {

    private final Map<Object, Object> done = new IdentityHashMap<>();
    private final Map<Object, Long> sizes = new IdentityHashMap<>();
    private final Map<Object, Boolean> open = new IdentityHashMap<>();
    private final long maxNodes = ReadLimits.treeNodes();

    private PickleTree() {
    }

    /**
     * The normalised tree of {@code root}.
     *
     * @throws IllegalArgumentException naming the limit that the graph breaks
     */
    static Object normalize(Object root) {
        return new PickleTree().visit(root, 0);
    }

    @SuppressWarnings("unchecked")
    private Object visit(Object node, int depth) {
        if (node == null || !(node instanceof Object[] || node instanceof Map || node instanceof List
                || node instanceof PyObject)) {
            return node;
        }
        if (open.containsKey(node)) {
            throw new IllegalArgumentException("the pickle has a container that contains itself, which no "
                    + "checkpoint has");
        }
        if (done.containsKey(node)) {
            return done.get(node);
        }
        if (depth >= ReadLimits.PICKLE_DEPTH) {
            throw new IllegalArgumentException("the pickle nests containers deeper than " + ReadLimits.PICKLE_DEPTH
                    + " levels (ReadLimits.PICKLE_DEPTH; real checkpoints nest fewer than 10)");
        }
        open.put(node, Boolean.TRUE);
        long[] size = {1};
        Object out;
        if (node instanceof Object[] tuple) {
            List<Object> list = new ArrayList<>(tuple.length);
            for (Object item : tuple) {
                list.add(child(item, depth, size));
            }
            out = Collections.unmodifiableList(list);
        } else if (node instanceof Map<?, ?> map) {
            ((Map<Object, Object>) map).replaceAll((k, v) -> child(v, depth, size));
            out = map;
        } else if (node instanceof List<?> list) {
            ((List<Object>) list).replaceAll(v -> child(v, depth, size));
            out = list;
        } else {
            out = ((PyObject) node).map(v -> child(v, depth, size));
        }
        open.remove(node);
        done.put(node, out);
        sizes.put(node, size[0]);
        return out;
    }

    private Object child(Object item, int depth, long[] size) {
        Object out = visit(item, depth + 1);
        Long itemSize = item == null ? null : sizes.get(item);
        size[0] += itemSize == null ? 1 : itemSize;
        if (size[0] > maxNodes) {
            throw new IllegalArgumentException("the pickle's object tree expands to more than " + maxNodes
                    + " values (shared parts counted each time they are reached); " + ReadLimits.raise("treeNodes"));
        }
        return out;
    }
}
