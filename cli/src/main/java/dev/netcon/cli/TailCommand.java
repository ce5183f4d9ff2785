package dev.netcon.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code netcon tail}: the last records of the data directory, merged across hosts by receive time, and with
 * {@code -f} what arrives after; or, with {@code --http}, the receiver's live stream.
 */
@Command(name = "tail", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
    description = {"Show stored records, merged across hosts by receive time: the last -n from --data-dir, "
        + "then with -f what arrives (files are followed across rotation). With --http, follow the receiver's live "
        + "stream instead. Text is shown with escapes decoded and control characters made visible.",
        "", "Example: netcon tail -f --host 'web-*' --level warn"})
public final class TailCommand implements Callable<Integer> {
    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "10", description = "How many of the last records to show first (0: none).")
    int lines;

    @Option(names = {"-f", "--follow"}, description = "Keep showing records as they are stored.")
    boolean follow;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:NETCON_DATA_DIR:-./data}", description = "The receiver's data directory.")
    Path dataDir;

    @Option(names = "--http", paramLabel = "HOST:PORT", description = "Follow the receiver's live /stream instead of the files (implies -f).")
    String http;

    @Option(names = "--host", paramLabel = "GLOB", description = "Only these hosts (repeatable; * and ? globs).")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--level", paramLabel = "LEVEL", description = "Only this level and more severe: emerg..debug or 0..7.")
    String level;

    @Option(names = "--grep", paramLabel = "REGEX", description = "Only records whose text matches.")
    String grep;

    @Option(names = "--since", paramLabel = "WHEN", description = "Only records received since: a duration ago (30s, 10m, 2h, 1d) or an ISO time.")
    String since;

    @Option(names = "--until", paramLabel = "WHEN", description = "Only records received until: a duration ago or an ISO time.")
    String until;

    @Option(names = "--json", description = "One JSON object per record (decode's fields plus host, source, kind, receivedAt).")
    boolean json;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto", description = "auto (when stdout is a terminal, NO_COLOR is unset and TERM is not dumb), always or never.")
    String color;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private Filter filter;
    private Display display;
    private PrintWriter out;

    /** The record filters, compiled once. */
    record Filter(List<Pattern> hosts, int maxLevel, Pattern grep, String since, String until) {
        boolean hostMatches(final String host) {
            return hosts.isEmpty() || hosts.stream().anyMatch(p -> p.matcher(host).matches());
        }

        boolean accepts(final StoredLine l) {
            if (!hostMatches(l.host())) {
                return false;
            }
            if (l.level() != null && l.kind().equals("rec") && l.level() > maxLevel) {
                return false;
            }
            if (grep != null && !grep.matcher(l.text()).find()) {
                return false;
            }
            return (since == null || l.receivedAt().compareTo(since) >= 0) && (until == null || l.receivedAt().compareTo(until) <= 0);
        }
    }

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        Checks.range("--lines", lines, 0, Integer.MAX_VALUE);
        if (!List.of("auto", "always", "never").contains(color)) {
            throw new CommandException(ExitCodes.USAGE, "--color must be auto, always or never");
        }
        display = new Display(!json && Display.wantColour(color));
        final List<Pattern> hostPatterns = hosts.stream().map(TailCommand::glob).toList();
        Pattern grepPattern = null;
        if (grep != null) {
            try {
                grepPattern = Pattern.compile(grep);
            } catch (final PatternSyntaxException e) {
                throw new CommandException(ExitCodes.USAGE, "bad --grep pattern: " + e.getDescription());
            }
        }
        filter = new Filter(hostPatterns, level == null ? 7 : Levels.parse(level), grepPattern, when(since), when(until));
        if (http != null) {
            return followStream();
        }
        if (!Files.isDirectory(dataDir)) {
            throw new CommandException(ExitCodes.BAD_INPUT, "no data directory " + dataDir + " (is this where netcon receive stores? use --data-dir)");
        }
        final Map<Path, Position> positions = new HashMap<>();
        final List<StoredLine> initial = new ArrayList<>();
        for (final Path hostDir : hostDirs()) {
            initial.addAll(lastLines(hostDir, positions));
        }
        initial.sort(Comparator.comparing(StoredLine::receivedAt)); // stable: a host's own order is kept
        for (final StoredLine l : initial.subList(Math.max(0, initial.size() - lines), initial.size())) {
            print(l);
        }
        out.flush();
        if (follow) {
            followFiles(positions);
        }
        return ExitCodes.OK;
    }

    /**
     * A host's last -n records that pass the filter, in file order, read backwards from the end of its active
     * file and then its rotated files, newest first; notes where following the active file starts.
     */
    private List<StoredLine> lastLines(final Path hostDir, final Map<Path, Position> positions) throws IOException {
        final List<StoredLine> found = new ArrayList<>();
        final List<Path> files = files(hostDir);
        for (int i = files.size() - 1; i >= 0; i--) {
            final Path file = files.get(i);
            final boolean active = file.getFileName().toString().equals("netcon.log");
            if (!active && found.size() >= lines) {
                break;
            }
            final Object key = active ? Files.readAttributes(file, BasicFileAttributes.class).fileKey() : null;
            try (BackwardLines back = new BackwardLines(file)) {
                if (active) {
                    final Position p = new Position();
                    p.fileKey = key;
                    p.offset = back.end();
                    positions.put(file, p);
                }
                String line;
                while (found.size() < lines && (line = back.previous()) != null) {
                    final StoredLine l = StoredLine.parse(line);
                    if (l != null && filter.accepts(l)) {
                        found.add(l);
                    }
                }
            }
        }
        Collections.reverse(found);
        return found;
    }

    /** Where reading of a host's active file stands: its identity and byte offset. */
    static final class Position {
        Object fileKey;
        long offset;
    }

    private void followFiles(final Map<Path, Position> positions) throws IOException, InterruptedException {
        while (true) {
            final List<StoredLine> fresh = new ArrayList<>();
            for (final Path hostDir : hostDirs()) {
                final Path active = hostDir.resolve("netcon.log");
                if (!Files.exists(active)) {
                    continue;
                }
                final Position p = positions.computeIfAbsent(active, k -> new Position());
                final Object key = Files.readAttributes(active, BasicFileAttributes.class).fileKey();
                if (p.fileKey != null && !p.fileKey.equals(key)) {
                    // Rotated: finish the rotated file (found by its identity), then start the new one from its beginning.
                    final Path rotated = withKey(hostDir, p.fileKey);
                    if (rotated != null) {
                        readNew(rotated, p, fresh);
                    }
                    p.offset = 0;
                }
                p.fileKey = key;
                readNew(active, p, fresh);
            }
            fresh.sort(Comparator.comparing(StoredLine::receivedAt));
            for (final StoredLine l : fresh) {
                print(l);
            }
            out.flush();
            if (out.checkError()) {
                return; // the reader went away (a closed pipe)
            }
            Thread.sleep(200);
        }
    }

    /** The rotated file that was the active one (its file key), or null if it is gone. */
    private static Path withKey(final Path hostDir, final Object fileKey) throws IOException {
        for (final Path f : files(hostDir)) {
            try {
                if (fileKey.equals(Files.readAttributes(f, BasicFileAttributes.class).fileKey())) {
                    return f;
                }
            } catch (final NoSuchFileException e) {
                // deleted by retention meanwhile
            }
        }
        return null;
    }

    /**
     * Reads every complete line after p.offset, however far the file has grown; a last line without its newline
     * is left for later.
     */
    private void readNew(final Path file, final Position p, final List<StoredLine> into) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (p.fileKey == null) {
                p.fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            }
            if (ch.size() < p.offset) {
                p.offset = 0; // truncated
            }
            final InputStream in = new BufferedInputStream(Channels.newInputStream(ch.position(p.offset)), 1 << 20);
            final ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
            long read = p.offset;
            int b;
            while ((b = in.read()) >= 0) {
                read++;
                if (b != '\n') {
                    line.write(b);
                    continue;
                }
                final StoredLine l = StoredLine.parse(line.toString(StandardCharsets.UTF_8));
                if (l != null && filter.accepts(l)) {
                    into.add(l);
                }
                line.reset();
                p.offset = read;
            }
        }
    }

    private List<Path> hostDirs() throws IOException {
        final List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dataDir, Files::isDirectory)) {
            for (final Path d : ds) {
                if (!d.getFileName().toString().startsWith(".") && filter.hostMatches(d.getFileName().toString())) {
                    dirs.add(d);
                }
            }
        }
        dirs.sort(null);
        return dirs;
    }

    /** Rotated files oldest first, then the active file. */
    private static List<Path> files(final Path hostDir) throws IOException {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(hostDir, "netcon-*.log")) {
            ds.forEach(files::add);
        }
        files.sort(null);
        final Path active = hostDir.resolve("netcon.log");
        if (Files.exists(active)) {
            files.add(active);
        }
        return files;
    }

    private int followStream() throws IOException, InterruptedException {
        final StringBuilder query = new StringBuilder("/stream?level=").append(filter.maxLevel());
        if (hosts.size() == 1) {
            query.append("&host=").append(URLEncoder.encode(hosts.get(0), StandardCharsets.UTF_8));
        }
        final URI uri = URI.create(Checks.httpBase("--http", http) + query);
        final HttpResponse<java.io.InputStream> response;
        try {
            response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (final ConnectException e) {
            throw new CommandException(ExitCodes.UNREACHABLE, "cannot reach the receiver at http://" + http
                + " (is netcon receive running with --http " + http + "?)");
        }
        if (response.statusCode() != 200) {
            throw new CommandException(ExitCodes.UNREACHABLE, "the receiver at http://" + http + " answered " + response.statusCode());
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue; // keepalive
                }
                final StoredLine l = StoredLine.fromJson(MiniJson.object(line));
                if (filter.accepts(l)) {
                    print(l);
                    out.flush();
                    if (out.checkError()) {
                        break;
                    }
                }
            }
        }
        return ExitCodes.OK;
    }

    private void print(final StoredLine l) {
        out.println(json ? l.toJson() : display.line(l));
    }

    static Pattern glob(final String glob) {
        final StringBuilder sb = new StringBuilder();
        for (final char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> sb.append(".*");
                case '?' -> sb.append('.');
                default -> sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(sb.toString());
    }

    /** "30s", "10m", "2h", "1d" ago, or an ISO-8601 instant; as the receivedAt text form, for comparison. */
    static String when(final String s) {
        if (s == null) {
            return null;
        }
        final Instant t;
        final java.util.regex.Matcher m = Pattern.compile("(\\d+)([smhd])").matcher(s);
        if (m.matches()) {
            final long n = Long.parseLong(m.group(1));
            final Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            t = Instant.now().minus(d);
        } else {
            try {
                t = Instant.parse(s);
            } catch (final java.time.format.DateTimeParseException e) {
                throw new CommandException(ExitCodes.USAGE, "bad time '" + s + "': use a duration (30s, 10m, 2h, 1d) or an ISO time (2026-11-25T03:00:00Z)");
            }
        }
        final String iso = t.toString(); // e.g. 2026-11-25T03:05:01.123456Z or ...01Z
        return iso.length() >= 19 ? iso.substring(0, 19) : iso;
    }
}
