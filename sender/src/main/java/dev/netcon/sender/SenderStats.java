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
 * @param unackedEvicted reliable mode: records that left the resend history before they were acknowledged
 * @param retransmitted  reliable mode: records resent because the receiver named them missing
 * @param emergencyResends reliable mode: records resent marked {@code ncemg=1} while acknowledgements had stopped
 * @param ackedSeq       reliable mode: the newest seq the receiver acknowledged, or -1
 * @param failedAfterQueued datagrams the kernel refused after the epoll transport had queued them (no seq can be
 *                          named, so they are not in the in-band reports)
 */
public record SenderStats(long written, long droppedRingFull, long droppedWouldBlock, long droppedSendFailed, long truncated,
                          long sentRecords, long sentDatagrams, long fragmented, long sentBytes, long dropReports,
                          long rejected, long unackedEvicted, long retransmitted, long emergencyResends, long ackedSeq,
                          long failedAfterQueued) {
    public long dropped() {
        return droppedRingFull + droppedWouldBlock + droppedSendFailed;
    }

    @Override
    public String toString() {
        return "written " + written + ", sent " + sentRecords + " records in " + sentDatagrams + " datagrams (" + sentBytes
            + " bytes, " + fragmented + " fragmented), dropped " + dropped() + " (ring full " + droppedRingFull
            + ", would block " + droppedWouldBlock + ", send failed " + droppedSendFailed + "), truncated " + truncated
            + ", drop reports " + dropReports + (rejected == 0 ? "" : ", rejected " + rejected)
            + (failedAfterQueued == 0 ? "" : ", datagrams failed after queuing " + failedAfterQueued)
            + (ackedSeq == -1 && retransmitted == 0 && emergencyResends == 0 ? ""
            : ", acked up to " + ackedSeq + ", retransmitted " + retransmitted + ", emergency resends " + emergencyResends
            + ", unacked evicted " + unackedEvicted);
    }
}
