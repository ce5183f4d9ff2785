package dev.netcon.bench.sender;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.infra.ThreadParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * JMH secondary result "delivered": datagrams the loopback receiver counted, per second, next to the calls per
 * second, so that a logger that drops most calls cannot look fast.
 *
 * <p>{@code OPERATIONS} counters are divided by the measured time like the primary result (EVENTS would be a
 * bare count per iteration). The receiver is shared, so only the benchmark's thread 0 reports its count (JMH
 * sums the threads). The count covers the iteration from its setup to its teardown: a little more than JMH's
 * measured time, because the threads keep logging while they wait for each other at the start and end of an
 * iteration, so the rate can read high by that margin (nil with one thread). To show the margin, the
 * reporter also times its own window and prints, at the end of the run, delivered per second over the
 * measurement iterations on its own clock.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Delivered {
    /** The counter JMH reports (public fields of an {@code @AuxCounters} state are its counters). */
    public long delivered;

    private boolean reporter;
    private ReceiverState receiver;
    private boolean measuring;
    private long startCount;
    private long startNanos;
    private long measuredDatagrams;
    private long measuredNanos;

    @Setup(Level.Trial)
    public void attach(final ThreadParams thread, final ReceiverState receiver) {
        this.reporter = thread.getThreadIndex() == 0;
        this.receiver = receiver;
        summary(); // see Reports
    }

    @Setup(Level.Iteration)
    public void begin(final IterationParams iteration) {
        delivered = 0;
        measuring = iteration.getType() == IterationType.MEASUREMENT;
        if (reporter) {
            startCount = receiver.received();
            startNanos = System.nanoTime();
        }
    }

    @TearDown(Level.Iteration)
    public void end() {
        if (!reporter) {
            return;
        }
        final long datagrams = receiver.received() - startCount;
        delivered = datagrams;
        if (measuring) {
            measuredDatagrams += datagrams;
            measuredNanos += System.nanoTime() - startNanos;
        }
    }

    @TearDown(Level.Trial)
    public void report() {
        if (reporter && measuredNanos > 0) {
            System.out.println(summary());
        }
    }

    private String summary() {
        return System.lineSeparator() + "[delivered] " + measuredDatagrams * 1_000_000_000L / Math.max(1, measuredNanos)
            + " datagrams/s over the measurement iterations on the reporter's own clock (" + measuredDatagrams
            + " datagrams in " + measuredNanos / 1_000_000L + " ms) to a receiver doing " + receiver.describe();
    }
}
