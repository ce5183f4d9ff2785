package dev.netcon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Everything one source's datagrams go through, as a pure state machine: decode, reassemble fragments,
 * check the body, order by sequence and give up gaps ({@link SequenceTracker}). The caller feeds datagrams
 * and the time, and calls {@link #poll} at {@link #nextDeadlineNs()}; results go to a {@link RecordListener}.
 *
 * <p>One instance per source, used by one thread. The decoder and scratch record are shared by all the
 * sources of that thread, so an idle source holds only its tracker and counters.
 */
public final class SourceSequencer {
    private final SequencerConfig config;
    private final FrameDecoder decoder;
    private final Record scratch;
    private final SequenceTracker tracker;
    private FragmentReassembler reassembler;
    private long fragmentsReported;
    private long plainFrames;
    private long fragments;
    private long duplicateFragments;
    private long rejected;

    public SourceSequencer(final SequencerConfig config, final FrameDecoder sharedDecoder, final Record sharedScratch) {
        this.config = config;
        this.decoder = sharedDecoder;
        this.scratch = sharedScratch;
        this.tracker = new SequenceTracker(config.tracker());
    }

    /**
     * Processes one datagram of this source.
     *
     * @return {@link FrameError#NONE} when accepted (delivered, buffered, a fragment kept, a duplicate), else
     * why it was rejected (also passed to {@link RecordListener#onRejected}).
     */
    public FrameError onDatagram(final DirectBuffer buffer, final int offset, final int length, final long nowNs,
                                 final RecordListener listener) {
        FrameError error = decoder.decode(buffer, offset, length);
        if (error != FrameError.NONE) {
            return reject(error, listener);
        }
        if (!decoder.isExtended()) {
            plainFrames++;
            listener.onPlain(buffer, offset, length);
            return FrameError.NONE;
        }
        if (decoder.isFragment()) {
            fragments++;
            final FragmentReassembler r = reassembler();
            final int result = r.onFragment(decoder, nowNs);
            reportExpiredFragments(listener);
            switch (result) {
                case FragmentReassembler.INCOMPLETE:
                    return FrameError.NONE;
                case FragmentReassembler.DUPLICATE:
                    duplicateFragments++;
                    return FrameError.NONE;
                case FragmentReassembler.REJECTED:
                    return reject(r.error(), listener);
                default:
                    scratch.wrap(decoder, r.body(), 0, r.bodyLength());
            }
        } else {
            scratch.wrap(decoder, buffer, decoder.bodyOffset(), decoder.bodyLength());
        }
        error = scratch.parseBody();
        if (error != FrameError.NONE) {
            return reject(error, listener);
        }
        tracker.onRecord(scratch, nowNs, listener);
        return FrameError.NONE;
    }

    /** Runs the timers: gives up expired gaps and partial records. */
    public void poll(final long nowNs, final RecordListener listener) {
        if (reassembler != null) {
            reassembler.expire(nowNs);
            reportExpiredFragments(listener);
        }
        tracker.poll(nowNs, listener);
    }

    /** When {@link #poll} should next run, or {@link Long#MAX_VALUE}. */
    public long nextDeadlineNs() {
        final long t = tracker.nextDeadlineNs();
        final long f = reassembler == null ? Long.MAX_VALUE : reassembler.nextDeadlineNs();
        if (t == Long.MAX_VALUE) {
            return f;
        }
        if (f == Long.MAX_VALUE) {
            return t;
        }
        return f - t < 0 ? f : t;
    }

    /** Writes an ncrx acknowledgement if one is due (reliable mode); returns its length or 0. */
    public int ncrxResponse(final long nowNs, final MutableDirectBuffer dst, final int offset) {
        return tracker.ncrxResponse(nowNs, dst, offset);
    }

    /** The source goes away: releases what is held, in order; partial records are given up. */
    public void close(final RecordListener listener) {
        if (reassembler != null) {
            reassembler.clear();
            reportExpiredFragments(listener);
        }
        tracker.close(listener);
    }

    public SequenceTracker tracker() {
        return tracker;
    }

    public SequencerConfig config() {
        return config;
    }

    /** Partial records given up (timed out, evicted for room, or dropped at close). */
    public long fragmentsExpired() {
        return fragmentsReported;
    }

    public long plainFrames() {
        return plainFrames;
    }

    /** Fragment datagrams received, duplicates included. */
    public long fragments() {
        return fragments;
    }

    public long duplicateFragments() {
        return duplicateFragments;
    }

    /** Datagrams and records rejected, all reasons. */
    public long rejected() {
        return rejected;
    }

    private FrameError reject(final FrameError error, final RecordListener listener) {
        rejected++;
        listener.onRejected(error);
        return error;
    }

    private void reportExpiredFragments(final RecordListener listener) {
        final long expired = reassembler.expired();
        if (expired != fragmentsReported) {
            listener.onFragmentsExpired((int) (expired - fragmentsReported));
            fragmentsReported = expired;
        }
    }

    private FragmentReassembler reassembler() {
        if (reassembler == null) {
            reassembler = new FragmentReassembler(config.maxPartialRecords(), config.maxRecordLength(),
                config.fragmentTimeoutNs());
        }
        return reassembler;
    }
}
