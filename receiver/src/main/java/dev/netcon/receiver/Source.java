package dev.netcon.receiver;

import dev.netcon.protocol.SourceSequencer;

import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;

/**
 * A sender's (address, port) as one worker sees it: its sequencer, accounting, name, rate limits, and its
 * place in the worker's least-recently-seen list. Owned by one worker thread.
 */
final class Source {
    private static final int RANGES = 16;

    final long key;
    final InetSocketAddress address;
    final SourceStats stats;
    final SourceSequencer sequencer;
    /** Directory name; starts as the address and becomes the host= name once one arrives. */
    String host;
    boolean named;
    /** The host= value as it came on the wire (escaped), once named: another value means another sender. */
    UnsafeBuffer wireHost;
    TokenBucket recordBucket;
    TokenBucket byteBucket;
    long lastSeenNs;
    boolean timed;
    /** Index of the listen socket this source's latest datagram came in on: acknowledgements leave from it. */
    int socket;
    /** Reliable mode: an acknowledgement was held back by the ack interval; the timer scan sends it. */
    boolean ackPending;
    Source newer;
    Source older;

    /** Recent MISSING ranges and sender drop reports, matched against each other (allocated on first use). */
    private long[] missingRanges;
    private int missingNext;
    private long[] reportRanges;
    private int reportNext;

    Source(final long key, final InetSocketAddress address, final String addressText, final SourceSequencer sequencer) {
        this.key = key;
        this.address = address;
        this.sequencer = sequencer;
        this.host = SourceNames.sanitise(address.getAddress().getHostAddress());
        this.stats = new SourceStats(addressText, host);
    }

    /** A gap was given up: the part a drop report already covers was dropped at source. */
    void onMissing(final long first, final long last) {
        if (missingRanges == null) {
            missingRanges = new long[RANGES * 2];
            java.util.Arrays.fill(missingRanges, -1);
        }
        missingRanges[missingNext * 2] = first;
        missingRanges[missingNext * 2 + 1] = last;
        missingNext = (missingNext + 1) % RANGES;
        stats.droppedAtSource += overlap(reportRanges, first, last);
    }

    /** The sender reported seqs first..last dropped: the part already given up as missing was dropped at source. */
    void onDropReport(final long first, final long last) {
        if (reportRanges == null) {
            reportRanges = new long[RANGES * 2];
            java.util.Arrays.fill(reportRanges, -1);
        }
        reportRanges[reportNext * 2] = first;
        reportRanges[reportNext * 2 + 1] = last;
        reportNext = (reportNext + 1) % RANGES;
        stats.droppedAtSource += overlap(missingRanges, first, last);
    }

    private static long overlap(final long[] ranges, final long first, final long last) {
        if (ranges == null) {
            return 0;
        }
        long n = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            if (ranges[i] == -1 && ranges[i + 1] == -1) {
                continue;
            }
            final long lo = Long.compareUnsigned(ranges[i], first) > 0 ? ranges[i] : first;
            final long hi = Long.compareUnsigned(ranges[i + 1], last) < 0 ? ranges[i + 1] : last;
            if (Long.compareUnsigned(lo, hi) <= 0) {
                n += hi - lo + 1;
            }
        }
        return n;
    }
}
