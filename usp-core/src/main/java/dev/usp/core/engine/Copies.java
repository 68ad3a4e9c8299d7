package dev.usp.core.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Copies that share no storage with their source.
 *
 * <p>DJL's {@code toDevice(sameDevice, true)} and {@code toType(sameType, true)} return a new
 * handle on the same storage, not a copy: an in-place update of the "copy" changes the source
 * (an optimiser state loaded that way stepped the checkpoint it came from). Those calls are fine
 * where a second handle is all that is wanted (to attach it to another manager and only read it);
 * where the result will be written to or must outlive the source's values, use this class.
 */
public final class Copies {

    private Copies() {
    }

    /** A copy of {@code source} as {@code type} on {@code device}, in {@code source}'s manager. */
    public static NDArray of(NDArray source, DataType type, Device device) {
        if (source.getDataType() == type && source.getDevice().equals(device)) {
            return source.duplicate();
        }
        NDArray onDevice = source.toDevice(device, false);    // source itself when already there
        NDArray typed = onDevice.toType(type, false);         // onDevice itself when already that type
        if (onDevice != source && onDevice != typed) {
            onDevice.close();
        }
        return typed;
    }
}
