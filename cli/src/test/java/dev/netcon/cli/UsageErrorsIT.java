package dev.netcon.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad option values, through the real launcher: each is a usage error (exit 2) in one line that names the
 * option, checked before anything runs, never a Java exception's name.
 */
class UsageErrorsIT {
    @ParameterizedTest(name = "netcon {0}")
    @CsvSource(delimiter = '|', value = {
        "send --facility 200                | --facility must be in 0..127, not 200",
        "send --max-record 100              | --max-record must be in 256..524288, not 100",
        "send --target [::1                 | bad --target '[::1': missing ']' after IPv6 address",
        "send --target 127.0.0.1:65536      | bad --target '127.0.0.1:65536': port must be a number 0..65535",
        "send --source-port -1              | --source-port must be in 0..65535, not -1",
        "send --stats-every -5              | --stats-every must be in 0..2147483, not -5",
        "send --reliable --target 127.0.0.1:1,127.0.0.1:2 | --reliable needs exactly one --target, not 2",
        "send --reliable --kmsg             | --reliable does not go with --kmsg",
        "send --reliable-history 8          | --reliable-history and --reliable-emergency-after go with --reliable",
        "send --reliable --reliable-history 0 | --reliable-history must be in 1..1048576, not 0",
        "send --reliable --reliable-emergency-after 0 | --reliable-emergency-after must be in 1..86400, not 0",
        "send --transport udp               | --transport must be auto, epoll or nio, not udp",
        "decode --window 3 pom.xml          | --window must be a power of two in 2..1048576, not 3",
        "stats --http bad~host:x            | bad --http 'bad~host:x': port must be a number 0..65535",
        "stats --http bad~host:80           | bad --http 'bad~host:80': use HOST:PORT",
        "stats --watch 0                    | --watch must be in 1..86400, not 0",
        "tail --lines -1                    | --lines must be at least 0, not -1",
        "tail --http [::1                   | bad --http '[::1': missing ']' after IPv6 address",
        "receive --window 3                 | --window must be a power of two in 2..1048576, not 3",
        "receive --workers 0                | --workers must be in 1..1024, not 0",
        "receive --queue-size 4096          | --queue-size must be a power of two in 65536..1073741824, not 4096",
        "receive --http nohost:x            | bad --http 'nohost:x': port must be a number 0..65535",
        "receive --rate-limit -1            | --rate-limit must be a number of at least 0, not -1.0",
        "send --userdata nokey              | --userdata must be KEY=VALUE, not 'nokey'",
        "send --userdata bad~key=1          | --userdata: userdata key 'bad~key' must be letters, digits, '_', '-' or '.'",
        "send --kmsg --userdata dc=1        | --userdata does not apply to --kmsg: records keep the kernel's fields",
        "blast --loss 1.5                   | --loss must be a probability in 0..1, not 1.5",
        "blast --dup -0.1                   | --dup must be a probability in 0..1, not -0.1",
        "blast --rate -5                    | --rate must be a number >= 0, not -5.0",
        "blast --size 70000                 | --size must be at most 60000 bytes (the receiver reassembles records up to 64 KiB)",
        "blast --transport udp              | --transport must be auto, epoll or nio, not udp",
    })
    void shouldBeAUsageErrorNamingTheOption(final String args, final String message) throws Exception {
        final String[] argv = args.trim().split(" +");
        final String command = argv[0];
        final LauncherIT.Result r = LauncherIT.netcon(argv);
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("netcon " + command + ": " + message.trim() + "\n");
    }

    @ParameterizedTest(name = "netcon {0}")
    @CsvSource(delimiter = '|', value = {
        "send --facility x         | Invalid value for option '--facility': 'x' is not an int",
        "decode --window 2.5 x     | Invalid value for option '--window': '2.5' is not an int",
    })
    void shouldRejectAValueOfTheWrongTypeAsPicocliDoes(final String args, final String message) throws Exception {
        final LauncherIT.Result r = LauncherIT.netcon(args.trim().split(" +"));
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("netcon: " + message.trim() + "\n").doesNotContain("Exception");
    }
}
