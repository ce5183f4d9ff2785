package dev.netcon.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code netcon decode} in-process on the real kernel captures (from the protocol test-jar). */
class DecodeCommandTest {
    record Run(int exit, String out, String err) {
    }

    static Run run(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = Netcon.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static Path vector(final Path dir, final String file) throws Exception {
        final Path p = dir.resolve(file);
        try (var in = DecodeCommandTest.class.getResourceAsStream("/vectors/" + file)) {
            Files.copy(in, p);
        }
        return p;
    }

    @Test
    void shouldPrintOneJsonObjectPerRecordOfThePcap(@TempDir final Path dir) throws Exception {
        final Run run = run("decode", vector(dir, "kernel-6.12.107-extended-release-userdata.pcap").toString());
        assertThat(run.exit()).isZero();
        final List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(435);
        assertThat(lines.get(1)).isEqualTo("{\"seq\":381,\"facility\":1,\"level\":0,\"tsUsec\":5060714,\"cont\":false,"
            + "\"release\":\"6.12.107+deb12-amd64\",\"text\":\"nctest: level0 emerg\",\"dict\":{\"host\":\"guest01\",\"dc\":\"lab-7\"}}");
        assertThat(lines).anyMatch(l -> l.contains("\"text\":\"nctest: ctl tab[\\t] bell[\\u0007] esc[\\u001b] cr[\\r] del[\\u007f] utf8[\u00e9] bs[\\\\] semi[;] eq[=]\""));
        assertThat(lines).anyMatch(l -> l.contains("\"cont\":true") && l.contains("tail-after-sleep"));
        assertThat(run.err()).isEmpty();
    }

    @Test
    void shouldSummariseAndReportMalformedDatagrams(@TempDir final Path dir) throws Exception {
        final Path hex = dir.resolve("mixed.hex");
        Files.writeString(hex, String.join("\n",
            hex("6,1,0,-;one\n"), hex("6,2,0,-,ncfrag=0/8;tw"), hex("6,2,0,-,ncfrag=2/8;o two\n"),
            hex("6,2,0,-,ncfrag=2/8;o two\n"), hex("6,3,0,x;bad flag"), hex("6,5,0,-;five\n"), hex("6,1,0,-;one\n"),
            hex("[    1.000000] plain line\n")) + "\n");
        final Run run = run("decode", "--summary", hex.toString());
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("records            3").contains("plain datagrams    1")
            .contains("fragments          3 (duplicate 1, records given up 0)").contains("duplicates         1")
            .contains("gaps               1 (missing records 2)").contains("bad_flag         1");
        assertThat(run.err()).isEqualTo("datagram 4 from capture: bad_flag (flag is not '-', 'c' or '+')\n");
    }

    @Test
    void shouldFailWithOneLineForAMissingFile() {
        final Run run = run("decode", "/nonexistent/capture.pcap");
        assertThat(run.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).isEqualTo("netcon decode: no such file: /nonexistent/capture.pcap\n");
    }

    private static String hex(final String s) {
        final StringBuilder sb = new StringBuilder();
        for (final byte b : s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }
}
