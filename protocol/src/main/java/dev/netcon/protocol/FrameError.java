package dev.netcon.protocol;

/**
 * Every way a datagram or a record can be rejected. Decoders return one of these instead of throwing,
 * and the receiver counts them per source under {@link #metricName()}.
 */
public enum FrameError {
    /** Accepted. */
    NONE("none", "accepted"),
    /** A datagram with no bytes. */
    EMPTY("empty", "empty datagram"),
    /** The frame starts like an extended header but has no ';' ending it. */
    NO_HEADER("no_header", "extended header not terminated by ';'"),
    /** A header field that must be a decimal number is empty, not decimal, or too large for its type. */
    BAD_NUMBER("bad_number", "header field is not a valid decimal number"),
    /** The prefix (facility &lt;&lt; 3 | level) is outside 0..1023. */
    BAD_PREFIX("bad_prefix", "prefix out of range"),
    /** The sequence number does not fit in 64 unsigned bits. */
    SEQ_OVERFLOW("seq_overflow", "sequence number above 2^64-1"),
    /** The flag field is not one of '-', 'c', '+'. */
    BAD_FLAG("bad_flag", "flag is not '-', 'c' or '+'"),
    /** A header key=value field could not be parsed. */
    BAD_FIELD("bad_field", "malformed header field"),
    /** The release prepend is too long or holds bytes a release string cannot hold. */
    BAD_RELEASE("bad_release", "malformed release prefix"),
    /** A backslash in the body is not followed by xNN with two hex digits. */
    BAD_ESCAPE("bad_escape", "invalid \\xNN escape"),
    /** A dictionary line does not have the form " KEY=VALUE". */
    BAD_DICTIONARY("bad_dictionary", "malformed dictionary line"),
    /** ncfrag=offset/total is malformed or the fragment does not lie inside 0..total. */
    FRAGMENT_OUT_OF_RANGE("fragment_out_of_range", "ncfrag offset/length outside the record"),
    /** Two fragments of one record disagree on the total, or overlapping bytes differ. */
    FRAGMENT_INCONSISTENT("fragment_inconsistent", "fragments of one record disagree"),
    /** The datagram or the reassembled record is larger than the configured limit. */
    OVERSIZE("oversize", "frame or record larger than the limit"),
    /** The frame ends before the header does. */
    TRUNCATED("truncated", "frame ends inside the header");

    private final String metricName;
    private final String description;

    FrameError(final String metricName, final String description) {
        this.metricName = metricName;
        this.description = description;
    }

    /** Snake-case name used as a metric tag and a JSON key. */
    public String metricName() {
        return metricName;
    }

    /** One line a person reads. */
    public String description() {
        return description;
    }
}
