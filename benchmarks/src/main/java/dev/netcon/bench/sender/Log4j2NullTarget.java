package dev.netcon.bench.sender;

import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.async.AsyncLoggerContext;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Log4j2's all-async logger with the Null appender: the cost of the call and the hand-off alone. Run with the
 * garbage-free wait strategy ({@code Sleep}) and with Log4j2's default ({@code Timeout}).
 */
@State(Scope.Benchmark)
public class Log4j2NullTarget {
    @Param({Log4j2Contexts.SLEEP, Log4j2Contexts.TIMEOUT})
    public String waitStrategy;

    private AsyncLoggerContext context;
    private Logger logger;

    @Setup(Level.Trial)
    public void start() {
        Log4j2Contexts.useWaitStrategy(waitStrategy);
        context = Log4j2Contexts.nullAppender();
        logger = context.getLogger(Log4j2Contexts.LOGGER_NAME);
    }

    void write(final String text) {
        logger.info(text);
    }

    @TearDown(Level.Trial)
    public void stop() {
        context.stop(1, TimeUnit.SECONDS); // nothing to drain: the Null appender keeps up
    }
}
