package dev.usp.core.weights;

import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Unpickles the {@code data.pkl} of a torch.save archive into plain Java values without reading
 * tensor data: tensors become {@link TensorRef}s, dicts keep their order (LinkedHashMap, also for
 * {@code collections.OrderedDict}), and classes we do not model become {@link PyObject}s.
 *
 * <p>Globals are resolved per instance rather than through the library's static registry, so
 * nothing global changes. Tuples are left as {@code Object[]}; {@link TorchCheckpoint} turns
 * them into lists.
 */
final class TorchUnpickler extends Unpickler {

    private final Map<String, TorchStorage> storages = new HashMap<>();

    /** A Python global (class or function) we do not model: calling it yields a {@link PyObject}. */
    static final class PyGlobal implements IObjectConstructor {
        final String module;
        final String name;

        PyGlobal(String module, String name) {
            this.module = module;
            this.name = name;
        }

        @Override
        public Object construct(Object[] args) {
            return new PyObject(module + "." + name, new ArrayList<>(Arrays.asList(args)));
        }

        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case Opcodes.GLOBAL: {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(resolve(module, name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.STACK_GLOBAL: {
                String name = (String) stack.pop();
                String module = (String) stack.pop();
                stack.add(resolve(module, name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.EMPTY_DICT:
                stack.add(new LinkedHashMap<>());
                return NO_RETURN_VALUE;
            case Opcodes.DICT: {
                Map<Object, Object> dict = new LinkedHashMap<>();
                putPairs(dict, stack.pop_all_since_marker());
                stack.add(dict);
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEM: {
                Object value = stack.pop();
                Object k = stack.pop();
                putPairs(stack.peek(), Arrays.asList(k, value));
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEMS: {
                List<Object> items = stack.pop_all_since_marker();
                putPairs(stack.peek(), items);
                return NO_RETURN_VALUE;
            }
            case Opcodes.APPEND:
                append(Arrays.asList(stack.pop()));
                return NO_RETURN_VALUE;
            case Opcodes.APPENDS:
                append(stack.pop_all_since_marker());
                return NO_RETURN_VALUE;
            case Opcodes.BUILD:
                build(stack.pop(), stack.peek());
                return NO_RETURN_VALUE;
            default:
                return super.dispatch(key);
        }
    }

    @SuppressWarnings("unchecked")
    private static void putPairs(Object target, List<Object> items) {
        for (int i = 0; i + 1 < items.size(); i += 2) {
            if (target instanceof Map) {
                ((Map<Object, Object>) target).put(items.get(i), items.get(i + 1));
            } else if (target instanceof PyObject o) {
                o.putItem(items.get(i), items.get(i + 1));
            } else {
                throw new PickleException("cannot set items on a " + target.getClass().getSimpleName());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void append(List<Object> items) {
        Object target = stack.peek();
        if (target instanceof List) {
            ((List<Object>) target).addAll(items);
        } else if (target instanceof PyObject o) {
            items.forEach(o::addItem);
        } else {
            throw new PickleException("cannot append to a " + target.getClass().getSimpleName());
        }
    }

    private static void build(Object state, Object target) {
        if (target instanceof PyObject o) {
            o.setState(state);
        } else if (!(target instanceof LinkedHashMap) && !(target instanceof TensorRef)) {
            // An OrderedDict's state (state_dict()._metadata) and a tensor's Python attributes
            // are not needed; a value of the library's own classes takes its state by reflection.
            try {
                for (Method m : target.getClass().getMethods()) {
                    if (m.getName().equals("__setstate__") && m.getParameterCount() == 1
                            && m.getParameterTypes()[0].isInstance(state)) {
                        m.invoke(target, state);
                        return;
                    }
                }
            } catch (ReflectiveOperationException e) {
                throw new PickleException("cannot apply pickled state to a " + target.getClass().getSimpleName(), e);
            }
            throw new PickleException("cannot apply pickled state to a " + target.getClass().getSimpleName());
        }
    }

    private Object resolve(String module, String name) {
        switch (module + "." + name) {
            case "torch._utils._rebuild_tensor":
            case "torch._utils._rebuild_tensor_v2":
                return (IObjectConstructor) TorchUnpickler::rebuildTensor;
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                return (IObjectConstructor) args -> args[0];
            case "torch._tensor._rebuild_from_type":
            case "torch._tensor._rebuild_from_type_v2":
                return (IObjectConstructor) args -> ((IObjectConstructor) args[0]).construct((Object[]) args[2]);
            case "collections.OrderedDict":
                return (IObjectConstructor) args -> new LinkedHashMap<>();
            case "copyreg.__newobj__":
            case "copy_reg.__newobj__":
            case "copyreg._reconstructor":
            case "copy_reg._reconstructor":
                // Protocols 0-1 and some __reduce__ methods create an instance of args[0] this way.
                return (IObjectConstructor) args -> new PyObject(String.valueOf(args[0]),
                        new ArrayList<>(Arrays.asList(args).subList(1, args.length)));
            default:
                break;
        }
        IObjectConstructor known = objectConstructors.get(module + "." + name);
        return known != null ? known : new PyGlobal(module, name);
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, metadata])}. */
    private static Object rebuildTensor(Object[] args) {
        if (!(args[0] instanceof TorchStorage storage)) {
            throw new PickleException("tensor rebuilt from " + args[0] + " instead of a storage");
        }
        long offset = ((Number) args[1]).longValue();
        long[] size = longs(args[2]);
        long[] stride = longs(args[3]);
        if (offset < 0 || Arrays.stream(stride).anyMatch(s -> s < 0) || Arrays.stream(size).anyMatch(d -> d < 0)) {
            throw new PickleException("tensor of storage '" + storage.key() + "' has offset " + offset
                    + ", size " + Arrays.toString(size) + " and stride " + Arrays.toString(stride));
        }
        return new TensorRef(storage, offset, size, stride);
    }

    private static long[] longs(Object tuple) {
        Object[] items = (Object[]) tuple;
        long[] out = new long[items.length];
        for (int i = 0; i < items.length; i++) {
            out[i] = ((Number) items[i]).longValue();
        }
        return out;
    }

    /** {@code ('storage', storage_type, key, location, numel)}: one storage, shared by its views. */
    @Override
    protected Object persistentLoad(Object pid) {
        if (!(pid instanceof Object[] t) || t.length < 5 || !"storage".equals(t[0]) || !(t[1] instanceof PyGlobal type)) {
            throw new PickleException("unexpected persistent id " + (pid instanceof Object[] a ? Arrays.toString(a) : pid));
        }
        String key = String.valueOf(t[2]);
        long numel = ((Number) t[4]).longValue();
        TorchStorage storage = storages.computeIfAbsent(key,
                k -> new TorchStorage(k, type.toString(), TorchStorage.typeOf(type.name), numel));
        if (!storage.className().equals(type.toString())) {
            throw new PickleException("storage '" + key + "' is both " + storage.className() + " and " + type);
        }
        return storage;
    }
}
