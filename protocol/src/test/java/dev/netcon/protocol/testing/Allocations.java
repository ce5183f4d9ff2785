package dev.netcon.protocol.testing;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated by the current thread, from the JVM's thread allocation counter. Used by the
 * zero-allocation tests of every module's hot path.
 */
public final class Allocations {
    /** What a measurement itself may cost (the counter read, JIT deoptimisation noise): a few objects. */
    public static final long TOLERANCE_BYTES = 4096;

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocations() {
    }

    public static long currentThreadAllocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Runs {@code body} (already warmed up by the caller) and returns the bytes it allocated on this thread. */
    public static long measure(final Runnable body) {
        final long before = currentThreadAllocatedBytes();
        body.run();
        return currentThreadAllocatedBytes() - before;
    }
}
