package dev.netcon.protocol;

/**
 * Settings of one source's pipeline ({@link SourceSequencer}): fragment reassembly bounds and the
 * ordering window ({@link TrackerConfig}). Immutable; build with {@link #builder()}.
 */
public final class SequencerConfig {
    /** Partial records in progress per source (default 4). */
    public static final int DEFAULT_MAX_PARTIAL_RECORDS = 4;
    /** A partial record is given up this long after its first fragment (default 5 s). */
    public static final long DEFAULT_FRAGMENT_TIMEOUT_NS = 5_000_000_000L;

    private final TrackerConfig tracker;
    private final int maxPartialRecords;
    private final long fragmentTimeoutNs;
    private final int maxRecordLength;
    private final int maxFrameLength;

    private SequencerConfig(final Builder b) {
        this.tracker = b.tracker;
        this.maxPartialRecords = b.maxPartialRecords;
        this.fragmentTimeoutNs = b.fragmentTimeoutNs;
        this.maxRecordLength = b.maxRecordLength;
        this.maxFrameLength = b.maxFrameLength;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults everywhere. */
    public static SequencerConfig defaults() {
        return builder().build();
    }

    public TrackerConfig tracker() {
        return tracker;
    }

    public int maxPartialRecords() {
        return maxPartialRecords;
    }

    public long fragmentTimeoutNs() {
        return fragmentTimeoutNs;
    }

    /** Largest reassembled record body accepted (default {@link FrameDecoder#DEFAULT_MAX_RECORD_LENGTH}). */
    public int maxRecordLength() {
        return maxRecordLength;
    }

    /** Largest datagram accepted (default {@link FrameDecoder#DEFAULT_MAX_FRAME_LENGTH}). */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    public static final class Builder {
        private TrackerConfig tracker = TrackerConfig.builder().build();
        private int maxPartialRecords = DEFAULT_MAX_PARTIAL_RECORDS;
        private long fragmentTimeoutNs = DEFAULT_FRAGMENT_TIMEOUT_NS;
        private int maxRecordLength = FrameDecoder.DEFAULT_MAX_RECORD_LENGTH;
        private int maxFrameLength = FrameDecoder.DEFAULT_MAX_FRAME_LENGTH;

        public Builder tracker(final TrackerConfig tracker) {
            this.tracker = tracker;
            return this;
        }

        public Builder maxPartialRecords(final int n) {
            this.maxPartialRecords = n;
            return this;
        }

        public Builder fragmentTimeoutNs(final long ns) {
            this.fragmentTimeoutNs = ns;
            return this;
        }

        public Builder maxRecordLength(final int bytes) {
            this.maxRecordLength = bytes;
            return this;
        }

        public Builder maxFrameLength(final int bytes) {
            this.maxFrameLength = bytes;
            return this;
        }

        public SequencerConfig build() {
            if (tracker == null) {
                throw new IllegalArgumentException("tracker config is required");
            }
            if (maxPartialRecords < 1) {
                throw new IllegalArgumentException("maxPartialRecords=" + maxPartialRecords + " must be >= 1");
            }
            if (fragmentTimeoutNs <= 0) {
                throw new IllegalArgumentException("fragmentTimeoutNs=" + fragmentTimeoutNs + " must be > 0");
            }
            if (maxRecordLength < Wire.MAX_PAYLOAD || maxFrameLength < Wire.MAX_PAYLOAD) {
                throw new IllegalArgumentException("maxRecordLength=" + maxRecordLength + " and maxFrameLength="
                    + maxFrameLength + " must be >= " + Wire.MAX_PAYLOAD);
            }
            return new SequencerConfig(this);
        }
    }
}
