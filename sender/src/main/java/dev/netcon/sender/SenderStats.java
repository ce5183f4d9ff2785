package dev.netcon.sender;

/**
 * A snapshot of a sender's counters.
 *
 * @param written      records accepted by write()
 * @param droppedRingFull   records dropped because the ring was full
 * @param droppedWouldBlock records dropped because the socket would have blocked
 * @param droppedSendFailed records dropped because the send failed
 * @param truncated    records whose text was cut to the maximum record size
 * @param sentRecords  records whose every datagram was sent
 * @param sentDatagrams datagrams sent (fragments count one each)
 * @param fragmented   records sent in more than one datagram
 * @param sentBytes    datagram bytes sent
 * @param dropReports  in-band drop reports queued (the sender's own, and pass-through callers' offerDropReport)
 * @param rejected     pass-through frames refused as invalid or too long
 */
public record SenderStats(long written, long droppedRingFull, long droppedWouldBlock, long droppedSendFailed, long truncated,
                          long sentRecords, long sentDatagrams, long fragmented, long sentBytes, long dropReports,
                          long rejected) {
    public long dropped() {
        return droppedRingFull + droppedWouldBlock + droppedSendFailed;
    }

    @Override
    public String toString() {
        return "written " + written + ", sent " + sentRecords + " records in " + sentDatagrams + " datagrams (" + sentBytes
            + " bytes, " + fragmented + " fragmented), dropped " + dropped() + " (ring full " + droppedRingFull
            + ", would block " + droppedWouldBlock + ", send failed " + droppedSendFailed + "), truncated " + truncated
            + ", drop reports " + dropReports + (rejected == 0 ? "" : ", rejected " + rejected);
    }
}
