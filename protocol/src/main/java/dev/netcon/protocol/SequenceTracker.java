package dev.netcon.protocol;

import org.agrona.MutableDirectBuffer;

/**
 * Orders one source's records by sequence number, as a pure state machine fed with records and the time
 * (the model is netconsd's ncrx). Records are released to a {@link RecordListener} strictly in seq order,
 * each at most once:
 *
 * <ul>
 * <li>the expected record is released at once, without a copy, and buffered successors follow it;</li>
 * <li>a later one waits, copied, in a window of {@code windowSize} slots ({@code seq & (windowSize - 1)});</li>
 * <li>a hole not filled within {@code gapTimeoutNs} of the first record after it arriving is given up:
 *     one {@code onMissing(first, last)} for the whole range; a record beyond the window forces the oldest
 *     holes out at once, so the window never grows;</li>
 * <li>a seq already released or held is a duplicate; one far below the expected seq (or absurdly far above)
 *     is a sequence reset: what is held is released, then {@code onSeqReset};</li>
 * <li>a released {@code c} or {@code +} record is held for up to {@code contHoldNs} so that a following
 *     {@code +} record can be joined onto it.</li>
 * </ul>
 *
 * Seqs are unsigned 64-bit; only differences are compared, so wrap-around at 2^64 is handled. The window's
 * arrays are allocated on the first out-of-order record, so an in-order source costs only this object.
 * After warm-up nothing here allocates. Single-threaded.
 */
public final class SequenceTracker {
    private final TrackerConfig config;
    private final int mask;

    private boolean started;
    /** Every seq before this one is retired (released or given up). */
    private long next;

    // Reorder window, allocated lazily.
    private Record[] slots;
    private boolean[] present;
    private long[] arrivalNs;
    private long[] requestedSeq;
    private long[] requestedNs;
    private int buffered;
    /** Smallest and largest buffered seq, valid while buffered > 0. */
    private long firstBuffered;
    private long lastBuffered;

    // A 'c'/'+' record held for a possible '+' continuation.
    private Record held;
    private boolean holding;
    private long holdDeadlineNs;

    private boolean acked;
    private long lastAckNs;

    private long delivered;
    private long duplicates;
    private long missing;
    private long seqResets;
    private long outOfOrder;
    private long joined;

    public SequenceTracker(final TrackerConfig config) {
        this.config = config;
        this.mask = config.windowSize() - 1;
    }

    /** Feeds one record; its bytes are only valid during the call. */
    public void onRecord(final Record record, final long nowNs, final RecordListener listener) {
        final long seq = record.seq();
        if (!started) {
            started = true;
            next = seq;
        }
        final long distance = seq - next;
        if (distance == 0) {
            release(record, nowNs, listener);
            next++;
            drainBuffered(nowNs, listener);
        } else if (distance > 0 && distance < config.resetForwardDistance()) {
            if (distance >= config.windowSize()) {
                // Beyond the window: the oldest holes are given up now so that this record fits.
                while (seq - next >= config.windowSize()) {
                    giveUpHead(nowNs, listener, seq - config.windowSize() + 1);
                }
                if (seq == next) {
                    release(record, nowNs, listener);
                    next++;
                    drainBuffered(nowNs, listener);
                    return;
                }
            }
            buffer(record, seq, nowNs, listener);
        } else if (distance < 0 && -distance <= config.resetBackwardDistance()) {
            duplicates++;
            listener.onDuplicate(seq);
        } else {
            reset(record, nowNs, listener);
        }
    }

    /** Runs the timers: releases a held record whose wait is over and gives up holes past their timeout. */
    public void poll(final long nowNs, final RecordListener listener) {
        while (buffered > 0 && gapDeadlineNs() - nowNs <= 0) {
            giveUpHead(nowNs, listener, firstBuffered);
        }
        if (holding && holdDeadlineNs - nowNs <= 0) {
            releaseHeld(listener);
        }
    }

    /** When {@link #poll} next has work, or {@link Long#MAX_VALUE}. */
    public long nextDeadlineNs() {
        long deadline = Long.MAX_VALUE;
        if (buffered > 0) {
            deadline = gapDeadlineNs();
        }
        if (holding && (deadline == Long.MAX_VALUE || holdDeadlineNs - deadline < 0)) {
            deadline = holdDeadlineNs;
        }
        return deadline;
    }

    /**
     * Writes an ncrx acknowledgement ({@code ncrx<acked>[ <missing>...]}) if one is due: at most one per
     * {@code ackIntervalNs}, each hole re-requested at most once per {@code rerequestIntervalNs}.
     *
     * @return its length, or 0 when nothing is due.
     */
    public int ncrxResponse(final long nowNs, final MutableDirectBuffer dst, final int offset) {
        if (!started || (acked && nowNs - lastAckNs < config.ackIntervalNs())) {
            return 0;
        }
        acked = true;
        lastAckNs = nowNs;
        int length = NcrxMessage.encodeAck(dst, offset, next - 1);
        if (buffered > 0) {
            for (long s = next; s - lastBuffered < 0; s++) {
                final int slot = (int) s & mask;
                if (present[slot]) {
                    continue;
                }
                if (requestedSeq[slot] == s && nowNs - requestedNs[slot] < config.rerequestIntervalNs()) {
                    continue;
                }
                final int n = NcrxMessage.appendMissing(dst, offset + length, length, s);
                if (n == 0) {
                    break;
                }
                length += n;
                requestedSeq[slot] = s;
                requestedNs[slot] = nowNs;
            }
        }
        return length;
    }

    /**
     * Whether {@link #ncrxResponse} just held an acknowledgement back only because the last one was sent less than
     * {@code ackIntervalNs} ago: the caller sends it once the interval has passed, so that the last records of a
     * burst are acknowledged although nothing arrives after them.
     */
    public boolean ackRateLimited(final long nowNs) {
        return started && acked && nowNs - lastAckNs < config.ackIntervalNs();
    }

    /** The source goes away: releases everything held in order; holes among it are reported missing. */
    public void close(final RecordListener listener) {
        while (buffered > 0) {
            giveUpHead(0, listener, firstBuffered);
        }
        if (holding) {
            releaseHeld(listener);
        }
    }

    private void reset(final Record record, final long nowNs, final RecordListener listener) {
        close(listener);
        final long lastSeq = next - 1;
        seqResets++;
        listener.onSeqReset(lastSeq, record.seq());
        next = record.seq();
        release(record, nowNs, listener);
        next++;
    }

    private void buffer(final Record record, final long seq, final long nowNs, final RecordListener listener) {
        allocateWindow();
        final int slot = (int) seq & mask;
        if (present[slot]) {
            duplicates++;
            listener.onDuplicate(seq);
            return;
        }
        outOfOrder++;
        slots[slot].copyFrom(record);
        present[slot] = true;
        arrivalNs[slot] = nowNs;
        if (buffered == 0 || seq - firstBuffered < 0) {
            firstBuffered = seq;
        }
        if (buffered == 0 || seq - lastBuffered > 0) {
            lastBuffered = seq;
        }
        buffered++;
    }

    /** Releases the buffered records that follow {@code next} without a hole. */
    private void drainBuffered(final long nowNs, final RecordListener listener) {
        while (buffered > 0) {
            final int slot = (int) next & mask;
            if (!present[slot]) {
                break;
            }
            present[slot] = false;
            buffered--;
            release(slots[slot], nowNs, listener);
            next++;
        }
        if (buffered > 0) {
            advanceFirstBuffered();
        }
    }

    /**
     * Gives up the hole at the head of the window, whole (up to the first buffered record), or up to
     * {@code upTo} when nothing is buffered; then drains what follows it.
     */
    private void giveUpHead(final long nowNs, final RecordListener listener, final long upTo) {
        final long end = buffered > 0 ? firstBuffered : upTo;
        if (end - next > 0) {
            if (holding) {
                releaseHeld(listener);
            }
            missing += end - next;
            listener.onMissing(next, end - 1);
            next = end;
        }
        drainBuffered(nowNs, listener);
    }

    private void advanceFirstBuffered() {
        long s = next;
        while (!present[(int) s & mask]) {
            s++;
        }
        firstBuffered = s;
    }

    private long gapDeadlineNs() {
        return arrivalNs[(int) firstBuffered & mask] + config.gapTimeoutNs();
    }

    /** Hands an in-order record on, holding or joining {@code c}/{@code +} records. */
    private void release(final Record record, final long nowNs, final RecordListener listener) {
        delivered++;
        final byte flag = record.flag();
        if (holding) {
            if (flag == Wire.FLAG_CONT_MORE) {
                held.appendContinuation(record);
                joined++;
                holdDeadlineNs = nowNs + config.contHoldNs();
                return;
            }
            releaseHeld(listener);
        }
        if ((flag == Wire.FLAG_CONT || flag == Wire.FLAG_CONT_MORE) && config.contHoldNs() > 0) {
            if (held == null) {
                held = new Record();
            }
            held.copyFrom(record);
            holding = true;
            holdDeadlineNs = nowNs + config.contHoldNs();
            return;
        }
        listener.onRecord(record);
    }

    private void releaseHeld(final RecordListener listener) {
        holding = false;
        listener.onRecord(held);
    }

    private void allocateWindow() {
        if (slots == null) {
            final int n = config.windowSize();
            slots = new Record[n];
            for (int i = 0; i < n; i++) {
                slots[i] = new Record();
            }
            present = new boolean[n];
            arrivalNs = new long[n];
            requestedSeq = new long[n];
            requestedNs = new long[n];
            java.util.Arrays.fill(requestedSeq, -1);
        }
    }

    public TrackerConfig config() {
        return config;
    }

    /** Seqs released to the listener (joined continuations included). */
    public long delivered() {
        return delivered;
    }

    public long duplicates() {
        return duplicates;
    }

    /** Seqs given up as missing. */
    public long missing() {
        return missing;
    }

    public long seqResets() {
        return seqResets;
    }

    /** Records that arrived ahead of a hole and waited in the window. */
    public long outOfOrder() {
        return outOfOrder;
    }

    /** {@code +} records joined onto the record before them. */
    public long joined() {
        return joined;
    }

    /** Records waiting in the window, plus a held continuation candidate. */
    public int pending() {
        return buffered + (holding ? 1 : 0);
    }

    /** The next seq expected; every seq before it is retired. Meaningless before the first record. */
    public long expectedSeq() {
        return next;
    }

    public boolean hasStarted() {
        return started;
    }
}
