package dev.netcon.bench.raw;

import dev.netcon.bench.udp.CountingReceiver;
import dev.netcon.bench.udp.DatagramCounter;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * The raw loopback UDP limit that design.md section 8 measures netcon against: bare senders and receivers
 * that do nothing but socket calls, 100-byte datagrams, every sender against every receiver, each pair for a
 * fixed time, repeated in rounds (interleaved, so that other load on the machine hits every pair alike).
 * netcon's own sender runs in the same rounds, so that its ratio to the bare batched sender is measured
 * side by side.
 *
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *     dev.netcon.bench.raw.RawUdpBaseline [--seconds 3] [--rounds 3] [--size 100] [--batch 64] [--only blast,single]
 * </pre>
 *
 * Rates are taken over the steady part of each run (after a warm-up: half a second, 2.5 s for blast's own JVM): sent/s is what the
 * kernel accepted from the sender, received/s what the receiver read; the difference was dropped by the
 * kernel because the receiver's socket buffer was full.
 */
public final class RawUdpBaseline {
    private RawUdpBaseline() {
    }

    /** A sender and a receiver, made fresh for every run. */
    private record Pair(String sender, IntFunction<LoadSender> newSender, String receiver, IntFunction<DatagramCounter> newReceiver) {
    }

    /** One run's rates. */
    private record Rates(double sent, double received) {
    }

    public static void main(final String[] args) throws Exception {
        // Netty would log through SLF4J, i.e. Logback's debug-level default; keep its start-up chatter quiet.
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        final Options options = Options.parse(args);
        final byte[] payload = new byte[options.size];
        Arrays.fill(payload, (byte) 'x');

        final List<Pair> pairs = new ArrayList<>(List.of(
            new Pair("batched", BatchedSender::new, "recvmmsg", RawUdpBaseline::recvmmsg),
            new Pair("batched", BatchedSender::new, "plain", batch -> plain()),
            new Pair("single", batch -> new SingleSender(), "recvmmsg", RawUdpBaseline::recvmmsg),
            new Pair("single", batch -> new SingleSender(), "plain", batch -> plain()),
            // netcon's agent in the same rounds: the in-run reference for design.md's 90% target.
            new Pair("netcon-park", batch -> new NetconLoadSender(true), "recvmmsg", RawUdpBaseline::recvmmsg),
            new Pair("netcon-park", batch -> new NetconLoadSender(true), "plain", batch -> plain()),
            new Pair("netcon-spin", batch -> new NetconLoadSender(false), "recvmmsg", RawUdpBaseline::recvmmsg),
            new Pair("netcon-spin", batch -> new NetconLoadSender(false), "plain", batch -> plain())));
        final java.nio.file.Path blastJar = BlastProcessSender.findJar();
        if (blastJar != null) { // netcon blast in the same rounds: the in-run reference for its 90% target
            pairs.add(new Pair("blast", batch -> new BlastProcessSender(blastJar), "recvmmsg", RawUdpBaseline::recvmmsg));
            pairs.add(new Pair("blast", batch -> new BlastProcessSender(blastJar), "plain", batch -> plain()));
        } else {
            System.out.println("(cli/target/netcon.jar not built: netcon blast is left out; -Dnetcon.jar=PATH names another)");
        }
        if (options.only != null) { // the batched sender stays: it is what every ratio is taken against
            pairs.removeIf(p -> !p.sender.equals("batched") && !options.only.contains(p.sender));
        }
        final List<List<Rates>> results = new ArrayList<>();
        pairs.forEach(p -> results.add(new ArrayList<>()));

        System.out.printf("raw loopback UDP baseline: %d-byte datagrams, %d s per run, %d rounds, batch %d, %d CPUs, Java %s%n",
            options.size, options.seconds, options.rounds, options.batch, Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"));
        for (int round = 1; round <= options.rounds; round++) {
            for (int i = 0; i < pairs.size(); i++) {
                final Pair pair = pairs.get(i);
                final Rates rates = run(pair, options, payload);
                results.get(i).add(rates);
                System.out.printf(Locale.ROOT, "round %d  %-11s -> %-8s  sent %,12.0f/s  received %,12.0f/s%n",
                    round, pair.sender, pair.receiver, rates.sent, rates.received);
            }
        }

        final double[] sent = new double[pairs.size()];
        final double[] received = new double[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            sent[i] = median(results.get(i).stream().mapToDouble(Rates::sent).toArray());
            received[i] = median(results.get(i).stream().mapToDouble(Rates::received).toArray());
        }
        System.out.printf("%nmedian of %d rounds (last column: received/s as a share of the batched sender's, same receiver)%n",
            options.rounds);
        System.out.printf("%-11s  %-8s  %14s  %14s  %10s  %10s%n", "sender", "receiver", "sent/s", "received/s", "received",
            "vs batched");
        for (int i = 0; i < pairs.size(); i++) {
            final Pair pair = pairs.get(i);
            final double batched = received[indexOf(pairs, "batched", pair.receiver)];
            System.out.printf(Locale.ROOT, "%-11s  %-8s  %,14.0f  %,14.0f  %9.1f%%  %9.1f%%%n", pair.sender, pair.receiver,
                sent[i], received[i], 100 * received[i] / sent[i], 100 * received[i] / batched);
        }
        System.out.println();
        LEGEND.forEach(line -> System.out.println("  " + line));
    }

    /** What each sender and receiver is, in the order first used. */
    private static final Set<String> LEGEND = new LinkedHashSet<>();

    private static int indexOf(final List<Pair> pairs, final String sender, final String receiver) {
        for (int i = 0; i < pairs.size(); i++) {
            if (pairs.get(i).sender.equals(sender) && pairs.get(i).receiver.equals(receiver)) {
                return i;
            }
        }
        throw new IllegalArgumentException(sender + " -> " + receiver);
    }

    private static Rates run(final Pair pair, final Options options, final byte[] payload) throws Exception {
        try (DatagramCounter receiver = pair.newReceiver.apply(options.batch);
             LoadSender sender = pair.newSender.apply(options.batch)) {
            LEGEND.add(sender.describe());
            LEGEND.add(receiver.describe());
            sender.start(receiver.address(), payload);
            Thread.sleep(sender.warmupMillis());
            final long sent0 = sender.sent();
            final long received0 = receiver.received();
            final long t0 = System.nanoTime();
            Thread.sleep(options.seconds * 1000L);
            final long sent1 = sender.sent();
            final long received1 = receiver.received();
            final double seconds = (System.nanoTime() - t0) / 1e9;
            final double sentRate = sent0 < 0 ? Double.NaN : (sent1 - sent0) / seconds; // NaN: not visible (blast)
            return new Rates(sentRate, (received1 - received0) / seconds);
        }
    }

    private static DatagramCounter recvmmsg(final int batch) {
        try {
            return new RecvmmsgReceiver(batch);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding", e);
        }
    }

    private static DatagramCounter plain() {
        try {
            return new CountingReceiver();
        } catch (final java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double median(final double[] values) {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Command-line settings. */
    private static final class Options {
        int seconds = 3;
        int rounds = 3;
        int size = 100;
        int batch = 64;
        List<String> only;

        static Options parse(final String[] args) {
            final Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                final String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--seconds" -> o.seconds = positive(args[i], value);
                    case "--rounds" -> o.rounds = positive(args[i], value);
                    case "--size" -> o.size = positive(args[i], value);
                    case "--batch" -> o.batch = positive(args[i], value);
                    case "--only" -> {
                        if (value == null) {
                            throw new IllegalArgumentException("--only needs a value, e.g. --only blast");
                        }
                        o.only = List.of(value.split(","));
                    }
                    case "-h", "--help" -> {
                        System.out.println("usage: RawUdpBaseline [--seconds 3] [--rounds 3] [--size 100] [--batch 64] [--only SENDER,...]");
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + " (try --help)");
                }
                i++;
            }
            return o;
        }

        private static int positive(final String name, final String value) {
            if (value == null) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            final int n = Integer.parseInt(value);
            if (n <= 0) {
                throw new IllegalArgumentException(name + "=" + n + " must be positive");
            }
            return n;
        }
    }
}
