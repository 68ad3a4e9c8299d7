package dev.usp.train.distributed;

/**
 * A collective operation failed: a peer died or stopped answering within the timeout, or the
 * engine refused the call. The message names this rank, the operation and the cause; the job
 * cannot continue and resumes from its last checkpoint when relaunched.
 */
public final class CollectiveException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A failure described by {@code message}, caused by {@code cause} (may be null). */
    public CollectiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
