package dev.netcon.cli;

import dev.netcon.receiver.BindFailure;
import dev.netcon.receiver.Cidr;
import dev.netcon.receiver.FileStore;
import dev.netcon.receiver.Receiver;
import dev.netcon.receiver.ReceiverConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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

    @Option(names = "--max-sources", paramLabel = "N", defaultValue = "100000", description = "Sources tracked at once; beyond it the least recently seen is evicted.")
    int maxSources;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "3600", description = "A source silent this long is closed and evicted.")
    long idleTimeoutSeconds;

    @Option(names = "--rate-limit", paramLabel = "RECORDS/S", defaultValue = "0", description = "Per-source datagrams per second (0: unlimited).")
    double rateLimit;

    @Option(names = "--rate-limit-bytes", paramLabel = "BYTES/S", defaultValue = "0", description = "Per-source bytes per second (0: unlimited).")
    double rateLimitBytes;

    @Option(names = "--gap-timeout", paramLabel = "MILLIS", defaultValue = "1000", description = "A missing seq not arrived within this is given up (MISSING).")
    long gapTimeoutMs;

    @Option(names = "--window", paramLabel = "N", defaultValue = "256", description = "Reorder window per source, in records (power of two).")
    int window;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2", description = "Worker threads; sources are spread over them by address.")
    int workers;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "1", description = "UDP reading threads (epoll: one SO_REUSEPORT socket each).")
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

    @Option(names = "--metrics-sources", paramLabel = "N", defaultValue = "100", description = "Per-source series in /metrics for at most this many sources (most active first).")
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

    /**
     * Re-parses with the config file's keys first and the command line after, so that flags win. The keys are
     * this command's own options: inherited ones (--verbose) are command-line only, like --help and --config.
     */
    private ReceiveCommand withConfigFile() {
        final Properties p = new Properties();
        try (InputStream in = Files.newInputStream(config)) {
            p.load(in);
        } catch (final IOException e) {
            throw new CommandException(ExitCodes.CONFIG, "cannot read config file " + config + ": " + e.getMessage());
        }
        final Set<String> known = new TreeSet<>();
        for (final CommandLine.Model.OptionSpec o : spec.options()) {
            if (isConfigKey(o)) {
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
                if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                    throw new CommandException(ExitCodes.CONFIG, config + ": " + key + "=" + value + ": expected true or false");
                }
                if (Boolean.parseBoolean(value)) {
                    args.add("--" + key);
                }
            } else {
                args.add("--" + key + "=" + value);
            }
        }
        args.addAll(commandLineArgs(given));
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

    private static boolean isConfigKey(final CommandLine.Model.OptionSpec o) {
        return o.longestName().startsWith("--") && !o.usageHelp() && !o.versionHelp() && !o.inherited()
            && !o.longestName().equals("--config");
    }

    /** This command's own options as given, without --config and the inherited ones (handled by the parent). */
    private List<String> commandLineArgs(final CommandLine.ParseResult given) {
        final List<String> args = new ArrayList<>();
        for (final CommandLine.Model.ArgSpec a : new java.util.LinkedHashSet<>(given.matchedArgs())) {
            if (a instanceof CommandLine.Model.OptionSpec o && isConfigKey(o)) {
                if (o.arity().max() == 0) {
                    args.add(o.longestName());
                } else {
                    for (final String v : o.originalStringValues()) {
                        args.add(o.longestName() + "=" + v);
                    }
                }
            }
        }
        return args;
    }

    ReceiverConfig toConfig() {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        final List<Cidr> blocks = new ArrayList<>();
        for (final String l : listen) {
            addresses.add(Checks.hostPort("--listen", l, ReceiverConfig.DEFAULT_PORT));
        }
        try {
            for (final String a : allow) {
                blocks.add(Cidr.parse(a));
            }
        } catch (final IllegalArgumentException e) {
            throw Checks.usage("bad --allow " + e.getMessage());
        }
        final InetSocketAddress httpAddress = "off".equals(http) ? null : Checks.hostPort("--http", http, 9666);
        checkNumbers();
        return new ReceiverConfig(addresses, httpAddress, dataDir, reliable, blocks, ioThreads, workers, queueBytes, rcvbuf,
            maxSources, TimeUnit.SECONDS.toNanos(idleTimeoutSeconds), rateLimit, rateLimitBytes,
            TimeUnit.MILLISECONDS.toNanos(gapTimeoutMs), window, metricsSources,
            new FileStore.StoreConfig(rotateBytes, TimeUnit.SECONDS.toMillis(rotateAgeSeconds),
                TimeUnit.SECONDS.toMillis(retainAgeSeconds), retainBytes, flushIntervalMs, fsync, 64 << 10));
    }

    /** The ranges docs/cli.md gives; out of them the receiver would fail later with an exception, or misbehave. */
    private void checkNumbers() {
        final long day = TimeUnit.DAYS.toSeconds(1);
        Checks.range("--max-sources", maxSources, 1, Integer.MAX_VALUE);
        Checks.range("--idle-timeout", idleTimeoutSeconds, 1, 3650 * day);
        Checks.atLeast("--rate-limit", rateLimit, 0);
        Checks.atLeast("--rate-limit-bytes", rateLimitBytes, 0);
        Checks.range("--gap-timeout", gapTimeoutMs, 1, day * 1000);
        Checks.powerOfTwo("--window", window, 2, 1 << 20);
        Checks.range("--workers", workers, 1, 1024);
        Checks.range("--io-threads", ioThreads, 1, 1024);
        Checks.powerOfTwo("--queue-size", queueBytes, 1 << 16, 1 << 30);
        Checks.range("--rcvbuf", rcvbuf, 1, Integer.MAX_VALUE);
        Checks.range("--flush-interval", flushIntervalMs, 1, day * 1000);
        Checks.range("--rotate-size", rotateBytes, 1, Long.MAX_VALUE);
        Checks.range("--rotate-age", rotateAgeSeconds, 1, 3650 * day);
        Checks.range("--retain-age", retainAgeSeconds, 1, 3650 * day);
        Checks.range("--retain-size", retainBytes, 0, Long.MAX_VALUE);
        Checks.range("--metrics-sources", metricsSources, 0, Integer.MAX_VALUE);
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
        } catch (final BindFailure e) {
            throw new CommandException(switch (e.reason()) {
                case ADDRESS_IN_USE -> ExitCodes.ADDRESS_IN_USE;
                case PERMISSION_DENIED -> ExitCodes.PERMISSION;
                case OTHER -> ExitCodes.FAILURE;
            }, e.getMessage(), e);
        } catch (final IOException e) {
            throw new CommandException(ExitCodes.FAILURE, e.getMessage(), e);
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
