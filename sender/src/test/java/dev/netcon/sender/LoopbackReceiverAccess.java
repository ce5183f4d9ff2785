package dev.netcon.sender;

import java.util.List;

/** The package-private {@link LoopbackReceiver}, for the adapter tests in their own package. */
public final class LoopbackReceiverAccess implements AutoCloseable {
    /** A record as received. */
    public record Received(long seq, int level, String text, java.util.Map<String, String> dict) {
    }

    private final LoopbackReceiver rx;

    public LoopbackReceiverAccess() throws Exception {
        rx = new LoopbackReceiver();
    }

    public String target() {
        return rx.target();
    }

    public int count() {
        return rx.count();
    }

    public List<Received> finish() throws InterruptedException {
        return rx.finish().stream().map(r -> new Received(r.seq(), r.level(), r.text(), r.dict())).toList();
    }

    @Override
    public void close() throws Exception {
        rx.close();
    }
}
