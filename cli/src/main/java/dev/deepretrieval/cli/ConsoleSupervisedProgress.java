package dev.deepretrieval.cli;

import dev.deepretrieval.policy.lm.LmTrainer;
import dev.deepretrieval.runs.SupervisedListener;
import dev.deepretrieval.runs.SupervisedRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Model.CommandSpec;

/** A supervised run on the console: its notes, a progress bar with loss and tokens/s, where a stop left it. */
final class ConsoleSupervisedProgress implements SupervisedListener {

    private final PrintWriter err;
    private ProgressBar bar;

    private ConsoleSupervisedProgress(PrintWriter err) {
        this.err = err;
    }

    /** A supervised job as a command runs it: told to the console, stopped by Ctrl-C/SIGTERM. */
    interface Job {
        SupervisedRun.Outcome run(SupervisedListener listener, BooleanSupplier stop) throws IOException;
    }

    /** Runs {@code job} on the console; prints its summary as one JSON line, or says where a stop left it. */
    static int run(CommandSpec spec, Job job) throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        StopSignal stop = StopSignal.install(err);
        SupervisedRun.Outcome outcome;
        try {
            outcome = job.run(new ConsoleSupervisedProgress(err), stop::requested);
        } finally {
            stop.uninstall();
        }
        if (outcome.summary().isEmpty()) {
            return ExitCode.INTERRUPTED;
        }
        spec.commandLine().getOut().println(Json.line(outcome.summary().get()));
        return ExitCode.OK;
    }

    @Override
    public void say(String line) {
        err.println(line);
        err.flush();
    }

    @Override
    public void started(int startStep, int totalSteps) {
        if (startStep > 0) {
            say(String.format(Locale.ROOT, "resuming at step %d of %d", startStep, totalSteps));
        }
        bar = new ProgressBar(err, startStep, totalSteps);
    }

    @Override
    public void step(LmTrainer.StepReport report, double tokensPerSecond, double heldOutLoss) {
        bar.update(report.step(), String.format(Locale.ROOT, "loss %.3f (ppl %.1f)%s · %,.0f tok/s", report.loss(),
                Math.exp(report.loss()), Double.isNaN(heldOutLoss) ? ""
                        : String.format(Locale.ROOT, " held-out ppl %.1f", Math.exp(heldOutLoss)), tokensPerSecond));
    }

    @Override
    public void stopped(int reached, int totalSteps) {
        say(String.format(Locale.ROOT, "stopped at step %d of %d with a checkpoint; continue with --resume", reached,
                totalSteps));
    }
}
