package dev.netcon.receiver;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The receiver's accounting: every live source's {@link SourceStats}, what evicted sources had, and global counters. */
public final class ReceiverStats {
    final Map<String, SourceStats> sources = new ConcurrentHashMap<>();
    /** Counters of sources evicted so far, so that totals never go backwards. */
    private final SourceStats retired = new SourceStats("retired", "retired");
    final AtomicLong notAllowed = new AtomicLong();
    final AtomicLong queueFull = new AtomicLong();
    final AtomicLong sourcesEvicted = new AtomicLong();
    final AtomicLong tornLinesCut = new AtomicLong();
    final AtomicLong storeFailures = new AtomicLong();
    final long startedEpochMs = System.currentTimeMillis();
    final SocketOverflowCounter socketOverflow = new SocketOverflowCounter();

    void register(final SourceStats s) {
        sources.put(s.source, s);
    }

    void retire(final SourceStats s) {
        synchronized (retired) {
            s.addTo(retired);
        }
        sources.remove(s.source);
        sourcesEvicted.incrementAndGet();
    }

    /** Sum over live and retired sources. */
    public SourceStats totals() {
        final SourceStats t = new SourceStats("total", "total");
        synchronized (retired) {
            retired.addTo(t);
        }
        for (final SourceStats s : sources.values()) {
            s.addTo(t);
        }
        t.storeFailures += storeFailures.get();
        return t;
    }

    public long notAllowed() {
        return notAllowed.get();
    }

    public long queueFull() {
        return queueFull.get();
    }

    public int sourceCount() {
        return sources.size();
    }
}
