package dev.usp.models.transfer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a weight transfer did: keys loaded into the target, target keys left at their init
 * (missing), checkpoint keys the target does not have (unexpected: for MAE -> DiT the decoder,
 * {@code norm}, {@code cls_token}, {@code mask_token}), keys skipped on a shape mismatch the caller
 * allowed, and keys the transfer rules dropped on purpose (ignored, each with its reason).
 */
public final class TransferReport {

    private final List<String> loaded = new ArrayList<>();
    private final List<String> missing = new ArrayList<>();
    private final List<String> unexpected = new ArrayList<>();
    private final List<String> mismatched = new ArrayList<>();
    private final List<String> ignored = new ArrayList<>();

    void addLoaded(String key) {
        loaded.add(key);
    }

    void addMissing(String key) {
        missing.add(key);
    }

    void addUnexpected(String key) {
        unexpected.add(key);
    }

    void addMismatched(String key, String targetShape, String sourceShape) {
        mismatched.add(key + " (target " + targetShape + ", checkpoint " + sourceShape + ")");
    }

    void addIgnored(String key, String reason) {
        ignored.add(key + " (" + reason + ")");
    }

    /** Target keys whose values came from the checkpoint, in target order. */
    public List<String> loaded() {
        return Collections.unmodifiableList(loaded);
    }

    /** Target keys the checkpoint did not provide; they keep their initial values. */
    public List<String> missing() {
        return Collections.unmodifiableList(missing);
    }

    /** Checkpoint keys (after renaming) that the target does not have. */
    public List<String> unexpected() {
        return Collections.unmodifiableList(unexpected);
    }

    /** Skippable keys whose shapes differed, each with both shapes; the target keeps its init. */
    public List<String> mismatched() {
        return Collections.unmodifiableList(mismatched);
    }

    /** Checkpoint keys the transfer rules dropped, each with the reason. */
    public List<String> ignored() {
        return Collections.unmodifiableList(ignored);
    }

    /** Counts only, for a log line. */
    public String summary() {
        return "loaded " + loaded.size() + ", missing " + missing.size() + ", unexpected " + unexpected.size()
                + ", shape mismatch (skipped) " + mismatched.size() + ", ignored " + ignored.size();
    }

    @Override
    public String toString() {
        return "loaded " + loaded.size() + ", missing " + missing + ", unexpected " + unexpected
                + ", shape mismatch (skipped) " + mismatched + ", ignored " + ignored;
    }
}
