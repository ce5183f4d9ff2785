package dev.netcon.docker;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * What the container tests share: the Docker assumption, the image (built once
 * per JVM with {@code docker/build-image.sh}), and bounded child processes.
 *
 * <p>System properties (failsafe sets the first two):
 * <ul>
 *   <li>{@code netcon.repo.dir}: the repository root (holds {@code docker/});</li>
 *   <li>{@code netcon.jar}: the fat jar to put in the image;</li>
 *   <li>{@code netcon.image}: image to test (default {@code netcon/netcon:local});</li>
 *   <li>{@code netcon.image.build}: {@code false} to test {@code netcon.image} as it is.</li>
 * </ul>
 */
final class DockerSupport {
    static final String DEFAULT_IMAGE = "netcon/netcon:local";
    static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);

    private static String builtImage;
    private static final Map<String, String> HELP = new ConcurrentHashMap<>();

    private DockerSupport() {
    }

    /**
     * Skips the calling test, with a message saying how to run it, unless an
     * engine answers both the {@code docker} CLI (which the scripts use) and
     * Testcontainers.
     */
    static void assumeDocker() {
        assumeTrue(cliReachesEngine(), "no Docker engine answers `docker info`: container tests skipped "
            + "(start one with docker/setup-engine.sh as root)");
        boolean available;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            available = false;
        }
        assumeTrue(available, "Testcontainers finds no Docker engine: container tests skipped "
            + "(start one with docker/setup-engine.sh as root)");
    }

    private static boolean cliReachesEngine() {
        try {
            return run(List.of("docker", "info"), Map.of(), Duration.ofSeconds(30)).exitCode == 0;
        } catch (IOException | IllegalStateException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static Path repoDir() {
        String dir = System.getProperty("netcon.repo.dir");
        Path path = dir != null ? Paths.get(dir) : Paths.get("..");
        return path.toAbsolutePath().normalize();
    }

    static Path dockerDir() {
        return repoDir().resolve("docker");
    }

    /** The image under test, built on first use unless {@code netcon.image.build=false}. */
    static synchronized String image() throws IOException, InterruptedException {
        if (builtImage != null) {
            return builtImage;
        }
        String tag = System.getProperty("netcon.image", DEFAULT_IMAGE);
        if (Boolean.parseBoolean(System.getProperty("netcon.image.build", "true"))) {
            Path jar = Paths.get(System.getProperty("netcon.jar", "target/netcon.jar")).toAbsolutePath();
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("no fat jar at " + jar + ": run `mvn verify` (package makes it)");
            }
            Result build = run(List.of("bash", dockerDir().resolve("build-image.sh").toString()),
                Map.of("IMAGE_TAG", tag, "NETCON_JAR", jar.toString()), BUILD_TIMEOUT);
            if (build.exitCode != 0) {
                throw new IllegalStateException("docker/build-image.sh failed with " + build.exitCode
                    + ":\n" + build.output);
            }
        }
        builtImage = tag;
        return tag;
    }

    /**
     * Skips the calling test while the image's CLI lacks one of {@code subcommands}
     * (the CLI grows a subcommand at a time; the test runs once they are all
     * there). An image whose {@code --help} fails is left to the test that runs
     * it to report.
     */
    static void assumeSubcommands(String image, String... subcommands) throws IOException, InterruptedException {
        String help = HELP.get(image);
        if (help == null) {
            help = run(List.of("docker", "run", "--rm", "--network", "none", image, "--help"), Map.of(),
                Duration.ofSeconds(60)).output;
            HELP.put(image, help);
        }
        for (String subcommand : subcommands) {
            boolean listed = Pattern.compile("(?m)^\\s+" + Pattern.quote(subcommand)
                + "(\\s|,|$)").matcher(help).find();
            assumeTrue(listed, "`netcon " + subcommand + "` is not in this build yet (per `netcon --help` in "
                + image + "): test skipped until it lands");
        }
    }

    /**
     * Starts {@code container}; when it does not start (or never becomes ready),
     * fails with everything the container printed, which Testcontainers would
     * otherwise send only to its (here silent) logger.
     */
    static void start(GenericContainer<?> container, String what) {
        StringBuffer output = new StringBuffer();
        container.withLogConsumer(frame -> output.append(frame.getUtf8String()));
        try {
            container.start();
        } catch (RuntimeException e) {
            throw new AssertionError(what + " did not start; its output:\n" + output, e);
        }
    }

    /** Runs a command with stdout and stderr merged, killing it when {@code timeout} passes. */
    static Result run(List<String> command, Map<String, String> env, Duration timeout)
        throws IOException, InterruptedException {
        Path log = Files.createTempFile("netcon-it-", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                .directory(repoDir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
                process.waitFor(10, TimeUnit.SECONDS);
                String output = Files.readString(log, StandardCharsets.UTF_8);
                throw new IllegalStateException(command + " still running after " + timeout + ":\n" + output);
            }
            return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Polls {@code condition} every 200 ms until it holds; fails with {@code what} when {@code timeout} passes. */
    static void await(Duration timeout, Supplier<String> what, BooleanSupplier condition)
        throws InterruptedException {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (deadlineNs - System.nanoTime() <= 0) {
                throw new AssertionError("not within " + timeout + ": " + what.get());
            }
            Thread.sleep(200);
        }
    }

    static List<String> lines(String text) {
        return new ArrayList<>(List.of(text.split("\\R")));
    }

    record Result(int exitCode, String output) {
    }
}
