package dev.netcon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * Reassembles {@code ncfrag} fragments of one source's records. Fragments may come in any order,
 * duplicated or overlapping; bytes are joined before unescaping, since a boundary can fall inside a
 * {@code \xNN} escape. At most {@code maxPartials} records are in progress at once: a new one beyond that
 * evicts the oldest, and a partial record whose fragments have not all come within {@code timeoutNs} of
 * its first is given up. Both are counted in {@link #expired()}.
 *
 * <p>Buffers are allocated on a source's first fragmented record and reused after, so a source that never
 * fragments costs almost nothing. Single-threaded.
 */
public final class FragmentReassembler {
    /** Results of {@link #onFragment}. */
    public static final int INCOMPLETE = 0;
    public static final int COMPLETE = 1;
    /** A fragment of a record that was already completed, or bytes already held. */
    public static final int DUPLICATE = 2;
    /** See {@link #error()}. */
    public static final int REJECTED = 3;

    /** Most disjoint byte ranges one partial record tracks; kernel fragments arrive in few pieces. */
    private static final int MAX_RANGES = 16;
    private static final int RECENT = 8;

    private final int maxRecordLength;
    private final long timeoutNs;
    private final Partial[] partials;
    private final long[] recentlyCompleted = new long[RECENT];
    private int recentCount;
    private int recentNext;
    private long expired;
    private FrameError error = FrameError.NONE;
    private Partial completed;

    public FragmentReassembler(final int maxPartials, final int maxRecordLength, final long timeoutNs) {
        if (maxPartials < 1) {
            throw new IllegalArgumentException("maxPartials=" + maxPartials + " must be >= 1");
        }
        this.maxRecordLength = maxRecordLength;
        this.timeoutNs = timeoutNs;
        this.partials = new Partial[maxPartials];
    }

    /**
     * Offers the fragment {@code frame} was last used to decode (it must be an extended fragment).
     *
     * @return {@link #INCOMPLETE}, {@link #COMPLETE} (then read {@link #body()}), {@link #DUPLICATE} or
     * {@link #REJECTED} (then read {@link #error()}).
     */
    public int onFragment(final FrameDecoder frame, final long nowNs) {
        final long seq = frame.seq();
        final int total = frame.fragTotal();
        if (total > maxRecordLength) {
            return reject(FrameError.OVERSIZE);
        }
        if (wasRecentlyCompleted(seq)) {
            return DUPLICATE;
        }
        Partial p = find(seq);
        if (p == null) {
            p = allocate(seq, total, nowNs);
        } else if (p.total != total) {
            return reject(FrameError.FRAGMENT_INCONSISTENT);
        }
        final int result = p.add(frame.buffer(), frame.bodyOffset(), frame.fragOffset(), frame.bodyLength());
        if (result == REJECTED) {
            return reject(FrameError.FRAGMENT_INCONSISTENT);
        }
        if (result == COMPLETE) {
            completed = p;
            p.inUse = false; // its bytes stay valid until the next call: no slot is reused before then
            remember(seq);
        }
        return result;
    }

    /** Body of the record completed by the last {@link #onFragment}; valid until the next call. */
    public DirectBuffer body() {
        return completed.bytes;
    }

    public int bodyLength() {
        return completed.total;
    }

    /** Why the last fragment was rejected. */
    public FrameError error() {
        return error;
    }

    /** Gives up partial records older than the timeout; returns how many. */
    public int expire(final long nowNs) {
        int n = 0;
        for (final Partial p : partials) {
            if (p != null && p.inUse && p.deadlineNs - nowNs <= 0) {
                p.inUse = false;
                n++;
            }
        }
        expired += n;
        return n;
    }

    /** Earliest deadline of a partial record, or {@link Long#MAX_VALUE}. */
    public long nextDeadlineNs() {
        long earliest = Long.MAX_VALUE;
        for (final Partial p : partials) {
            if (p != null && p.inUse && (earliest == Long.MAX_VALUE || p.deadlineNs - earliest < 0)) {
                earliest = p.deadlineNs;
            }
        }
        return earliest;
    }

    /** Records in progress. */
    public int partialCount() {
        int n = 0;
        for (final Partial p : partials) {
            if (p != null && p.inUse) {
                n++;
            }
        }
        return n;
    }

    /** Partial records given up so far (timed out or evicted for room). */
    public long expired() {
        return expired;
    }

    /** Gives up everything in progress (source closing); returns how many. */
    public int clear() {
        int n = 0;
        for (final Partial p : partials) {
            if (p != null && p.inUse) {
                p.inUse = false;
                n++;
            }
        }
        expired += n;
        return n;
    }

    private int reject(final FrameError e) {
        error = e;
        return REJECTED;
    }

    private Partial find(final long seq) {
        for (final Partial p : partials) {
            if (p != null && p.inUse && p.seq == seq) {
                return p;
            }
        }
        return null;
    }

    private Partial allocate(final long seq, final int total, final long nowNs) {
        Partial slot = null;
        for (int i = 0; i < partials.length; i++) {
            if (partials[i] == null) {
                partials[i] = new Partial();
            }
            final Partial p = partials[i];
            if (!p.inUse) {
                slot = p;
                break;
            }
            if (slot == null || p.deadlineNs - slot.deadlineNs < 0) {
                slot = p;
            }
        }
        if (slot.inUse) {
            expired++; // evicted the oldest to make room
        }
        slot.reset(seq, total, nowNs + timeoutNs);
        return slot;
    }

    private boolean wasRecentlyCompleted(final long seq) {
        for (int i = 0; i < recentCount; i++) {
            if (recentlyCompleted[i] == seq) {
                return true;
            }
        }
        return false;
    }

    private void remember(final long seq) {
        recentlyCompleted[recentNext] = seq;
        recentNext = (recentNext + 1) % RECENT;
        recentCount = Math.min(recentCount + 1, RECENT);
    }

    /** One record in progress: its bytes and the sorted, disjoint byte ranges received so far. */
    private static final class Partial {
        final ExpandableArrayBuffer bytes = new ExpandableArrayBuffer(1024);
        final int[] starts = new int[MAX_RANGES];
        final int[] ends = new int[MAX_RANGES];
        int rangeCount;
        long seq;
        int total;
        long deadlineNs;
        boolean inUse;

        void reset(final long seq, final int total, final long deadlineNs) {
            this.seq = seq;
            this.total = total;
            this.deadlineNs = deadlineNs;
            this.rangeCount = 0;
            this.inUse = true;
            bytes.checkLimit(total);
        }

        int add(final DirectBuffer src, final int srcOffset, final int at, final int length) {
            final int end = at + length;
            // Overlapping bytes must agree with what is already held.
            int covered = 0;
            for (int r = 0; r < rangeCount; r++) {
                final int lo = Math.max(at, starts[r]);
                final int hi = Math.min(end, ends[r]);
                for (int i = lo; i < hi; i++) {
                    if (bytes.getByte(i) != src.getByte(srcOffset + i - at)) {
                        return REJECTED;
                    }
                }
                covered += Math.max(0, hi - lo);
            }
            if (covered == length) {
                return DUPLICATE;
            }
            if (rangeCount == MAX_RANGES && !mergeable(at, end)) {
                return REJECTED;
            }
            bytes.putBytes(at, src, srcOffset, length);
            insertRange(at, end);
            return rangeCount == 1 && starts[0] == 0 && ends[0] == total ? COMPLETE : INCOMPLETE;
        }

        private boolean mergeable(final int start, final int end) {
            for (int r = 0; r < rangeCount; r++) {
                if (start <= ends[r] && end >= starts[r]) {
                    return true;
                }
            }
            return false;
        }

        /** Inserts [start, end) and merges it with every range it touches. */
        private void insertRange(final int start, final int end) {
            int newStart = start;
            int newEnd = end;
            int w = 0;
            for (int r = 0; r < rangeCount; r++) {
                if (ends[r] < newStart) {
                    starts[w] = starts[r];
                    ends[w++] = ends[r];
                } else if (starts[r] > newEnd) {
                    shiftInsert(w, r, newStart, newEnd);
                    return;
                } else {
                    newStart = Math.min(newStart, starts[r]);
                    newEnd = Math.max(newEnd, ends[r]);
                }
            }
            starts[w] = newStart;
            ends[w++] = newEnd;
            rangeCount = w;
        }

        /** Puts [start, end) at index w; ranges from r on (all after it) follow unchanged. */
        private void shiftInsert(final int w, final int r, final int start, final int end) {
            final int tail = rangeCount - r;
            System.arraycopy(starts, r, starts, w + 1, tail);
            System.arraycopy(ends, r, ends, w + 1, tail);
            starts[w] = start;
            ends[w] = end;
            rangeCount = w + 1 + tail;
        }
    }
}
