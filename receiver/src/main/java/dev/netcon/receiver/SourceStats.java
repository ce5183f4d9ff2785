package dev.netcon.receiver;

import dev.netcon.protocol.FrameError;

/**
 * One source's accounting (design.md section 4). Written only by the worker that owns the source; read by
 * the HTTP thread. Fields are plain longs: on 64-bit JVMs their reads do not tear, and a report a few
 * microseconds stale is fine.
 */
public final class SourceStats {
    final String source;
    volatile String host;
    long delivered;
    long missing;
    long droppedAtSource;
    long duplicates;
    long seqResets;
    long plain;
    long fragmentsExpired;
    long rateLimited;
    long storeFailures;
    long bytes;
    long lastSeq = -1;
    long lastSeenEpochMs;
    final long[] malformedByReason = new long[FrameError.values().length];

    SourceStats(final String source, final String host) {
        this.source = source;
        this.host = host;
    }

    public String source() {
        return source;
    }

    public String host() {
        return host;
    }

    long malformed() {
        long n = 0;
        for (final long v : malformedByReason) {
            n += v;
        }
        return n;
    }

    long lostInTransit() {
        return missing - droppedAtSource;
    }

    /** Adds this source's counters into {@code total} (for totals and for retiring evicted sources). */
    void addTo(final SourceStats total) {
        total.delivered += delivered;
        total.missing += missing;
        total.droppedAtSource += droppedAtSource;
        total.duplicates += duplicates;
        total.seqResets += seqResets;
        total.plain += plain;
        total.fragmentsExpired += fragmentsExpired;
        total.rateLimited += rateLimited;
        total.storeFailures += storeFailures;
        total.bytes += bytes;
        for (int i = 0; i < malformedByReason.length; i++) {
            total.malformedByReason[i] += malformedByReason[i];
        }
    }
}
