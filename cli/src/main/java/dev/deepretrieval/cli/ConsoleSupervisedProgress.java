package dev.deepretrieval.cli;

import dev.deepretrieval.policy.lm.LmTrainer;
import dev.deepretrieval.runs.SupervisedListener;
import java.io.PrintWriter;
import java.util.Locale;

/** A supervised run on the console: its notes, a progress bar with loss and tokens/s, where a stop left it. */
final class ConsoleSupervisedProgress implements SupervisedListener {

    private final PrintWriter err;
    private ProgressBar bar;

    ConsoleSupervisedProgress(PrintWriter err) {
        this.err = err;
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
