package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import com.typesafe.config.ConfigException;
import dev.deepretrieval.actors.NodeSystem;
import dev.deepretrieval.environments.beir.DatasetFormatException;
import dev.deepretrieval.policy.PolicyLoadException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** Entry point of {@code ./deepretrieval}. */
@Command(name = "deepretrieval", mixinStandardHelpOptions = true, version = "deepretrieval 0.1.0",
        description = "DeepRetrieval on the JVM: RL training of a language model that rewrites search queries,"
                + " rewarded by a real retriever's metric.",
        subcommands = {TrainCommand.class, EvalCommand.class, GenerateCommand.class, PretrainCommand.class,
            ColdStartCommand.class, ServeCommand.class, NodeCommand.class, BenchCommand.class},
        footer = {"%n  ./deepretrieval test   runs the whole test suite (handled by the launcher)",
            "  -Dkey=value            overrides any setting of application.conf", ExitCode.HELP_FOOTER})
public final class Main implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command (train, eval or bench)");
    }

    public static void main(String[] args) {
        // Lucene and others log through java.util.logging: send it to SLF4J so one backend decides what is shown.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the CLI with the given output streams and returns the exit status; never throws. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler(Main::handleFailure);
        commandLine.setParameterExceptionHandler(Main::handleUsageError);
        try {
            return commandLine.execute(args);
        } finally {
            NodeSystem.terminate(60); // the command owned the JVM's actor system, if it used one
        }
    }

    private static int handleUsageError(ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("deepretrieval: " + e.getMessage());
        err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more.");
        err.flush();
        return ExitCode.USAGE;
    }

    /** Maps a command's failure to an exit code and one line on its error stream. */
    static int handleFailure(Exception e, CommandLine commandLine, ParseResult parseResult) {
        if (e instanceof ParameterException usage) {
            return handleUsageError(usage, new String[0]);
        }
        if (e instanceof InvalidTaskRequest request) { // a task family refused a flag's value: a usage error
            return handleUsageError(new ParameterException(commandLine, "--" + request.field() + " "
                    + request.getMessage()), new String[0]);
        }
        PrintWriter err = commandLine.getErr();
        int code;
        String message;
        if (e instanceof DatasetFormatException data) {
            code = ExitCode.BAD_DATA;
            message = "bad data: " + data.getMessage();
        } else if (e instanceof PolicyLoadException model) {
            code = ExitCode.BAD_DATA;
            message = "cannot load the model: " + model.getMessage();
        } else if (e instanceof ConfigException config) {
            code = ExitCode.BAD_CONFIG;
            message = "bad configuration: " + config.getMessage();
        } else if (e instanceof UncheckedIOException io) {
            code = ExitCode.FAILURE;
            message = io.getMessage() + ": " + describe(io.getCause());
        } else {
            code = ExitCode.FAILURE;
            message = describe(e);
        }
        err.println("deepretrieval: error: " + message);
        if (System.getenv("DEEPRETRIEVAL_DEBUG") != null) {
            e.printStackTrace(err);
        } else {
            err.println("(set DEEPRETRIEVAL_DEBUG=1 for the stack trace)");
        }
        err.flush();
        return code;
    }

    private static String describe(Throwable t) {
        if (t instanceof NoSuchFileException missing) {
            return "no such file: " + missing.getFile();
        }
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }
}
