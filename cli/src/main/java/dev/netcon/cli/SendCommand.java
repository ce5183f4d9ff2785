package dev.netcon.cli;

import dev.netcon.sender.NetconSender;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code netcon send}: relays lines from stdin, files, or followed files to receivers as netconsole frames, one
 * record per line, through the allocation-free {@link NetconSender}.
 */
@Command(name = "send", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
    description = {"Send lines as netconsole records: from stdin when no FILE is named, from FILEs (then exit), "
        + "or from --follow FILEs (like tail -F: survives rotation and truncation; runs until SIGTERM). "
        + "Exits 0 after flushing on end of input or SIGTERM, printing its counters (also on SIGUSR1).",
        "", "Example: journalctl -f | netcon send --target logs.example:6666 --hostname web-1 --level info"})
public final class SendCommand implements Callable<Integer> {
    @Option(names = "--target", paramLabel = "HOST:PORT", split = ",", defaultValue = "${env:NETCON_TARGET:-127.0.0.1:6666}",
        description = "Receiver to send to (repeatable; port default 6666).")
    List<String> targets = new ArrayList<>();

    @Option(names = "--hostname", paramLabel = "NAME", description = "Name sent as host= (default: this machine's host name).")
    String hostname;

    @Option(names = "--level", defaultValue = "info", description = "Level of every line: a name (emerg..debug) or 0..7.")
    String level;

    @Option(names = "--facility", defaultValue = "1", description = "Syslog facility number (1 = user).")
    int facility;

    @Option(names = "--follow", paramLabel = "FILE", description = "Follow these files like tail -F (repeatable).")
    List<Path> follow = new ArrayList<>();

    @Option(names = "--source-port", defaultValue = "0", description = "Local UDP port (0: any; netconsole uses 6665).")
    int sourcePort;

    @Option(names = "--stats-every", paramLabel = "SECONDS", defaultValue = "0", description = "Print counters to stderr this often (0: only at exit and on SIGUSR1).")
    int statsEvery;

    @Option(names = "--max-record", paramLabel = "BYTES", defaultValue = "8192", description = "Longest record; longer lines are truncated and marked NETCON_TRUNCATED.")
    int maxRecord;

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "Files to send (default: stdin).")
    List<Path> files = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final AtomicBoolean stop = new AtomicBoolean();

    @Override
    public Integer call() throws Exception {
        final int levelNumber = Levels.parse(level);
        for (final Path f : files) {
            if (!Files.isReadable(f)) {
                throw new CommandException(ExitCodes.BAD_INPUT, Files.exists(f) ? "cannot read " + f : "no such file: " + f);
            }
        }
        final NetconSender.Builder builder = NetconSender.builder().facility(facility).sourcePort(sourcePort).maxRecordBytes(maxRecord)
            .ringCapacity(4 << 20).idleStrategy(new org.agrona.concurrent.BackoffIdleStrategy());
        if (hostname != null) {
            builder.hostName(hostname);
        }
        try {
            for (final String t : targets) {
                builder.target(t);
            }
        } catch (final IllegalArgumentException e) {
            throw new CommandException(ExitCodes.USAGE, "bad --target: " + e.getMessage());
        }
        try (NetconSender sender = builder.build()) {
            final Thread main = Thread.currentThread();
            Signals.onTerminate(() -> {
                stop.set(true);
                main.interrupt();
            });
            Signals.onUsr1(() -> System.err.println("netcon send: " + sender.stats()));
            Thread ticker = null;
            if (statsEvery > 0) {
                ticker = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            Thread.sleep(statsEvery * 1000L);
                        } catch (final InterruptedException e) {
                            return;
                        }
                        System.err.println("netcon send: " + sender.stats());
                    }
                }, "netcon-send-stats");
                ticker.setDaemon(true);
                ticker.start();
            }
            if (!follow.isEmpty()) {
                followFiles(sender, levelNumber);
            } else if (files.isEmpty()) {
                relay(System.in, sender, levelNumber);
            } else {
                for (final Path f : files) {
                    try (InputStream in = Files.newInputStream(f)) {
                        relay(in, sender, levelNumber);
                    }
                }
            }
            stop.set(true);
            Thread.interrupted(); // a late SIGTERM must not cut the flush short
            sender.flush(Duration.ofSeconds(5));
            System.err.println("netcon send: " + sender.stats());
        }
        return ExitCodes.OK;
    }

    private void relay(final InputStream in, final NetconSender sender, final int level) throws IOException {
        final BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while (!stop.get() && (line = reader.readLine()) != null) {
            writePatiently(sender, level, line);
        }
    }

    /**
     * A relay reads faster than a network drains: it waits for room instead of dropping, since (unlike an
     * application) it can. The library's write() itself never waits.
     */
    private void writePatiently(final NetconSender sender, final int level, final String line) {
        while (!sender.write(level, line)) {
            if (stop.get()) {
                return;
            }
            sender.flush(Duration.ofMillis(50));
        }
    }

    /** tail -F: reads appended lines; starts over when a file is replaced (rotation) or shrinks (truncation). */
    private void followFiles(final NetconSender sender, final int level) throws IOException {
        final List<Followed> followed = new ArrayList<>();
        for (final Path p : follow) {
            followed.add(new Followed(p));
        }
        while (!stop.get()) {
            boolean any = false;
            for (final Followed f : followed) {
                any |= f.poll(sender, level);
            }
            if (!any) {
                try {
                    Thread.sleep(100);
                } catch (final InterruptedException e) {
                    break;
                }
            }
        }
        for (final Followed f : followed) {
            f.close();
        }
    }

    /** One followed file: its open handle, identity and read position. */
    private final class Followed {
        private final Path path;
        private RandomAccessFile file;
        private Object identity;
        private final StringBuilder partial = new StringBuilder();
        private final byte[] buf = new byte[64 * 1024];

        Followed(final Path path) throws IOException {
            this.path = path;
            open(true);
        }

        private void open(final boolean atEnd) throws IOException {
            try {
                file = new RandomAccessFile(path.toFile(), "r");
                identity = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
                if (atEnd) {
                    file.seek(file.length());
                }
            } catch (final NoSuchFileException | java.io.FileNotFoundException e) {
                file = null; // not there yet: tail -F waits for it
            }
        }

        boolean poll(final NetconSender sender, final int level) throws IOException {
            if (file == null) {
                open(false);
                if (file == null) {
                    return false;
                }
            }
            boolean read = false;
            int n;
            while ((n = file.read(buf)) > 0) {
                read = true;
                partial.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                int nl;
                while ((nl = partial.indexOf("\n")) >= 0) {
                    writePatiently(sender, level, partial.substring(0, nl));
                    partial.delete(0, nl + 1);
                }
            }
            // Rotation (a new file under the name) or truncation: start over from its beginning.
            Object now = null;
            try {
                now = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            } catch (final IOException e) {
                return read; // renamed away and not recreated yet
            }
            if (!now.equals(identity) || file.length() < file.getFilePointer()) {
                file.close();
                open(false);
                partial.setLength(0);
                return true;
            }
            return read;
        }

        void close() throws IOException {
            if (file != null) {
                file.close();
            }
        }
    }
}
