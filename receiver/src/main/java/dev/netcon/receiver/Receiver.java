package dev.netcon.receiver;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code netcon receive} service, wired: UDP ingest → workers (one agent thread each) → file store, with
 * stats, metrics and the live stream over HTTP. {@link #start()} binds everything or fails with a one-line
 * message; {@link #close()} stops reading, drains the workers, flushes and closes the files.
 */
public final class Receiver implements AutoCloseable {
    private final ReceiverConfig config;
    private final ReceiverStats stats = new ReceiverStats();
    private final StreamHub hub = new StreamHub();
    private final FileStore store;
    private final Worker[] workers;
    private final AgentRunner[] runners;
    private final UdpIngest ingest;
    private final HttpServer http;
    private final AtomicLong workerErrors = new AtomicLong();
    private InetSocketAddress httpAddress;
    private boolean closed;

    public Receiver(final ReceiverConfig config) {
        this.config = config;
        this.store = new FileStore(config.dataDir(), config.store(), stats);
        this.workers = new Worker[config.workers()];
        this.runners = new AgentRunner[config.workers()];
        this.ingest = new UdpIngest(config, workers, stats);
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i, config, store, stats, hub, ingest);
        }
        this.http = config.http() == null ? null : new HttpServer(stats, new ReceiverMetrics(stats, config.metricsSourceLimit()), hub);
    }

    /** Binds the sockets and starts the threads. */
    public Receiver start() throws IOException {
        final ErrorHandler errors = t -> {
            // A bug must not take the worker down: count it, report the first few.
            if (workerErrors.incrementAndGet() <= 10) {
                System.err.println("netcon receive: worker error: " + t);
            }
        };
        for (int i = 0; i < workers.length; i++) {
            runners[i] = new AgentRunner(new BackoffIdleStrategy(64, 16, TimeUnit.MICROSECONDS.toNanos(10),
                TimeUnit.MILLISECONDS.toNanos(1)), errors, (AtomicCounter) null, workers[i]);
            AgentRunner.startOnThread(runners[i]);
        }
        try {
            ingest.start();
            if (http != null) {
                httpAddress = http.start(config.http());
            }
        } catch (final IOException e) {
            close();
            throw e;
        }
        return this;
    }

    public String describe() {
        return ingest.description() + (httpAddress == null ? "" : ", http " + HostPort.format(httpAddress))
            + ", data " + config.dataDir().toAbsolutePath() + (config.reliable() ? ", reliable" : "");
    }

    /** Every UDP socket's address (with several I/O threads, addresses repeat: one per socket). */
    public java.util.List<InetSocketAddress> udpAddresses() {
        return ingest.localAddresses();
    }

    public InetSocketAddress udpAddress() {
        return ingest.localAddress();
    }

    public InetSocketAddress httpAddress() {
        return httpAddress;
    }

    public ReceiverStats stats() {
        return stats;
    }

    /** Stops reading, lets the workers finish what is queued, releases held records, flushes and closes the files. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ingest.close();
        for (final AgentRunner r : runners) {
            if (r != null) {
                r.close();
            }
        }
        for (final Worker w : workers) {
            w.drainAndClose();
        }
        store.close();
        if (http != null) {
            http.close();
        }
    }

    /** Prints a one-line summary (used at exit). */
    public void printSummary(final PrintStream out) {
        final SourceStats t = stats.totals();
        out.println("netcon receive: delivered " + t.delivered + ", missing " + t.missing + " (dropped at source "
            + t.droppedAtSource + ", lost in transit " + t.lostInTransit() + "), duplicates " + t.duplicates
            + ", malformed " + t.malformed() + ", queue full " + stats.queueFull.get() + ", sources " + stats.sourceCount());
    }
}
