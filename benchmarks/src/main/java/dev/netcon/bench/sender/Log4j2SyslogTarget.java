package dev.netcon.bench.sender;

import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.async.AsyncLoggerContext;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Log4j2's garbage-free all-async logger (wait strategy {@code Sleep}) with its Syslog appender over UDP to
 * the loopback receiver.
 */
@State(Scope.Benchmark)
public class Log4j2SyslogTarget {
    private AsyncLoggerContext context;
    private Logger logger;
    private ReceiverState receiver;
    private long receivedAtStart;

    @Setup(Level.Trial)
    public void start(final ReceiverState receiver) {
        this.receiver = receiver;
        this.receivedAtStart = receiver.received();
        Log4j2Contexts.useWaitStrategy(Log4j2Contexts.SLEEP);
        context = Log4j2Contexts.syslogUdp(receiver.address());
        logger = context.getLogger(Log4j2Contexts.LOGGER_NAME);
        report(0); // see Reports
    }

    void write(final String text) {
        logger.info(text);
    }

    /**
     * Stops without draining the ring: its backlog (up to 256 Ki events, each formatted and sent) would run
     * inside the last measured iteration's {@code -prof gc} window. The results are rates during the
     * iterations; the backlog is not needed.
     */
    @TearDown(Level.Trial)
    public void stop() {
        final long received = receiver.received() - receivedAtStart;
        context.stop(100, TimeUnit.MILLISECONDS);
        System.out.println(report(received));
    }

    private static String report(final long received) {
        return System.lineSeparator() + "[log4j2 syslog udp] whole run: receiver counted " + received + " datagrams";
    }
}
