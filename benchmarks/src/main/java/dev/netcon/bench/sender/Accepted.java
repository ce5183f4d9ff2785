package dev.netcon.bench.sender;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH secondary result "accepted": netcon write() calls that returned true (queued, not dropped because the
 * ring was full), per second. Only netcon says per call whether it kept the record. Like every JMH counter it
 * also counts the calls made while threads wait for each other around the measured time, so with 4 threads it
 * can read a little high.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Accepted {
    /** The counter JMH reports. */
    public long accepted;

    @Setup(Level.Iteration)
    public void reset() {
        accepted = 0;
    }

    boolean count(final boolean queued) {
        if (queued) {
            accepted++;
        }
        return queued;
    }
}
