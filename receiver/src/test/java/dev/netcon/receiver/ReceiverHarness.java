package dev.netcon.receiver;

import org.awaitility.Awaitility;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A real receiver on loopback (ephemeral ports) for tests, and helpers to talk to it. */
final class ReceiverHarness implements AutoCloseable {
    final Path dataDir;
    final Receiver receiver;
    private final HttpClient http = HttpClient.newHttpClient();

    ReceiverHarness(final Path dataDir, final java.util.function.UnaryOperator<ReceiverConfig> tweak) throws IOException {
        this.dataDir = dataDir;
        final ReceiverConfig base = new ReceiverConfig(List.of(new InetSocketAddress("127.0.0.1", 0)),
            new InetSocketAddress("127.0.0.1", 0), dataDir, false, List.of(), 1, 2, 8 << 20, 4 << 20, 100_000,
            TimeUnit.HOURS.toNanos(1), 0, 0, TimeUnit.MILLISECONDS.toNanos(300), 256, 100,
            new FileStore.StoreConfig(64L << 20, TimeUnit.DAYS.toMillis(1), TimeUnit.DAYS.toMillis(7), 1L << 30, 50, false, 64 << 10));
        this.receiver = new Receiver(tweak.apply(base)).start();
    }

    InetSocketAddress udp() {
        return receiver.udpAddress();
    }

    String get(final String path) throws IOException, InterruptedException {
        final InetSocketAddress a = receiver.httpAddress();
        final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    static void send(final DatagramSocket socket, final InetSocketAddress to, final byte[] payload) throws IOException {
        socket.send(new DatagramPacket(payload, payload.length, to));
    }

    static void await(final BooleanSupplier condition) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(condition::getAsBoolean);
    }

    /** Lines stored for {@code host} so far, for waiting on the flusher; -1 while the file cannot be read. */
    int storedLines(final String host) {
        try {
            return lines(host).size();
        } catch (final IOException e) {
            return -1;
        }
    }

    List<String> lines(final String host) throws IOException {
        final Path p = dataDir.resolve(host).resolve(FileStore.ACTIVE);
        return Files.exists(p) ? Files.readAllLines(p) : List.of();
    }

    @Override
    public void close() {
        receiver.close();
    }
}
