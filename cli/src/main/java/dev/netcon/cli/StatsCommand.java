package dev.netcon.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code netcon stats}: the receiver's accounting as a table, worst loss first. */
@Command(name = "stats", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
    description = {"Show the receiver's accounting per host, worst loss first, and totals: delivered, missing "
        + "(= dropped at source + lost in transit), duplicates, malformed, last seen.",
        "", "Example: netcon stats --http 127.0.0.1:9666 --watch 2"})
public final class StatsCommand implements Callable<Integer> {
    @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "${env:NETCON_HTTP:-127.0.0.1:9666}", description = "The receiver's HTTP address.")
    String http;

    @Option(names = "--json", description = "Print the receiver's /stats document as it is.")
    boolean json;

    @Option(names = "--watch", paramLabel = "SECONDS", arity = "0..1", fallbackValue = "2", description = "Refresh every SECONDS (default 2 when given without a value) until interrupted.")
    Integer watch;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        final URI uri = URI.create(Checks.httpBase("--http", http) + "/stats");
        if (watch != null) {
            Checks.range("--watch", watch, 1, 86400);
        }
        final PrintWriter out = spec.commandLine().getOut();
        final boolean tty = System.console() != null;
        while (true) {
            final String body = fetch(uri);
            if (watch != null && tty) {
                out.print("\u001b[H\u001b[2J"); // redraw in place
            }
            out.print(json ? body.endsWith("\n") ? body : body + "\n" : table(MiniJson.object(body)));
            out.flush();
            if (watch == null || out.checkError()) {
                return ExitCodes.OK;
            }
            if (!tty) {
                out.println();
            }
            Thread.sleep(watch * 1000L);
        }
    }

    private static String fetch(final URI uri) throws IOException, InterruptedException {
        try {
            final HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()
                .send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new CommandException(ExitCodes.UNREACHABLE, uri + " answered " + r.statusCode());
            }
            return r.body();
        } catch (final ConnectException | java.net.http.HttpConnectTimeoutException e) {
            throw new CommandException(ExitCodes.UNREACHABLE, "cannot reach the receiver at " + uri
                + " (is netcon receive running? point --http at its HTTP address)");
        }
    }

    @SuppressWarnings("unchecked")
    static String table(final Map<String, Object> stats) {
        final List<Map<String, Object>> sources = new ArrayList<>((List<Map<String, Object>>) stats.get("sources"));
        sources.sort(Comparator.comparingLong((Map<String, Object> s) -> n(s, "missing")).reversed()
            .thenComparing(Comparator.comparingLong((Map<String, Object> s) -> n(s, "lostInTransit")).reversed())
            .thenComparing(s -> String.valueOf(s.get("host"))));
        final String format = "%-24s %-22s %10s %9s %9s %9s %9s %9s  %s%n";
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(format, "HOST", "SOURCE", "DELIVERED", "MISSING", "DROPPED", "LOST", "DUPS", "MALFORMED", "LAST SEEN"));
        for (final Map<String, Object> s : sources) {
            sb.append(String.format(format, Display.visible(String.valueOf(s.get("host"))), s.get("source"), n(s, "delivered"),
                n(s, "missing"), n(s, "droppedAtSource"), n(s, "lostInTransit"), n(s, "duplicates"), n(s, "malformed"),
                s.get("lastSeen") == null ? "-" : s.get("lastSeen")));
        }
        final Map<String, Object> t = (Map<String, Object>) stats.get("totals");
        sb.append(String.format(format, "TOTAL (" + n(t, "sources") + " sources)", "", n(t, "delivered"), n(t, "missing"),
            n(t, "droppedAtSource"), n(t, "lostInTransit"), n(t, "duplicates"), n(t, "malformed"), ""));
        sb.append("queue full ").append(n(t, "queueFull")).append(", socket overflows ").append(n(t, "socketOverflows"))
            .append(", not allowed ").append(n(t, "notAllowed")).append(", rate limited ").append(n(t, "rateLimited"))
            .append(", store failures ").append(n(t, "storeFailures")).append(", plain ").append(n(t, "plain"))
            .append(", seq resets ").append(n(t, "seqResets")).append('\n');
        return sb.toString();
    }

    private static long n(final Map<String, Object> m, final String key) {
        return m.get(key) instanceof Number x ? x.longValue() : 0;
    }
}
