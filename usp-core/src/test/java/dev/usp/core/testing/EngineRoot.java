package dev.usp.core.testing;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension ({@code @RegisterExtension}): one libtorch intra-op thread (two cores shared by
 * many JVMs: OpenMP barriers of tiny multi-threaded ops spin for milliseconds each) and a fresh
 * base manager per test, closed after it with everything allocated in it.
 */
public final class EngineRoot implements BeforeEachCallback, AfterEachCallback {

    private NDManager root;

    @Override
    public void beforeEach(ExtensionContext context) {
        Engine.getInstance();
        JniUtils.setNumThreads(1);
        root = NDManager.newBaseManager();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        root.close();
    }

    /** The test's manager. */
    public NDManager manager() {
        return root;
    }
}
