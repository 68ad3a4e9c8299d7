/**
 * Reliability checks of issue 8 that need a JVM of their own: the memory soak
 * ({@code dev.usp.app.MemorySoak}, driven by {@code scripts/soak.sh}) and the
 * checkpoint probe of the kill-and-resume check ({@link dev.usp.train.reliability.CheckpointProbe},
 * driven by {@code scripts/kill-resume.sh}).
 */
package dev.usp.train.reliability;
