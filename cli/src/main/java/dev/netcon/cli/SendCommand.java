package dev.netcon.cli;

import dev.netcon.sender.NetconSender;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code netcon send}: relays lines from stdin, files, or followed files to receivers as netconsole frames, one
 * record per line, through the allocation-free {@link NetconSender}; or, with {@code --kmsg}, the kernel's own
 * records from /dev/kmsg with their seqs, levels and timestamps (a userspace netconsole, see {@link KmsgRelay}).
 */
@Command(name = "send", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
    description = {"Send lines as netconsole records: from stdin when no FILE is named, from FILEs (then exit), "
        + "or from --follow FILEs (like tail -F: survives rotation and truncation; runs until SIGTERM). "
        + "Or, with --kmsg, relay the kernel log from /dev/kmsg as the netconsole module would, each record with the "
        + "kernel's seq, level, facility, timestamp and dictionary (for hosts where the module cannot be loaded; "
        + "needs root or CAP_SYSLOG). "
        + "Exits 0 after flushing on end of input or SIGTERM, printing its counters (also on SIGUSR1).",
        "", "Example: journalctl -f | netcon send --target logs.example:6666 --hostname web-1 --level info",
        "Example: netcon send --kmsg --target logs.example:6666 --target logs2.example:6666"})
public final class SendCommand implements Callable<Integer> {
    @Option(names = "--target", paramLabel = "HOST:PORT", split = ",", defaultValue = "${env:NETCON_TARGET:-127.0.0.1:6666}",
        description = "Receiver to send to (repeatable; port default 6666).")
    List<String> targets = new ArrayList<>();

    @Option(names = "--hostname", paramLabel = "NAME", description = "Name sent as host= (default: this machine's host name).")
    String hostname;

    @Option(names = "--userdata", paramLabel = "KEY=VALUE", description = "A dictionary field added to every line's "
        + "record after host= (repeatable), like a kernel netconsole's configfs userdata. Not with --kmsg.")
    List<String> userdata = new ArrayList<>();

    @Option(names = "--level", paramLabel = "LEVEL", defaultValue = "info", description = "Level of every line: a name (emerg..debug) or 0..7. "
        + "Not with --kmsg (records keep the kernel's).")
    String level;

    @Option(names = "--facility", paramLabel = "N", defaultValue = "1", description = "Syslog facility number (1 = user); "
        + "with --kmsg, only of netcon's own drop reports.")
    int facility;

    @Option(names = "--follow", paramLabel = "FILE", description = "Follow these files like tail -F (repeatable).")
    List<Path> follow = new ArrayList<>();

    @Option(names = "--kmsg", description = "Relay the kernel log (--kmsg-path) instead of lines: every record keeps the "
        + "kernel's seq, level, facility, timestamp and dictionary; records the kernel overwrote before they were read "
        + "are reported in-band as dropped at the source. Runs until SIGTERM (a file or FIFO: until its end).")
    boolean kmsg;

    @Option(names = "--kmsg-path", paramLabel = "PATH", defaultValue = "/dev/kmsg", description = "Where --kmsg reads: "
        + "the kmsg device (one record per read), or a file or FIFO of records in its format, a record being a "
        + "line plus the dictionary lines after it that start with a space (for tests and replays).")
    Path kmsgPath;

    @Option(names = "--kmsg-from", paramLabel = "start|end", defaultValue = "start", description = "start: all the "
        + "kernel's buffer still holds (the boot messages too), then new records; end: only records logged from now "
        + "on (writes a start marker to the device and relays from it; device only).")
    String kmsgFrom;

    @Option(names = "--source-port", paramLabel = "PORT", defaultValue = "0", description = "Local UDP port (0: any; netconsole uses 6665).")
    int sourcePort;

    @Option(names = "--stats-every", paramLabel = "SECONDS", defaultValue = "0", description = "Print counters to stderr this often (0: only at exit and on SIGUSR1).")
    int statsEvery;

    @Option(names = "--max-record", paramLabel = "BYTES", defaultValue = "8192", description = "Longest record; longer lines are truncated and marked NETCON_TRUNCATED. "
        + "With --kmsg at least 16384, so that any kernel record fits whole.")
    int maxRecord;

    @Option(names = "--reliable", description = "Reliable mode: keep the last --reliable-history records, resend those the "
        + "receiver's ncrx answers name as missing, and at exit wait (bounded) until everything is acknowledged. Needs "
        + "netcon receive --reliable and exactly one --target; not with --kmsg.")
    boolean reliable;

    @Option(names = "--reliable-history", paramLabel = "N", defaultValue = "1024", description = "With --reliable: "
        + "records kept for resending, 1..1048576 (N x --max-record bytes of memory).")
    int reliableHistory;

    @Option(names = "--reliable-emergency-after", paramLabel = "SECONDS", defaultValue = "10", description = "With "
        + "--reliable: when nothing has been acknowledged for this long, resend unacknowledged records marked ncemg=1.")
    int reliableEmergencyAfter;

    @Option(names = "--transport", paramLabel = "auto|epoll|nio", defaultValue = "auto", description = "How datagrams "
        + "go out: epoll (Netty's native transport, sendmmsg batches; Linux), nio (the JDK's, portable), or auto "
        + "(epoll where it loads).")
    String transport;

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "Files to send (default: stdin).")
    List<Path> files = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final AtomicBoolean stop = new AtomicBoolean();

    /** The sender's ring is 4 MiB and a record may take at most an eighth of it. */
    private static final int RING_BYTES = 4 << 20;
    private static final int MAX_RECORD = RING_BYTES / 8;

    @Override
    public Integer call() throws Exception {
        checkNumbers();
        checkReliable();
        if (kmsg) {
            return kmsg();
        }
        final CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (parsed.hasMatchedOption("--kmsg-path") || parsed.hasMatchedOption("--kmsg-from")) {
            throw new CommandException(ExitCodes.USAGE, "--kmsg-path and --kmsg-from go with --kmsg");
        }
        final int levelNumber = Levels.parse(level);
        for (final Path f : files) {
            if (!Files.isReadable(f)) {
                throw new CommandException(ExitCodes.BAD_INPUT, Files.exists(f) ? "cannot read " + f : "no such file: " + f);
            }
        }
        try (NetconSender sender = build(builder(maxRecord))) {
            onSignalsAndTicks(() -> System.err.println("netcon send: " + sender.stats()));
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
            if (reliable) {
                awaitAcknowledged(sender);
            }
            System.err.println("netcon send: " + sender.stats());
        }
        return ExitCodes.OK;
    }

    /** The library's limits, as usage errors naming the option instead of its exception at build(). */
    private void checkNumbers() {
        Checks.range("--facility", facility, 0, 127);
        Checks.range("--max-record", maxRecord, 256, MAX_RECORD);
        Checks.range("--source-port", sourcePort, 0, 65535);
        Checks.range("--stats-every", statsEvery, 0, Integer.MAX_VALUE / 1000);
    }

    /** --reliable and its settings: each setting only with it, and it with exactly one target and without --kmsg. */
    private void checkReliable() {
        final CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (!reliable) {
            if (parsed.hasMatchedOption("--reliable-history") || parsed.hasMatchedOption("--reliable-emergency-after")) {
                throw Checks.usage("--reliable-history and --reliable-emergency-after go with --reliable");
            }
            return;
        }
        if (kmsg) {
            // Pass-through records keep the kernel's seqs, gaps included; reliable mode is not verified with them.
            throw Checks.usage("--reliable does not go with --kmsg");
        }
        if (targets.size() != 1) {
            throw Checks.usage("--reliable needs exactly one --target, not " + targets.size());
        }
        Checks.range("--reliable-history", reliableHistory, 1, 1 << 20);
        Checks.range("--reliable-emergency-after", reliableEmergencyAfter, 1, 86400);
    }

    /** --transport, checked and worded as blast checks its own. */
    private NetconSender.Transport transport() {
        return Checks.transport(transport);
    }

    /**
     * --reliable at exit: a lost last record is only resent once --reliable-emergency-after passed without an ack,
     * which needs the sender still open. A receiver that never answered is not waited for beyond 2 s.
     */
    private void awaitAcknowledged(final NetconSender sender) {
        if (sender.awaitAcknowledged(Duration.ofSeconds(2))
            || sender.stats().ackedSeq() != -1 && sender.awaitAcknowledged(Duration.ofSeconds(reliableEmergencyAfter + 5L))) {
            return;
        }
        final long acked = sender.stats().ackedSeq();
        System.err.println("netcon send: not every record was acknowledged " + (acked == -1
            ? "(no answer: is the receiver running with --reliable?)" : "(acked up to " + acked + ")"));
    }

    private NetconSender.Builder builder(final int maxRecordBytes) {
        final NetconSender.Builder builder = NetconSender.builder().facility(facility).sourcePort(sourcePort)
            .maxRecordBytes(maxRecordBytes).ringCapacity(RING_BYTES).idleStrategy(new org.agrona.concurrent.BackoffIdleStrategy())
            .transport(transport());
        if (reliable) {
            builder.reliable(true).reliableHistory(reliableHistory).reliableEmergencyAfter(Duration.ofSeconds(reliableEmergencyAfter));
        }
        if (hostname != null) {
            builder.hostName(hostname);
        }
        for (final String field : userdata) {
            final int eq = field.indexOf('=');
            if (eq <= 0) {
                throw new CommandException(ExitCodes.USAGE, "--userdata must be KEY=VALUE, not '" + field + "'");
            }
            try {
                builder.userdata(field.substring(0, eq), field.substring(eq + 1));
            } catch (final IllegalArgumentException e) {
                throw new CommandException(ExitCodes.USAGE, "--userdata: " + e.getMessage());
            }
        }
        try {
            for (final String t : targets) {
                builder.target(t);
            }
        } catch (final IllegalArgumentException e) {
            throw new CommandException(ExitCodes.USAGE, "bad --target " + e.getMessage());
        }
        return builder;
    }

    /** Opens the socket: a --source-port that is taken or privileged is reported as such, in one line. */
    private NetconSender build(final NetconSender.Builder builder) {
        try {
            return builder.build();
        } catch (final java.io.UncheckedIOException e) {
            final String m = String.valueOf(e.getMessage());
            if (m.contains("Address already in use")) {
                throw new CommandException(ExitCodes.ADDRESS_IN_USE, "--source-port " + sourcePort + ": address already in use", e);
            }
            if (m.contains("Permission denied")) {
                throw new CommandException(ExitCodes.PERMISSION, "--source-port " + sourcePort
                    + ": permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)", e);
            }
            throw new CommandException(ExitCodes.FAILURE, m, e);
        }
    }

    /** SIGTERM/SIGINT stop (and interrupt) the main thread; SIGUSR1 and --stats-every print the counters. */
    private void onSignalsAndTicks(final Runnable printStats) {
        final Thread main = Thread.currentThread();
        Signals.onTerminate(() -> {
            stop.set(true);
            main.interrupt();
        });
        Signals.onUsr1(printStats);
        if (statsEvery > 0) {
            final Thread ticker = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        Thread.sleep(statsEvery * 1000L);
                    } catch (final InterruptedException e) {
                        return;
                    }
                    printStats.run();
                }
            }, "netcon-send-stats");
            ticker.setDaemon(true);
            ticker.start();
        }
    }

    /** {@code --kmsg}: a userspace netconsole. */
    private int kmsg() throws Exception {
        final CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (!files.isEmpty() || !follow.isEmpty()) {
            throw new CommandException(ExitCodes.USAGE, "--kmsg reads the kernel log: name no FILE and no --follow with it");
        }
        if (parsed.hasMatchedOption("--level")) {
            throw new CommandException(ExitCodes.USAGE, "--level does not apply to --kmsg: records keep the kernel's level");
        }
        if (!userdata.isEmpty()) {
            throw new CommandException(ExitCodes.USAGE, "--userdata does not apply to --kmsg: records keep the kernel's fields");
        }
        final boolean fromEnd;
        if ("start".equals(kmsgFrom) || "end".equals(kmsgFrom)) {
            fromEnd = "end".equals(kmsgFrom);
        } else {
            throw new CommandException(ExitCodes.USAGE, "bad --kmsg-from: '" + kmsgFrom + "' (start or end)");
        }
        final KmsgInput input = openKmsg();
        try (input) {
            if (fromEnd && !input.isDevice()) {
                throw new CommandException(ExitCodes.USAGE, "--kmsg-from=end needs the kmsg device; " + kmsgPath
                    + " is not a character device");
            }
            final NetconSender.Builder builder = builder(Math.max(maxRecord, KmsgInput.BUFFER)).passThrough(true);
            try (NetconSender sender = build(builder)) {
                final KmsgRelay relay = new KmsgRelay(input, new KmsgRelay.Sink() {
                    @Override
                    public dev.netcon.sender.FrameStatus offerFrame(final org.agrona.DirectBuffer frame, final int offset,
                                                                    final int length) {
                        return sender.offerFrame(frame, offset, length);
                    }

                    @Override
                    public dev.netcon.sender.FrameStatus offerDropReport(final long first, final long last, final long count,
                                                                         final long tsUsec, final dev.netcon.sender.DropCause cause) {
                        return sender.offerDropReport(first, last, count, tsUsec, cause);
                    }

                    @Override
                    public boolean flush(final Duration timeout) {
                        return sender.flush(timeout);
                    }
                }, stop, System.err);
                onSignalsAndTicks(() -> System.err.println("netcon send: " + sender.stats() + "; " + relay));
                if (fromEnd) {
                    relay.startAtMarker(writeStartMarker(), System.nanoTime());
                }
                relay.run();
                stop.set(true);
                Thread.interrupted(); // a late SIGTERM must not cut the flush short
                sender.flush(Duration.ofSeconds(5));
                System.err.println("netcon send: " + sender.stats() + "; " + relay);
            }
        }
        return ExitCodes.OK;
    }

    private KmsgInput openKmsg() throws IOException {
        try {
            return KmsgInput.open(kmsgPath);
        } catch (final NoSuchFileException e) {
            throw new CommandException(ExitCodes.BAD_INPUT, "no such file: " + kmsgPath);
        } catch (final java.nio.file.AccessDeniedException e) {
            throw permissionDenied();
        } catch (final java.nio.file.FileSystemException e) {
            if (e.getReason() != null && e.getReason().contains("not permitted")) {
                throw permissionDenied(); // EPERM: what /dev/kmsg answers without CAP_SYSLOG under dmesg_restrict
            }
            throw e;
        }
    }

    private CommandException permissionDenied() {
        return new CommandException(ExitCodes.PERMISSION, "permission denied: " + kmsgPath
            + " (reading the kernel log needs root or CAP_SYSLOG when kernel.dmesg_restrict=1)");
    }

    /**
     * --kmsg-from=end: the device can only be read from its oldest record (Java cannot lseek it to SEEK_END), so a
     * marker is written to the kernel log and the relay starts at it. Returns the marker's text.
     */
    private String writeStartMarker() throws IOException {
        final String text = "netcon send: relaying " + kmsgPath + " from here (pid " + ProcessHandle.current().pid()
            + ", " + Long.toHexString(new java.security.SecureRandom().nextLong()) + ")";
        try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(kmsgPath, java.nio.file.StandardOpenOption.WRITE)) {
            out.write(java.nio.ByteBuffer.wrap(("<5>" + text + "\n").getBytes(StandardCharsets.US_ASCII)));
        } catch (final java.nio.file.AccessDeniedException e) {
            throw new CommandException(ExitCodes.PERMISSION, "--kmsg-from=end writes a start marker to " + kmsgPath
                + ": permission denied (use --kmsg-from=start)");
        }
        return text;
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

    /** tail -F: reads appended lines; starts over when a file is replaced (rotation), truncated or rewritten. */
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

    /**
     * One followed file: its open handle, identity and read position. A truncation (or a rewrite in place) is
     * told from an append before anything is read, so that the new content is read from its start, not from the
     * old position: the file is smaller than the position, its first bytes are no longer those read before
     * (a fingerprint of up to {@link #FINGERPRINT} bytes), or it has the size last read to but a newer
     * modification time in two polls in a row. A new file under the name (rotation) is told by its file key,
     * after the old file's last lines were read.
     */
    private final class Followed {
        /** Bytes of the file's start remembered to recognise it. */
        private static final int FINGERPRINT = 256;

        private final Path path;
        private FileChannel file;
        private Object identity;
        private long position;
        /** The first bytes of the file as read (at most FINGERPRINT, at most what was read). */
        private byte[] head = new byte[0];
        /** The modification time when the file's size was {@link #position}, or null if unknown. */
        private FileTime modifiedAtPosition;
        /** A newer modification time seen at an unchanged size, a rewrite if the next poll still sees it so. */
        private FileTime suspect;
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);

        Followed(final Path path) throws IOException {
            this.path = path;
            open(true);
        }

        private void open(final boolean atEnd) throws IOException {
            try {
                file = FileChannel.open(path, StandardOpenOption.READ);
                identity = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
                position = atEnd ? file.size() : 0;
                head = readHead(Math.min(position, FINGERPRINT));
                modifiedAtPosition = null;
                suspect = null;
                partial.reset();
            } catch (final NoSuchFileException e) {
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
            BasicFileAttributes now = null;
            try {
                now = Files.readAttributes(path, BasicFileAttributes.class);
            } catch (final NoSuchFileException e) {
                // renamed away and not recreated yet: the open handle still reads the old file's last lines
            }
            final boolean same = now != null && now.fileKey().equals(identity);
            if (same && rewritten(now)) {
                file.close();
                open(false); // truncated or rewritten in place: the new content from its start
            }
            final long size = file.size();
            final long before = position;
            boolean read = readToEnd(sender, level);
            if (!same) {
                modifiedAtPosition = null;
            } else if (position != before || modifiedAtPosition == null) {
                // Only a stat taken with the file at exactly the size read to says what its time was then.
                modifiedAtPosition = position == size && size == now.size() ? now.lastModifiedTime() : null;
            }
            if (now != null && !same) {
                // Rotation: the old file's last lines were read above; the new one is read from its beginning.
                file.close();
                open(false);
                read = true;
            }
            return read;
        }

        /** Whether the file under the same identity is no longer an extension of what was read. */
        private boolean rewritten(final BasicFileAttributes now) throws IOException {
            final long size = file.size();
            if (size < position) {
                return true;
            }
            if (!Arrays.equals(readHead(Math.min(head.length, size)), head)) {
                return true;
            }
            if (size == position && modifiedAtPosition != null && !now.lastModifiedTime().equals(modifiedAtPosition)) {
                // A write in progress updates the time before the size: only the same time seen again is a rewrite.
                if (now.lastModifiedTime().equals(suspect)) {
                    return true;
                }
                suspect = now.lastModifiedTime();
                return false;
            }
            suspect = null;
            return false;
        }

        private byte[] readHead(final long n) throws IOException {
            final ByteBuffer b = ByteBuffer.allocate((int) n);
            while (b.hasRemaining() && file.read(b, b.position()) > 0) {
                // positional reads: the read position stays where it is
            }
            return Arrays.copyOf(b.array(), b.position());
        }

        private boolean readToEnd(final NetconSender sender, final int level) throws IOException {
            boolean read = false;
            int n;
            while (!stop.get() && (n = file.read(buf.clear(), position)) > 0) {
                read = true;
                position += n;
                for (int i = 0; i < n; i++) {
                    final byte b = buf.get(i);
                    if (b == '\n') {
                        writePatiently(sender, level, partial.toString(StandardCharsets.UTF_8));
                        partial.reset();
                    } else {
                        partial.write(b);
                    }
                }
            }
            if (head.length < FINGERPRINT && position > head.length) {
                head = readHead(Math.min(position, FINGERPRINT));
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
