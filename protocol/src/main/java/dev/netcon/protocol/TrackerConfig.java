package dev.netcon.protocol;

/**
 * Settings of a {@link SequenceTracker}. Immutable; build with {@link #builder()}. Units are in the names;
 * defaults are the {@code DEFAULT_*} constants.
 */
public final class TrackerConfig {
    /** Reorder window, in records (power of two). */
    public static final int DEFAULT_WINDOW_SIZE = 256;
    /** A hole not filled within this is given up as MISSING: LAN reordering is microseconds. */
    public static final long DEFAULT_GAP_TIMEOUT_NS = 1_000_000_000L;
    /** How long a released {@code c}/{@code +} record waits for a {@code +} continuation. */
    public static final long DEFAULT_CONT_HOLD_NS = 200_000_000L;
    /** ncrx: re-request a hole at most this often (netconsd's default). */
    public static final long DEFAULT_REREQUEST_INTERVAL_NS = 1_000_000_000L;
    /** ncrx: acknowledge at most this often. */
    public static final long DEFAULT_ACK_INTERVAL_NS = 100_000_000L;
    /** A seq more than this far ahead of the expected one is a sequence reset, not a gap. */
    public static final long DEFAULT_RESET_FORWARD_DISTANCE = 1L << 24;

    private final int windowSize;
    private final long gapTimeoutNs;
    private final long contHoldNs;
    private final long rerequestIntervalNs;
    private final long ackIntervalNs;
    private final long resetBackwardDistance;
    private final long resetForwardDistance;

    private TrackerConfig(final Builder b) {
        windowSize = b.windowSize;
        gapTimeoutNs = b.gapTimeoutNs;
        contHoldNs = b.contHoldNs;
        rerequestIntervalNs = b.rerequestIntervalNs;
        ackIntervalNs = b.ackIntervalNs;
        resetBackwardDistance = b.resetBackwardDistance > 0 ? b.resetBackwardDistance : 2L * b.windowSize;
        resetForwardDistance = b.resetForwardDistance;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int windowSize() {
        return windowSize;
    }

    public long gapTimeoutNs() {
        return gapTimeoutNs;
    }

    public long contHoldNs() {
        return contHoldNs;
    }

    public long rerequestIntervalNs() {
        return rerequestIntervalNs;
    }

    public long ackIntervalNs() {
        return ackIntervalNs;
    }

    /**
     * A seq more than this far below the expected one is a sequence reset (the sender restarted); closer, it
     * is a duplicate. Default twice the window.
     */
    public long resetBackwardDistance() {
        return resetBackwardDistance;
    }

    public long resetForwardDistance() {
        return resetForwardDistance;
    }

    public static final class Builder {
        private int windowSize = DEFAULT_WINDOW_SIZE;
        private long gapTimeoutNs = DEFAULT_GAP_TIMEOUT_NS;
        private long contHoldNs = DEFAULT_CONT_HOLD_NS;
        private long rerequestIntervalNs = DEFAULT_REREQUEST_INTERVAL_NS;
        private long ackIntervalNs = DEFAULT_ACK_INTERVAL_NS;
        private long resetBackwardDistance;
        private long resetForwardDistance = DEFAULT_RESET_FORWARD_DISTANCE;

        public Builder windowSize(final int records) {
            windowSize = records;
            return this;
        }

        public Builder gapTimeoutNs(final long ns) {
            gapTimeoutNs = ns;
            return this;
        }

        public Builder contHoldNs(final long ns) {
            contHoldNs = ns;
            return this;
        }

        public Builder rerequestIntervalNs(final long ns) {
            rerequestIntervalNs = ns;
            return this;
        }

        public Builder ackIntervalNs(final long ns) {
            ackIntervalNs = ns;
            return this;
        }

        public Builder resetBackwardDistance(final long records) {
            resetBackwardDistance = records;
            return this;
        }

        public Builder resetForwardDistance(final long records) {
            resetForwardDistance = records;
            return this;
        }

        public TrackerConfig build() {
            if (windowSize < 2 || Integer.bitCount(windowSize) != 1 || windowSize > 1 << 20) {
                throw new IllegalArgumentException("windowSize=" + windowSize + " must be a power of two in 2..2^20");
            }
            if (gapTimeoutNs <= 0 || contHoldNs < 0 || rerequestIntervalNs < 0 || ackIntervalNs < 0) {
                throw new IllegalArgumentException("timeouts must be positive: gapTimeoutNs=" + gapTimeoutNs
                    + " contHoldNs=" + contHoldNs + " rerequestIntervalNs=" + rerequestIntervalNs
                    + " ackIntervalNs=" + ackIntervalNs);
            }
            if (resetForwardDistance <= windowSize) {
                throw new IllegalArgumentException("resetForwardDistance=" + resetForwardDistance + " must exceed windowSize="
                    + windowSize);
            }
            return new TrackerConfig(this);
        }
    }
}
