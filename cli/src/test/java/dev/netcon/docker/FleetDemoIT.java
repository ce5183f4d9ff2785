package dev.netcon.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The fleet demo as a user runs it: {@code docker/fleet-demo.sh} brings up
 * docker/docker-compose.yml with docker-compose, waits for every sender, prints
 * the receiver's per-host summary and tears everything down. Every sender host
 * must appear in the summary with all its records delivered.
 */
class FleetDemoIT {
    private static final Pattern SENDER = Pattern.compile("^sender (\\S+) ip=(\\S+) exit=(\\S+)$");
    /** Records each sender of docker-compose.yml sends (blast --records 1000; 100 stdin lines). */
    private static final Map<String, Integer> EXPECTED = Map.of(
        "blast-1", 1000, "blast-2", 1000, "web-1", 100, "web-2", 100);
    /** Senders started with --hostname, so the summary must name them. */
    private static final List<String> NAMED = List.of("web-1", "web-2");

    @Test
    void summaryShowsEveryHostWithAllItsRecordsDelivered() throws Exception {
        DockerSupport.assumeDocker();
        DockerSupport.Result compose = DockerSupport.run(List.of("docker-compose", "version"), Map.of(),
            Duration.ofSeconds(30));
        assumeTrue(compose.exitCode() == 0, "no docker-compose: fleet demo test skipped "
            + "(docker/setup-engine.sh installs it)");
        String image = DockerSupport.image();
        DockerSupport.assumeSubcommands(image, "receive", "send", "blast", "stats");

        DockerSupport.Result demo = DockerSupport.run(
            List.of("bash", DockerSupport.dockerDir().resolve("fleet-demo.sh").toString(), "--no-build"),
            Map.of("NETCON_IMAGE", image, "FLEET_PROJECT", "netcon-fleet-it", "FLEET_TIMEOUT_SECONDS", "240"),
            Duration.ofMinutes(8));
        String output = demo.output();

        Map<String, String[]> senders = new LinkedHashMap<>();
        for (String line : DockerSupport.lines(output)) {
            Matcher m = SENDER.matcher(line.trim());
            if (m.matches()) {
                senders.put(m.group(1), new String[] {m.group(2), m.group(3)});
            }
        }
        assertThat(senders).as("senders reported by fleet-demo.sh:\n%s", output)
            .containsOnlyKeys(EXPECTED.keySet());
        senders.forEach((name, ipAndExit) ->
            assertThat(ipAndExit[1]).as("exit code of sender %s:\n%s", name, output).isEqualTo("0"));
        assertThat(demo.exitCode()).as("fleet-demo.sh exit code:\n%s", output).isZero();

        int begin = output.indexOf("== summary ==");
        int end = output.indexOf("== end summary ==");
        assertThat(begin).as("summary block in:\n%s", output).isNotNegative();
        assertThat(end).isGreaterThan(begin);
        List<String> summary = DockerSupport.lines(output.substring(begin, end));

        for (Map.Entry<String, Integer> expected : EXPECTED.entrySet()) {
            String name = expected.getKey();
            String ip = senders.get(name)[0];
            // A sender started with --hostname is shown by that name; the others
            // by their host= name (which blast may take from the container's
            // hostname) or by their address.
            Pattern identity = NAMED.contains(name)
                ? Pattern.compile("(^|[^\\w.-])" + Pattern.quote(name) + "([^\\w.-]|$)")
                : Pattern.compile("(^|[^\\w.-])(" + Pattern.quote(name) + "|" + Pattern.quote(ip) + ")([^\\w.-]|$)");
            Pattern delivered = Pattern.compile("(^|\\D)" + expected.getValue() + "(\\D|$)");
            assertThat(summary)
                .as("summary line for %s (%s) showing %d delivered, in:\n%s",
                    name, ip, expected.getValue(), String.join("\n", summary))
                .anyMatch(line -> identity.matcher(line).find() && delivered.matcher(line).find());
        }
    }
}
