package dev.netcon.sender;

import dev.netcon.protocol.FrameDecoder;
import dev.netcon.protocol.Record;
import dev.netcon.protocol.RecordListener;
import dev.netcon.protocol.SequencerConfig;
import dev.netcon.protocol.SourceSequencer;
import dev.netcon.protocol.TrackerConfig;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real UDP socket on loopback that decodes what arrives with the protocol module (reassembly and ordering
 * included), for asserting what a sender put on the wire.
 */
final class LoopbackReceiver implements AutoCloseable, RecordListener {
    /** A record as received. */
    record Received(long seq, int level, String text, Map<String, String> dict) {
    }

    final DatagramSocket socket;
    final List<Received> records = new ArrayList<>();
    final List<long[]> missing = new ArrayList<>();
    /** Every datagram as it arrived, as text (ISO-8859-1: byte for byte). */
    final List<String> raw = new ArrayList<>();
    volatile int datagrams;
    private final SourceSequencer sequencer;
    private final Thread thread;
    private volatile boolean running = true;

    LoopbackReceiver() throws Exception {
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setReceiveBufferSize(8 << 20);
        socket.setSoTimeout(50);
        // A window that covers a whole test run: late seqs of descheduled writers are reordered, never given up.
        final SequencerConfig config = SequencerConfig.builder()
            .tracker(TrackerConfig.builder().windowSize(1 << 15).gapTimeoutNs(Long.MAX_VALUE / 4).build()).build();
        sequencer = new SourceSequencer(config, new FrameDecoder(), new Record());
        thread = new Thread(this::run, "loopback-receiver");
        thread.start();
    }

    String target() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    private void run() {
        final byte[] buf = new byte[65536];
        final DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (running) {
            try {
                socket.receive(p);
            } catch (final SocketTimeoutException e) {
                continue;
            } catch (final Exception e) {
                return;
            }
            synchronized (this) {
                datagrams++;
                raw.add(new String(buf, 0, p.getLength(), java.nio.charset.StandardCharsets.ISO_8859_1));
                sequencer.onDatagram(new UnsafeBuffer(buf), 0, p.getLength(), 0, this);
            }
        }
    }

    synchronized List<String> raw() {
        return List.copyOf(raw);
    }

    synchronized int count() {
        return records.size();
    }

    /** Stops receiving and releases what waits behind holes (holes become missing). */
    synchronized List<Received> finish() throws InterruptedException {
        running = false;
        thread.join();
        sequencer.close(this);
        return records;
    }

    @Override
    public void onRecord(final Record r) {
        final Map<String, String> dict = new ConcurrentHashMap<>();
        for (int i = 0; i < r.dictCount(); i++) {
            dict.put(r.dictKey(i), r.dictValue(i));
        }
        records.add(new Received(r.seq(), r.level(), r.text(), dict));
    }

    @Override
    public void onMissing(final long first, final long last) {
        missing.add(new long[] {first, last});
    }

    @Override
    public void onSeqReset(final long last, final long next) {
        throw new AssertionError("unexpected reset " + last + " -> " + next);
    }

    @Override
    public void close() throws Exception {
        running = false;
        thread.join();
        socket.close();
    }
}
