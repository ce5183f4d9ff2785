package dev.netcon.sender;

/** What {@link NetconSender#writeFrame}, {@link NetconSender#offerFrame} and {@link NetconSender#offerDropReport} did. */
public enum FrameStatus {
    /** Queued: the agent will send it. */
    QUEUED,
    /**
     * The ring was full. From {@code writeFrame} the record was dropped and will be reported like any drop; from
     * {@code offer*} nothing was counted and the caller still holds the record (retry later or give up).
     */
    FULL,
    /** Not an unfragmented extended frame with a valid body: not queued, counted as rejected. */
    INVALID,
    /** Longer than the builder's maxRecordBytes once host= (and the release) were added: not queued, counted as rejected. */
    TOO_LONG,
    /** The sender is closed. */
    CLOSED
}
