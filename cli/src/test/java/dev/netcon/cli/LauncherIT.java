package dev.netcon.cli;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The real launcher script and shaded jar, as a user runs them. */
class LauncherIT {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    static {
        // A test that fails before it stops its netcon process must not leave it running after the test JVM
        // (a follower, a receiver): every IT starts processes through this class's helpers or next to them.
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly), "kill-netcon-children"));
    }

    record Result(int exit, String out, String err) {
    }

    static Result netcon(final String... args) throws Exception {
        return run(List.of(), args);
    }

    /** Runs the launcher under {@code wrapper} (e.g. setpriv ... to drop root), or directly when it is empty. */
    static Result run(final List<String> wrapper, final String... args) throws Exception {
        final List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(ROOT.resolve("netcon").toString());
        cmd.addAll(List.of(args));
        final ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
        pb.environment().put("NETCON_NO_BUILD", "1"); // the jar was just built by this Maven run
        final File out = File.createTempFile("netcon", ".out");
        final File err = File.createTempFile("netcon", ".err");
        pb.redirectOutput(out).redirectError(err);
        final Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("netcon %s finished", cmd).isTrue();
        return new Result(p.exitValue(), java.nio.file.Files.readString(out.toPath(), StandardCharsets.UTF_8),
            java.nio.file.Files.readString(err.toPath(), StandardCharsets.UTF_8));
    }

    /**
     * Runs the launcher on a pseudo-terminal, as a person's shell would (script(1)); returns what the terminal
     * showed (stdout and stderr together). {@code env}: variables to set, a null value removes one.
     */
    static String onTerminal(final String args, final java.util.Map<String, String> env) throws Exception {
        final ProcessBuilder pb = new ProcessBuilder("script", "-qec", ROOT.resolve("netcon") + " " + args, "/dev/null");
        pb.environment().put("NETCON_NO_BUILD", "1");
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        final File out = File.createTempFile("tty", ".out");
        pb.redirectOutput(out).redirectInput(ProcessBuilder.Redirect.PIPE);
        final Process p = pb.start();
        p.getOutputStream().close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("netcon %s on a terminal finished", args).isTrue();
        return java.nio.file.Files.readString(out.toPath(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldPrintHelpAndVersion() throws Exception {
        final Result help = netcon("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Usage: netcon").contains("decode");
        final Result version = netcon("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("netcon 0.");
    }

    @Test
    void shouldDecodeEveryVectorPcap() throws Exception {
        final Path vectors = ROOT.resolve("protocol/src/test/resources/vectors");
        final String[][] expected = {
            {"kernel-6.1.192-extended.pcap", "789"},
            {"kernel-6.12.107-extended-release.pcap", "796"},
            {"kernel-6.12.107-extended-release-userdata.pcap", "435"},
        };
        for (final String[] e : expected) {
            final Result r = netcon("decode", vectors.resolve(e[0]).toString());
            assertThat(r.exit()).as(e[0]).isZero();
            assertThat(r.out().lines().count()).as(e[0]).isEqualTo(Long.parseLong(e[1]));
            assertThat(r.err()).as(e[0]).isEmpty();
        }
        final Result plain = netcon("decode", "--summary", vectors.resolve("kernel-6.1.192-plain.pcap").toString());
        assertThat(plain.out()).contains("plain datagrams    425").contains("records            0");
    }

    @Test
    void shouldRejectAnUnknownFlagWithUsageExitCode() throws Exception {
        final Result r = netcon("decode", "--no-such-flag", "x.pcap");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("Unknown option: '--no-such-flag'");
        assertThat(r.err()).doesNotContain("Exception");
    }
}
