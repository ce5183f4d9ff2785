package dev.netcon.bench.sender;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The cost of one log call of a 100-byte message, from 1 and 4 threads, side by side: netcon's
 * {@code write()}, Log4j2's garbage-free async logger (Null appender, and Syslog over UDP) and Logback's
 * AsyncAppender + SyslogAppender. The primary result is calls per second. Secondary results:
 * <ul>
 * <li>{@code delivered} (UDP variants): datagrams per second counted by a loopback receiver, so that calls
 * dropped on the way do not count ({@link Delivered});</li>
 * <li>{@code accepted} (netcon): calls whose record was queued rather than dropped ({@link Accepted});</li>
 * <li>{@code callerBytes}: bytes per second allocated by the calling threads alone ({@link CallerAllocation}).</li>
 * </ul>
 *
 * <p>Each variant has its own {@code @State}, and JMH runs every benchmark method in a fresh forked JVM, so
 * one framework's threads, buffers and globals are never present while another is measured (do not run with
 * {@code -f 0}). Run with {@code -prof gc}: its B/op covers every thread of the JVM (caller, the framework's
 * background thread, the receiver), i.e. all the garbage logging makes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
public class LoggerWriteBenchmark {
    /** 100 ASCII bytes, nothing to escape. */
    static final String MESSAGE = "GET /api/v1/orders/48213 200 17ms user=alice agent=curl/8.5.0 trace=4bf92f3577b34da6a3ce929d0e0e4736";

    @Benchmark
    @Threads(1)
    public boolean netcon_1t(final NetconTarget netcon, final CallerAllocation caller, final Accepted accepted, final Delivered delivered) {
        return accepted.count(netcon.write(MESSAGE));
    }

    @Benchmark
    @Threads(4)
    public boolean netcon_4t(final NetconTarget netcon, final CallerAllocation caller, final Accepted accepted, final Delivered delivered) {
        return accepted.count(netcon.write(MESSAGE));
    }

    @Benchmark
    @Threads(1)
    public void log4j2AsyncNull_1t(final Log4j2NullTarget log4j2, final CallerAllocation caller) {
        log4j2.write(MESSAGE);
    }

    @Benchmark
    @Threads(4)
    public void log4j2AsyncNull_4t(final Log4j2NullTarget log4j2, final CallerAllocation caller) {
        log4j2.write(MESSAGE);
    }

    @Benchmark
    @Threads(1)
    public void log4j2AsyncSyslogUdp_1t(final Log4j2SyslogTarget log4j2, final CallerAllocation caller, final Delivered delivered) {
        log4j2.write(MESSAGE);
    }

    @Benchmark
    @Threads(4)
    public void log4j2AsyncSyslogUdp_4t(final Log4j2SyslogTarget log4j2, final CallerAllocation caller, final Delivered delivered) {
        log4j2.write(MESSAGE);
    }

    @Benchmark
    @Threads(1)
    public void logbackAsyncSyslogUdp_1t(final LogbackSyslogTarget logback, final CallerAllocation caller, final Delivered delivered) {
        logback.write(MESSAGE);
    }

    @Benchmark
    @Threads(4)
    public void logbackAsyncSyslogUdp_4t(final LogbackSyslogTarget logback, final CallerAllocation caller, final Delivered delivered) {
        logback.write(MESSAGE);
    }
}
