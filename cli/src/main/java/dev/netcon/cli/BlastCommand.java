package dev.netcon.cli;

import dev.netcon.protocol.Wire;
import dev.netcon.sender.NetconSender;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code netcon blast}: the load generator. {@link BlastRun} makes and sends the datagrams on the event loop
 * of {@link BlastSockets} (Netty's epoll transport where available, batched into {@code sendmmsg} calls), so
 * that one blast process can load a receiver. Each simulated host has its own socket (source port), sequence
 * and {@code host=} name; records can be lost, reordered and duplicated on purpose (seeded), and the summary
 * says exactly what was done so that a script can compare it with {@code netcon stats --json}.
 */
@Command(name = "blast", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
    description = {"Send generated records from simulated hosts, each with its own source port, seq and host= name. "
        + "--loss/--reorder/--dup impair the stream on purpose (seeded); a host's first and last records are never "
        + "lost, so every loss is a gap the receiver can see. Prints what each host sent.",
        "", "Example: netcon blast --target 127.0.0.1:6666 --hosts 100 --records 10000 --size 100 --loss 0.01"})
public final class BlastCommand implements Callable<Integer> {
    @Option(names = "--target", paramLabel = "HOST:PORT", defaultValue = "${env:NETCON_TARGET:-127.0.0.1:6666}", description = "Receiver.")
    String target;

    @Option(names = "--hosts", paramLabel = "N", defaultValue = "1", description = "Simulated hosts (one socket each).")
    int hosts;

    @Option(names = "--records", paramLabel = "N", defaultValue = "1000", description = "Records per host.")
    long records;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100", description = "Text bytes per record.")
    int size;

    @Option(names = "--rate", paramLabel = "RECORDS/S", defaultValue = "0", description = "Total records per second (0: as fast as possible).")
    double rate;

    @Option(names = "--loss", paramLabel = "P", defaultValue = "0", description = "Probability that a record is not sent.")
    double loss;

    @Option(names = "--reorder", paramLabel = "P", defaultValue = "0", description = "Probability that a record is held back and sent after the next one.")
    double reorder;

    @Option(names = "--dup", paramLabel = "P", defaultValue = "0", description = "Probability that a record is sent twice.")
    double dup;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the impairments.")
    long seed;

    @Option(names = "--fragment", description = "Make records longer than one datagram (at least 2500 bytes) so they are fragmented.")
    boolean fragment;

    @Option(names = "--hostname-prefix", paramLabel = "NAME", description = "Hosts are named NAME (one host) or NAME-<i>; default: this machine's host name.")
    String prefix;

    @Option(names = "--transport", paramLabel = "auto|epoll|nio", defaultValue = "auto",
        description = "epoll: batched sendmmsg (Linux); nio: one system call per datagram; auto: epoll where available.")
    String transport;

    @Option(names = "--json", description = "Print the summary as JSON.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (hosts < 1 || records < 1 || size < 0) {
            throw new CommandException(ExitCodes.USAGE, "--hosts and --records must be >= 1, --size >= 0");
        }
        if (size > 60_000) {
            throw new CommandException(ExitCodes.USAGE, "--size must be at most 60000 bytes (the receiver reassembles records up to 64 KiB)");
        }
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new CommandException(ExitCodes.USAGE, "--rate must be a number >= 0, not " + rate);
        }
        Checks.probability("--loss", loss);
        Checks.probability("--reorder", reorder);
        Checks.probability("--dup", dup);
        final InetSocketAddress to;
        try {
            to = dev.netcon.receiver.HostPort.parse(target, Wire.DEFAULT_RECEIVER_PORT);
        } catch (final IllegalArgumentException e) {
            throw new CommandException(ExitCodes.USAGE, "bad --target: " + e.getMessage());
        }
        if (to.isUnresolved()) {
            throw new CommandException(ExitCodes.UNREACHABLE, "cannot resolve " + target);
        }
        final String base = prefix != null ? prefix : localName();
        final NetconSender.Transport chosen = Checks.transport(transport);
        final boolean epoll = chosen == NetconSender.Transport.EPOLL
            || chosen == NetconSender.Transport.AUTO && BlastSockets.epollAvailable();
        try (BlastSockets sockets = new BlastSockets(to, epoll)) {
            final List<BlastRun.Host> all = new ArrayList<>();
            for (int i = 0; i < hosts; i++) {
                all.add(new BlastRun.Host(hosts == 1 ? base : base + "-" + i, sockets.open(i)));
            }
            return blast(all, sockets);
        }
    }

    private int blast(final List<BlastRun.Host> all, final BlastSockets sockets) throws InterruptedException {
        final BlastFrames frames = new BlastFrames(fragment ? Math.max(size, 2500) : size);
        final BlastRun run = new BlastRun(all, records, rate, new BlastRun.Impairments(loss, reorder, dup, seed), frames, sockets.loop());
        final Progress progress = new Progress(spec.commandLine().getErr(), hosts * records);
        run.start();
        while (!run.await(100, TimeUnit.MILLISECONDS)) {
            progress.update(run.progress());
        }
        if (run.failure() != null) {
            throw new IllegalStateException("blast stopped: " + run.failure(), run.failure());
        }
        progress.update(run.progress());
        progress.finish();
        printSummary(all, run.seconds(), sockets.transportName());
        return ExitCodes.OK;
    }

    private void printSummary(final List<BlastRun.Host> all, final double seconds, final String transport) {
        final PrintWriter out = spec.commandLine().getOut();
        long records = 0;
        long datagrams = 0;
        long lost = 0;
        long dups = 0;
        long reordered = 0;
        for (final BlastRun.Host h : all) {
            records += h.sentRecords;
            datagrams += h.datagrams;
            lost += h.lost;
            dups += h.duplicated;
            reordered += h.reordered;
        }
        if (json) {
            final StringBuilder sb = new StringBuilder("{\"target\":");
            Json.string(sb, target).append(",\"transport\":\"").append(transport).append("\",\"seconds\":").append(String.format(Locale.ROOT, "%.3f", seconds))
                .append(",\"datagramsPerSecond\":").append(Math.round(datagrams / seconds))
                .append(",\"totals\":{\"records\":").append(this.records * all.size()).append(",\"sent\":").append(records)
                .append(",\"datagrams\":").append(datagrams).append(",\"lost\":").append(lost).append(",\"duplicated\":").append(dups)
                .append(",\"reordered\":").append(reordered).append("},\"hosts\":[");
            for (int i = 0; i < all.size(); i++) {
                final BlastRun.Host h = all.get(i);
                if (i > 0) {
                    sb.append(',');
                }
                sb.append("{\"host\":");
                Json.string(sb, h.name).append(",\"source\":");
                Json.string(sb, h.source()).append(",\"records\":").append(this.records).append(",\"sent\":").append(h.sentRecords)
                    .append(",\"datagrams\":").append(h.datagrams).append(",\"lost\":").append(h.lost)
                    .append(",\"duplicated\":").append(h.duplicated).append(",\"reordered\":").append(h.reordered).append('}');
            }
            out.println(sb.append("]}"));
        } else {
            final String format = "%-24s %-21s %10s %10s %10s %8s %10s %10s%n";
            out.printf(format, "HOST", "SOURCE", "RECORDS", "SENT", "DATAGRAMS", "LOST", "DUPLICATED", "REORDERED");
            for (final BlastRun.Host h : all) {
                out.printf(format, h.name, h.source(), this.records, h.sentRecords, h.datagrams, h.lost, h.duplicated, h.reordered);
            }
            out.printf(format, "TOTAL", "", this.records * all.size(), records, datagrams, lost, dups, reordered);
            out.printf(Locale.ROOT, "%d datagrams in %.2f s: %.0f datagrams/s (%s)%n", datagrams, seconds, datagrams / seconds,
                transport);
        }
        out.flush();
    }

    private static String localName() {
        final String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (final IOException e) {
            return "blast";
        }
    }

    /** A progress bar on stderr, only when it is a terminal. */
    static final class Progress {
        private final PrintWriter err;
        private final long total;
        private final boolean tty = System.console() != null;
        private int shown = -1;

        Progress(final PrintWriter err, final long total) {
            this.err = err;
            this.total = total;
        }

        void update(final long done) {
            if (!tty) {
                return;
            }
            final int pct = (int) (done * 100 / total);
            if (pct != shown) {
                shown = pct;
                final int bar = pct / 2;
                err.print("\r[" + "#".repeat(bar) + " ".repeat(50 - bar) + "] " + pct + "%");
                err.flush();
            }
        }

        void finish() {
            if (tty) {
                err.println();
                err.flush();
            }
        }
    }
}
