package dev.usp.models.transfer;

import dev.usp.core.weights.LoadReport;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a weight transfer did: a {@link LoadReport} of the load into the target (keys loaded,
 * target keys left at their init (missing), checkpoint keys the target does not have (unexpected:
 * for MAE -> DiT the decoder, {@code norm}, {@code cls_token}, {@code mask_token}), keys skipped
 * on a shape mismatch the caller allowed), plus the keys the transfer rules dropped on purpose
 * (ignored, each with its reason) and the position tables resized to another grid.
 */
public final class TransferReport {

    private final LoadReport load = new LoadReport();
    private final List<String> ignored = new ArrayList<>();
    private final List<String> resized = new ArrayList<>();

    /** The load part, which the transfer fills in. */
    LoadReport load() {
        return load;
    }

    void addIgnored(String key, String reason) {
        ignored.add(key + " (" + reason + ")");
    }

    void addResized(String key, int fromGrid, int toGrid) {
        resized.add(key + " (" + fromGrid + "x" + fromGrid + " -> " + toGrid + "x" + toGrid + " grid, bicubic)");
    }

    /** Keys whose tables were resized to the target's grid, each with both grid sizes. */
    public List<String> resized() {
        return Collections.unmodifiableList(resized);
    }

    /** Target keys whose values came from the checkpoint, in target order. */
    public List<String> loaded() {
        return load.loaded();
    }

    /** Target keys the checkpoint did not provide; they keep their initial values. */
    public List<String> missing() {
        return load.missing();
    }

    /** Checkpoint keys (after renaming) that the target does not have. */
    public List<String> unexpected() {
        return load.unexpected();
    }

    /** Skippable keys whose shapes differed, each with both shapes; the target keeps its init. */
    public List<String> mismatched() {
        return load.mismatched();
    }

    /** Checkpoint keys the transfer rules dropped, each with the reason. */
    public List<String> ignored() {
        return Collections.unmodifiableList(ignored);
    }

    /** Counts only, for a log line. */
    public String summary() {
        return "loaded " + loaded().size() + ", missing " + missing().size() + ", unexpected " + unexpected().size()
                + ", shape mismatch (skipped) " + mismatched().size() + ", ignored " + ignored.size()
                + (resized.isEmpty() ? "" : ", resized " + resized);
    }

    /** The load report's lists (mismatches skipped), then the ignored and resized keys. */
    @Override
    public String toString() {
        return load + ", ignored " + ignored + ", resized " + resized;
    }
}
