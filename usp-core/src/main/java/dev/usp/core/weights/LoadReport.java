package dev.usp.core.weights;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What happened when a state dict was loaded into a module: which keys were loaded, which the
 * module expected but did not get, which the file had but the module does not know, and which had
 * the wrong shape (PyTorch's {@code load_state_dict(strict=False)} report, plus shapes).
 */
public final class LoadReport {

    private final List<String> loaded = new ArrayList<>();
    private final List<String> missing = new ArrayList<>();
    private final List<String> unexpected = new ArrayList<>();
    private final List<String> mismatched = new ArrayList<>();

    /** Records a key whose value was copied into the module. */
    public void addLoaded(String key) {
        loaded.add(key);
    }

    /** Records a key the module has but the state dict lacks. */
    public void addMissing(String key) {
        missing.add(key);
    }

    /** Records a key the state dict has but the module lacks. */
    public void addUnexpected(String key) {
        unexpected.add(key);
    }

    /** Records a key present on both sides with different shapes; the message names both. */
    public void addMismatched(String key, String expectedShape, String actualShape) {
        mismatched.add(key + " (module " + expectedShape + ", state dict " + actualShape + ")");
    }

    /** Keys copied into the module, in load order. */
    public List<String> loaded() {
        return Collections.unmodifiableList(loaded);
    }

    /** Keys the module expected but did not get. */
    public List<String> missing() {
        return Collections.unmodifiableList(missing);
    }

    /** Keys in the state dict that the module does not have. */
    public List<String> unexpected() {
        return Collections.unmodifiableList(unexpected);
    }

    /** Keys with shape mismatches, each with both shapes. */
    public List<String> mismatched() {
        return Collections.unmodifiableList(mismatched);
    }

    /** True when nothing was missing, unexpected or mismatched. */
    public boolean isClean() {
        return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
    }

    @Override
    public String toString() {
        return "loaded " + loaded.size() + ", missing " + missing + ", unexpected " + unexpected
                + ", shape mismatch " + mismatched;
    }
}
