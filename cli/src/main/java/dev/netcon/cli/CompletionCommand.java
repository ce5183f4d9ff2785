package dev.netcon.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code netcon completion bash}: prints a bash completion script. */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {"Print a shell completion script. Only bash is supported (zsh can load it with bashcompinit).",
        "", "Example: source <(netcon completion bash)"})
public final class CompletionCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SHELL", arity = "0..1", defaultValue = "bash", description = "bash, the default and only one.")
    String shell;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!shell.equals("bash")) {
            throw new CommandException(ExitCodes.USAGE, "unsupported shell '" + shell + "' (bash only)");
        }
        spec.commandLine().getOut().print(AutoComplete.bash("netcon", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
