package dev.netcon.cli;

import dev.netcon.receiver.Cidr;
import dev.netcon.receiver.FileStore;
import dev.netcon.receiver.HostPort;
import dev.netcon.receiver.Receiver;
import dev.netcon.receiver.ReceiverConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code netcon receive}: the receiver service. Every flag can also be a key of the {@code --config} file. */
@Command(name = "receive", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
    description = {"Receive netconsole frames over UDP from many hosts, order them per source, account for every loss, "
        + "and store them under DATA-DIR/<host>/netcon.log. Stops cleanly on SIGTERM or Ctrl-C. Docs: docs/receiver.md.",
        "", "Example: netcon receive --listen 0.0.0.0:6666 --data-dir /var/lib/netcon --http 127.0.0.1:9666"})
public final class ReceiveCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT", split = ",", showDefaultValue = CommandLine.Help.Visibility.NEVER,
        description = "UDP address to receive on (repeatable). Default: [::]:6666 (IPv4 and IPv6), or 0.0.0.0:6666 where IPv6 is off.")
    List<String> listen = new ArrayList<>();

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:NETCON_DATA_DIR:-./data}", description = "Where records are stored, one directory per host.")
    Path dataDir;

    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "${env:NETCON_HTTP:-127.0.0.1:9666}",
        description = "HTTP address for /metrics, /stats, /healthz and /stream; 'off' for none.")
    String http;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file whose keys are these flags without '--' (flags given here win).")
    Path config;

    @Option(names = "--reliable", description = "Answer each source with ncrx acknowledgements (netconsd's reliability protocol).")
    boolean reliable;

    @Option(names = "--allow", paramLabel = "CIDR", split = ",", showDefaultValue = CommandLine.Help.Visibility.NEVER, description = "Accept only sources in these address blocks (repeatable). Default: all.")
    List<String> allow = new ArrayList<>();

    @Option(names = "--max-sources", defaultValue = "100000", description = "Sources tracked at once; beyond it the least recently seen is evicted.")
    int maxSources;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "3600", description = "A source silent this long is closed and evicted.")
    long idleTimeoutSeconds;

    @Option(names = "--rate-limit", paramLabel = "RECORDS/S", defaultValue = "0", description = "Per-source datagrams per second (0: unlimited).")
    double rateLimit;

    @Option(names = "--rate-limit-bytes", paramLabel = "BYTES/S", defaultValue = "0", description = "Per-source bytes per second (0: unlimited).")
    double rateLimitBytes;

    @Option(names = "--gap-timeout", paramLabel = "MILLIS", defaultValue = "1000", description = "A missing seq not arrived within this is given up (MISSING).")
    long gapTimeoutMs;

    @Option(names = "--window", defaultValue = "256", description = "Reorder window per source, in records (power of two).")
    int window;

    @Option(names = "--workers", defaultValue = "2", description = "Worker threads; sources are spread over them by address.")
    int workers;

    @Option(names = "--io-threads", defaultValue = "1", description = "UDP reading threads (epoll: one SO_REUSEPORT socket each).")
    int ioThreads;

    @Option(names = "--queue-size", paramLabel = "BYTES", defaultValue = "8388608", description = "Hand-off queue per worker (power of two); full means datagrams are dropped and counted.")
    int queueBytes;

    @Option(names = "--rcvbuf", paramLabel = "BYTES", defaultValue = "8388608", description = "SO_RCVBUF to ask for (the kernel may grant less: see the start-up line).")
    int rcvbuf;

    @Option(names = "--flush-interval", paramLabel = "MILLIS", defaultValue = "200", description = "Buffered lines are written at least this often.")
    long flushIntervalMs;

    @Option(names = "--fsync", description = "fsync the files at every flush.")
    boolean fsync;

    @Option(names = "--rotate-size", paramLabel = "BYTES", defaultValue = "67108864", description = "Rotate a host's netcon.log past this size.")
    long rotateBytes;

    @Option(names = "--rotate-age", paramLabel = "SECONDS", defaultValue = "86400", description = "Rotate a host's netcon.log older than this.")
    long rotateAgeSeconds;

    @Option(names = "--retain-age", paramLabel = "SECONDS", defaultValue = "604800", description = "Delete rotated files older than this.")
    long retainAgeSeconds;

    @Option(names = "--retain-size", paramLabel = "BYTES", defaultValue = "1073741824", description = "Per host, delete the oldest rotated files beyond this total.")
    long retainBytes;

    @Option(names = "--metrics-sources", defaultValue = "100", description = "Per-source series in /metrics for at most this many sources (most active first).")
    int metricsSources;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (config != null) {
            return withConfigFile().run();
        }
        return run();
    }

    /** Re-parses with the config file's keys first and the command line after, so that flags win. */
    private ReceiveCommand withConfigFile() {
        final Properties p = new Properties();
        try (InputStream in = Files.newInputStream(config)) {
            p.load(in);
        } catch (final IOException e) {
            throw new CommandException(ExitCodes.CONFIG, "cannot read config file " + config + ": " + e.getMessage());
        }
        final Set<String> known = new TreeSet<>();
        for (final CommandLine.Model.OptionSpec o : spec.options()) {
            if (o.longestName().startsWith("--") && !o.usageHelp() && !o.versionHelp() && !o.longestName().equals("--config")) {
                known.add(o.longestName().substring(2));
            }
        }
        final CommandLine.ParseResult given = spec.commandLine().getParseResult();
        final List<String> args = new ArrayList<>();
        for (final String key : new TreeSet<>(p.stringPropertyNames())) {
            if (!known.contains(key)) {
                throw new CommandException(ExitCodes.CONFIG, config + ": unknown key '" + key + "' (known: " + String.join(", ", known) + ")");
            }
            if (given.hasMatchedOption("--" + key)) {
                continue; // the flag wins
            }
            final String value = p.getProperty(key).trim();
            final CommandLine.Model.OptionSpec o = spec.findOption("--" + key);
            if (o.arity().max() == 0) {
                if (Boolean.parseBoolean(value)) {
                    args.add("--" + key);
                }
            } else {
                args.add("--" + key + "=" + value);
            }
        }
        args.addAll(given.originalArgs().subList(given.originalArgs().indexOf("receive") + 1, given.originalArgs().size())
            .stream().filter(a -> !a.equals("--config") && !a.startsWith("--config=") && !a.equals(config.toString())).toList());
        final ReceiveCommand merged = new ReceiveCommand();
        final CommandLine cl = new CommandLine(merged);
        try {
            cl.parseArgs(args.toArray(String[]::new));
        } catch (final CommandLine.ParameterException e) {
            throw new CommandException(ExitCodes.CONFIG, config + ": " + e.getMessage());
        }
        merged.spec = cl.getCommandSpec();
        return merged;
    }

    ReceiverConfig toConfig() {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        final List<Cidr> blocks = new ArrayList<>();
        try {
            for (final String l : listen) {
                addresses.add(HostPort.parse(l, ReceiverConfig.DEFAULT_PORT));
            }
            for (final String a : allow) {
                blocks.add(Cidr.parse(a));
            }
        } catch (final IllegalArgumentException e) {
            throw new CommandException(ExitCodes.USAGE, e.getMessage());
        }
        if (Integer.bitCount(queueBytes) != 1 || Integer.bitCount(window) != 1) {
            throw new CommandException(ExitCodes.USAGE, "--queue-size and --window must be powers of two");
        }
        final InetSocketAddress httpAddress = "off".equals(http) ? null : HostPort.parse(http, 9666);
        return new ReceiverConfig(addresses, httpAddress, dataDir, reliable, blocks, ioThreads, workers, queueBytes, rcvbuf,
            maxSources, TimeUnit.SECONDS.toNanos(idleTimeoutSeconds), rateLimit, rateLimitBytes,
            TimeUnit.MILLISECONDS.toNanos(gapTimeoutMs), window, metricsSources,
            new FileStore.StoreConfig(rotateBytes, TimeUnit.SECONDS.toMillis(rotateAgeSeconds),
                TimeUnit.SECONDS.toMillis(retainAgeSeconds), retainBytes, flushIntervalMs, fsync, 64 << 10));
    }

    private int run() throws InterruptedException {
        final ReceiverConfig cfg = toConfig();
        final Receiver receiver;
        try {
            receiver = new Receiver(cfg);
        } catch (final UncheckedIOException e) {
            throw new CommandException(ExitCodes.PERMISSION, e.getMessage() + " (choose another with --data-dir)");
        }
        try {
            receiver.start();
        } catch (final BindException e) {
            throw new CommandException(ExitCodes.ADDRESS_IN_USE, e.getMessage());
        } catch (final IOException e) {
            throw new CommandException(ExitCodes.FAILURE, e.getMessage());
        }
        final CountDownLatch stop = new CountDownLatch(1);
        Signals.onTerminate(stop::countDown);
        System.err.println("netcon receive: listening on " + receiver.describe());
        stop.await();
        System.err.println("netcon receive: stopping (draining workers, flushing files)");
        receiver.close();
        receiver.printSummary(System.err);
        return ExitCodes.OK;
    }
}
