package dev.netcon.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Properties;

/** The {@code netcon} executable: one picocli command with a subcommand per use. */
@Command(name = "netcon",
    mixinStandardHelpOptions = true,
    versionProvider = Netcon.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    showDefaultValues = true,
    description = "netconsole-style log transport: send, receive, tail and account for log records over UDP.",
    subcommands = {ReceiveCommand.class, SendCommand.class, TailCommand.class, StatsCommand.class, BlastCommand.class, DecodeCommand.class,
        CompletionCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Exit codes: 0 ok, 1 failure, 2 usage, 3 bad input, 4 unreachable, 5 permission, 6 config, 7 address in use.",
        "Docs: README.md and docs/ in the source tree."})
public final class Netcon implements Runnable {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
        description = "Print stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args) {
        System.exit(commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args));
    }

    /** The configured command line, writing to the given streams; tests run commands in-process through it. */
    public static CommandLine commandLine(final PrintWriter out, final PrintWriter err) {
        final CommandLine cl = new CommandLine(new Netcon());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(Netcon::handleException);
        cl.setParameterExceptionHandler((ex, args) -> {
            final CommandLine c = ex.getCommandLine();
            c.getErr().println("netcon: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return ExitCodes.USAGE;
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static int handleException(final Exception ex, final CommandLine cl, final CommandLine.ParseResult parsed) {
        final boolean verbose = parsed.matchedOption("--verbose") != null
            || parsed.subcommands().stream().anyMatch(p -> p.matchedOption("--verbose") != null);
        final PrintWriter err = cl.getErr();
        final int code;
        final String message;
        if (ex instanceof CommandException ce) {
            code = ce.exitCode();
            message = ce.getMessage();
        } else if (ex instanceof NoSuchFileException e) {
            code = ExitCodes.BAD_INPUT;
            message = "no such file: " + e.getFile();
        } else if (ex instanceof AccessDeniedException e) {
            code = ExitCodes.PERMISSION;
            message = "permission denied: " + e.getFile();
        } else {
            code = ExitCodes.FAILURE;
            message = ex.getClass().getSimpleName() + ": " + ex.getMessage() + " (run with --verbose for details)";
        }
        err.println("netcon " + cl.getCommandName() + ": " + message);
        if (verbose) {
            ex.printStackTrace(err);
        }
        return code;
    }

    /** Reads the version Maven wrote into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            final Properties p = new Properties();
            try (InputStream in = Netcon.class.getResourceAsStream("/netcon-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"netcon " + p.getProperty("version", "unknown"),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
