package dev.usp.core.weights;

import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

import java.io.ByteArrayInputStream;
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
 * nothing global changes, and no class of that registry is constructed (some would allocate
 * what the pickle asks for): every global we do not model becomes a {@link PyObject}, never
 * code that runs. Sets become lists, and dict keys must be scalars or tuples, so that no value
 * of the pickle is ever hashed by content. A length-prefixed string, bytes or integer longer
 * than the rest of the pickle is refused before anything is allocated. Tuples are left as
 * {@code Object[]}; {@link PickleTree} turns them into lists.
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

    /** Unpickles a whole pickle held in memory. */
    Object load(byte[] pickle) throws IOException {
        return load(new ByteArrayInputStream(pickle));
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        checkLength(key);
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
            case Opcodes.EMPTY_SET:
                stack.add(new ArrayList<>());
                return NO_RETURN_VALUE;
            case Opcodes.ADDITEMS:
                append(stack.pop_all_since_marker());
                return NO_RETURN_VALUE;
            case Opcodes.FROZENSET:
                stack.add(new ArrayList<>(stack.pop_all_since_marker()));
                return NO_RETURN_VALUE;
            default:
                return super.dispatch(key);
        }
    }

    /**
     * Before an opcode that reads a length and then that many bytes, checks the length against
     * the bytes left, so that a few bytes cannot ask for gigabytes.
     */
    private void checkLength(short opcode) throws IOException {
        int width;
        switch (opcode) {
            case Opcodes.BINSTRING:
            case Opcodes.BINUNICODE:
            case Opcodes.BINBYTES:
            case Opcodes.LONG4:
                width = 4;
                break;
            case Opcodes.BINUNICODE8:
            case Opcodes.BINBYTES8:
            case Opcodes.BYTEARRAY8:
            case Opcodes.FRAME:
                width = 8;
                break;
            default:
                return;
        }
        if (!(input instanceof ByteArrayInputStream in)) {
            throw new IllegalStateException("the pickle must be read from memory");
        }
        in.mark(width);
        byte[] raw = in.readNBytes(width);
        in.reset();
        if (raw.length < width) {
            throw new PickleException("the pickle ends inside the length of opcode 0x" + Integer.toHexString(opcode));
        }
        long length = 0;
        for (int i = width - 1; i >= 0; i--) {
            length = (length << 8) | (raw[i] & 0xff);
        }
        if (width == 4 && (opcode == Opcodes.BINSTRING || opcode == Opcodes.LONG4)) {
            length = (int) length;
        }
        long left = in.available() - width;
        if (length < 0 || length > left) {
            throw new PickleException("opcode 0x" + Integer.toHexString(opcode) + " declares " + length
                    + " bytes but only " + left + " bytes of the pickle follow");
        }
    }

    @SuppressWarnings("unchecked")
    private static void putPairs(Object target, List<Object> items) {
        for (int i = 0; i + 1 < items.size(); i += 2) {
            Object k = items.get(i);
            if (!(k == null || k instanceof String || k instanceof Number || k instanceof Boolean
                    || k instanceof Object[])) {
                throw new PickleException("a dict key of type " + k.getClass().getSimpleName()
                        + " (checkpoints key dicts by strings, numbers or tuples)");
            }
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
        return new PyGlobal(module, name);
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, metadata])}. */
    private static Object rebuildTensor(Object[] args) {
        if (!(args[0] instanceof TorchStorage storage)) {
            throw new PickleException("tensor rebuilt from " + args[0] + " instead of a storage");
        }
        if (args.length < 4 || !(args[1] instanceof Integer || args[1] instanceof Long)) {
            throw new PickleException("tensor of storage '" + storage.key() + "' rebuilt from " + args.length
                    + " arguments without an integer offset");
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
        if (!(tuple instanceof Object[] items)) {
            throw new PickleException("a tensor's size or stride is " + tuple + ", not a tuple of integers");
        }
        long[] out = new long[items.length];
        for (int i = 0; i < items.length; i++) {
            if (!(items[i] instanceof Integer || items[i] instanceof Long)) {
                throw new PickleException("a tensor's size or stride holds " + items[i] + ", not a 64-bit integer");
            }
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
        if (!(t[4] instanceof Number n) || n.longValue() < 0 || (t[4] instanceof java.math.BigInteger big
                && big.bitLength() > 62)) {
            throw new PickleException("storage '" + key + "' has " + t[4] + " elements");
        }
        long numel = n.longValue();
        if (TorchStorage.typeOf(type.name) != null && numel > Long.MAX_VALUE / 8) {
            throw new PickleException("storage '" + key + "' has " + numel + " elements, more bytes than 64 bits count");
        }
        TorchStorage storage = storages.computeIfAbsent(key,
                k -> new TorchStorage(k, type.toString(), TorchStorage.typeOf(type.name), numel));
        if (!storage.className().equals(type.toString())) {
            throw new PickleException("storage '" + key + "' is both " + storage.className() + " and " + type);
        }
        return storage;
    }
}
