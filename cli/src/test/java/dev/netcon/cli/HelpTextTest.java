package dev.netcon.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** What --help shows: meaningful value labels, optional arguments in brackets, paragraphs that wrap whole. */
class HelpTextTest {
    private static CommandLine netcon() {
        return Netcon.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    }

    @Test
    void shouldLabelEveryOptionValue() {
        for (final CommandLine sub : netcon().getSubcommands().values()) {
            for (final CommandLine.Model.OptionSpec o : sub.getCommandSpec().options()) {
                if (o.arity().max() > 0) {
                    // FILE, HOST:PORT, RECORDS/S, KEY=VALUE, or a choice such as start|end; never picocli's <fieldName>
                    assertThat(o.paramLabel()).as("%s %s", sub.getCommandName(), o.longestName())
                        .matches("[A-Z][A-Z0-9/:=]*|[a-z]+(\\|[a-z]+)+");
                }
            }
        }
    }

    @Test
    void shouldShowTheCompletionShellAsOptionalAndPrintBashWithoutIt() {
        final CommandLine completion = netcon().getSubcommands().get("completion");
        assertThat(completion.getUsageMessage()).contains("completion [-hV] [--verbose] [SHELL]");
        final DecodeCommandTest.Run run = DecodeCommandTest.run("completion");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("complete -F");
    }

    @Test
    void shouldWrapTheDecodeDescriptionAsOneParagraph() {
        final String help = netcon().getSubcommands().get("decode").getUsageMessage(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        assertThat(help).contains("Fields: seq, facility").doesNotContainPattern("with one\\r?\\ndatagram per line");
        final String[] description = netcon().getSubcommands().get("decode").getCommandSpec().usageMessage().description();
        assertThat(description).hasSize(3);
    }

    @Test
    void shouldSayThatTermDumbTurnsColourOff() {
        assertThat(netcon().getSubcommands().get("tail").getUsageMessage()).contains("TERM is not dumb");
    }
}
