package dev.deepretrieval.cli;

import dev.deepretrieval.actors.NodeSystem;
import dev.deepretrieval.runs.RunManager;
import dev.deepretrieval.runs.RunManagers;
import dev.deepretrieval.runs.RunRequest;
import dev.deepretrieval.runs.TrainingJob;
import dev.deepretrieval.streams.StepReport;
import dev.deepretrieval.tasks.HeldOutEvaluation;
import dev.deepretrieval.tasks.Settings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The main job: RL training of the query-rewriting policy against a real retriever, then held-out evaluation. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains the query-rewriting policy by reinforcement learning against a real retriever"
                + " (deepretrieval.train in application.conf).", "",
            "With no arguments (the embedded defaults): the bundled default policy, prompted with the SciFact train"
                + " claims (1 in 8 carved out for validation), extractive rewrites in expand mode scored by BM25 nDCG"
                + " through the paper's BEIR reward, GRPO with word credit (each kept or left-out word credited with"
                + " its own measured effect), 60 steps of 64 claims x 2 samples; validated every 20 steps (each step's"
                + " policy the mean of its newest three checkpoints), and the best validated policy evaluated on the"
                + " test split against the original claims and the initial policy. A Pekko actor per"
                + " role (policy, environment, learner) under a run supervisor, connected by a backpressured stream.",
            "Other tasks: --task squad (evidence QA, BM25, the paper's rank-tier reward), --task spider (text-to-SQL"
                + " with the schema in the prompt, execution match; --sql-url for MariaDB or PostgreSQL), --task cohen2006"
                + " (literature search on a local corpus, recall tiers), --task clef-tar-2019 (PubMed; --engine,"
                + " --pubmed-url, --ctgov-url), and any BEIR dataset with --retriever dense.",
            "Leaves in --out: metrics.jsonl, reward.png, report.html, summary.json (held-out results of the original"
                + " queries, the initial policy and the trained one), checkpoints/, model/ and the run store."},
        footer = {"%nCtrl-C or SIGTERM finishes the batch in flight, checkpoints and stops; --resume continues.",
            "Example: ./deepretrieval train --steps 40 --algorithm grpo --out runs/grpo", ExitCode.HELP_FOOTER})
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--task", paramLabel = "NAME",
            description = "Dataset to train on: a name from deepretrieval.datasets (scifact, squad, spider) or a BEIR,"
                    + " evidence-QA or Spider-layout folder (default from config).")
    String task;

    @Option(names = "--retriever", paramLabel = "bm25|dense",
            description = "BEIR datasets: the retriever scoring rewrites, bm25 or dense (deepretrieval.dense; default"
                    + " from config).")
    String retriever;

    @Option(names = "--template", paramLabel = "NAME",
            description = "The prompt template (scifact, nfcorpus, squad, nq, triviaqa, spider; default from config, else"
                    + " the dataset's name).")
    String template;

    @Mixin
    SearchOptions searchOptions;

    @Option(names = "--sql-url", paramLabel = "URL",
            description = "Text-to-SQL: the R2DBC URL of the server to load and query (default from config: embedded"
                    + " H2), e.g. r2dbc:mariadb://root@127.0.0.1:3306/test.")
    String sqlUrl;

    @Option(names = "--model", paramLabel = "FOLDER", description = "The policy to start from (default: the bundled default policy).")
    Path model;

    @Option(names = "--algorithm", paramLabel = "ppo|grpo", description = "ppo, grpo, dr-grpo or rloo (default from config).")
    String algorithm;

    @Option(names = "--steps", paramLabel = "N", description = "Training steps (default from config).")
    Long steps;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of sampling and prompt order (default from config).")
    Long seed;

    @Option(names = "--out", paramLabel = "FOLDER", description = "Output folder (default from config).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its newest checkpoint.")
    boolean resume;

    @Option(names = "--skip-heldout", description = "Stop after training: no held-out evaluation or summary (bench train).")
    boolean skipHeldout;

    @Option(names = "--store-url", paramLabel = "URL",
            description = "R2DBC URL of the run store (default from config: an H2 file in --out), e.g."
                    + " r2dbc:postgresql://postgres@127.0.0.1:5432/test.")
    String storeUrl;

    @Override
    public Integer call() throws Exception {
        Settings settings = new Settings(configOptions.load());
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        var request = new RunRequest(task, template, retriever, sqlUrl, searchOptions.endpoints(), model, algorithm,
                steps, seed, out, resume, skipHeldout, storeUrl, null);
        ActorSystem<Void> system = NodeSystem.obtain(settings.raw());
        ActorRef<RunManager.Command> manager = RunManagers.of(system);
        var ended = new CompletableFuture<RunManager.RunEnded>();
        var runId = new AtomicReference<String>();
        // Ctrl-C or SIGTERM while training: finish the batch in flight, checkpoint, stop; the hook is released once
        // training has ended, so a signal during the held-out evaluation ends the process at once
        StopSignal stop = StopSignal.install(err).onRequest(() -> {
            String id = runId.get();
            if (id != null) {
                manager.tell(new RunManager.Control(id, RunManager.Action.STOP, system.ignoreRef()));
            }
        });
        ActorRef<RunManager.RunEvent> console = system.systemActorOf(console(err, stop, ended),
                "train-console-" + java.util.UUID.randomUUID(), Props.empty());
        try {
            RunManager.StartReply reply = AskPattern.<RunManager.Command, RunManager.StartReply>ask(manager,
                    replyTo -> new RunManager.Start(request, settings, Optional.of(console), replyTo),
                    Duration.ofSeconds(30), system.scheduler()).toCompletableFuture().get();
            if (reply instanceof RunManager.Refused refused) {
                err.println("deepretrieval: error: " + refused.reason());
                return ExitCode.FAILURE;
            }
            runId.set(((RunManager.Started) reply).id());
            if (stop.requested()) {
                manager.tell(new RunManager.Control(runId.get(), RunManager.Action.STOP, system.ignoreRef()));
            }
            RunManager.RunEnded end = ended.get();
            if (end.error().isPresent() && end.error().get() instanceof Exception thrown && end.outcome().isEmpty()) {
                throw thrown; // the request or the configuration was refused: said as the CLI says such errors
            }
            TrainingJob.Outcome outcome = end.outcome().orElseThrow();
            return switch (outcome.state()) {
                case FAILED -> {
                    err.println("deepretrieval: error: training failed: " + outcome.failure());
                    yield ExitCode.FAILURE;
                }
                case STOPPED -> ExitCode.INTERRUPTED; // said before the stop hook was released
                case COMPLETED -> {
                    outcome.heldOut().ifPresent(report -> print(report, stdout));
                    stdout.println("outputs in " + outcome.folder());
                    stdout.flush();
                    yield ExitCode.OK;
                }
            };
        } finally {
            stop.uninstall(); // the console actor stops itself at the run's end (or with the node's system)
        }
    }

    /** Prints what the run says: console lines, a progress bar over its steps; completes {@code ended} at its end. */
    private static Behavior<RunManager.RunEvent> console(PrintWriter err, StopSignal stop,
            CompletableFuture<RunManager.RunEnded> ended) {
        var progress = new AtomicReference<ProgressBar>();
        var metric = new AtomicReference<String>();
        return Behaviors.receiveMessage(event -> {
            switch (event) {
                case RunManager.Said said -> {
                    err.println(said.line());
                    err.flush();
                }
                case RunManager.TrainingStarted started -> {
                    metric.set(started.metric());
                    progress.set(new ProgressBar(err, (int) started.firstStep(), (int) started.totalSteps()));
                }
                case RunManager.StepEvent step -> {
                    StepReport r = step.report();
                    if (progress.get() != null) {
                        progress.get().update((int) r.step(), String.format(Locale.ROOT,
                                "reward %.3f · %s %.3f · format %.2f%s", r.rewardMean(), metric.get(), r.metricMean(),
                                r.formatValidRate(), r.failed() > 0 ? " · " + r.failed() + " failed" : ""));
                    }
                }
                case RunManager.TrainingStopped ignored -> {
                    if (!stop.requested()) {
                        stop.uninstall(); // a stop asked for is released once its outcome is said
                    }
                }
                case RunManager.RunEnded end -> {
                    end.outcome().filter(o -> o.state() == TrainingJob.State.STOPPED).ifPresent(o -> {
                        // said before the hook is released: after a signal the JVM exits as soon as it is
                        err.printf(Locale.ROOT, "stopped at step %d with a checkpoint; continue with --resume%n",
                                o.lastStep());
                        err.flush();
                    });
                    ended.complete(end);
                    return Behaviors.stopped();
                }
                default -> { }
            }
            return Behaviors.same();
        });
    }

    /** The held-out table: one row per query set, then the paired significance. */
    private static void print(TrainingJob.HeldOutReport report, PrintWriter out) {
        HeldOutEvaluation.Result first = report.rows().values().iterator().next();
        out.printf(Locale.ROOT, "held-out: %s (%d queries)%n", report.label(), first.queries());
        out.printf(Locale.ROOT, "%-10s", "queries");
        first.metrics().keySet().forEach(k -> out.printf(Locale.ROOT, " %12s", k));
        out.printf(Locale.ROOT, " %12s%n", "format");
        report.rows().forEach((name, result) -> {
            out.printf(Locale.ROOT, "%-10s", name);
            result.metrics().values().forEach(v -> out.printf(Locale.ROOT, " %12.4f", v));
            out.printf(Locale.ROOT, " %12s%n", result.formatValidRate().map(r -> String.format(Locale.ROOT, "%.4f", r))
                    .orElse("-"));
        });
        if (!report.significance().isEmpty()) {
            report.significance().print(out);
        }
    }
}
