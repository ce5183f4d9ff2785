package dev.netcon.bench.sender;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.management.ManagementFactory;

/**
 * JMH secondary result "callerBytes": bytes allocated by the threads that make the log calls, per second
 * (JMH labels every counter ops/s). {@code -prof gc} counts every thread of the JVM, so a framework's
 * background thread and the benchmark's receiver are in its B/op; this counter is the call site alone, which
 * is what "write() allocates nothing" promises. Divide by the calls per second for bytes per call.
 *
 * <p>Read from the JVM's per-thread allocation counter at the start and end of each iteration, on the
 * calling thread itself, so it costs nothing per call.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class CallerAllocation {
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The counter JMH reports. */
    public long callerBytes;

    private long start;

    @Setup(Level.Iteration)
    public void begin() {
        start = THREADS.getCurrentThreadAllocatedBytes();
    }

    @TearDown(Level.Iteration)
    public void end() {
        callerBytes = THREADS.getCurrentThreadAllocatedBytes() - start;
    }
}
