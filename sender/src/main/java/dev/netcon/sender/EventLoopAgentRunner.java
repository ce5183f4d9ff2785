package dev.netcon.sender;

import io.netty.channel.EventLoop;
import org.agrona.concurrent.Agent;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs an agent's duty cycles as tasks on a Netty event loop (instead of a thread of its own), so that the
 * agent and the channel it writes to share one thread: busy, the next cycle is queued at once; idle, it is
 * scheduled {@code idleNanos} later, like a sleeping idle strategy.
 */
final class EventLoopAgentRunner implements Runnable {
    private final Agent agent;
    private final EventLoop loop;
    private final long idleNanos;
    private final java.util.function.Consumer<Throwable> errorHandler;
    private volatile boolean running = true;

    EventLoopAgentRunner(final Agent agent, final EventLoop loop, final long idleNanos,
                         final java.util.function.Consumer<Throwable> errorHandler) {
        this.agent = agent;
        this.loop = loop;
        this.idleNanos = idleNanos;
        this.errorHandler = errorHandler;
    }

    void start() {
        loop.execute(this);
    }

    @Override
    public void run() {
        if (!running) {
            return;
        }
        int work = 0;
        try {
            work = agent.doWork();
        } catch (final Throwable t) {
            errorHandler.accept(t);
        }
        if (work > 0) {
            loop.execute(this);
        } else {
            loop.schedule(this, idleNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Stops the cycles and runs the agent's close on its thread, waiting at most {@code timeout}. */
    void close(final Duration timeout) {
        running = false;
        loop.submit(agent::onClose).awaitUninterruptibly(timeout.toMillis());
    }
}
