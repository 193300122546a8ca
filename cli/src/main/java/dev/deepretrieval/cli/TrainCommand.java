package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.actors.Learner;
import dev.deepretrieval.actors.NodeSystem;
import dev.deepretrieval.actors.RolloutModel;
import dev.deepretrieval.actors.RolloutPolicies;
import dev.deepretrieval.environments.metrics.TrecRunWriter;
import dev.deepretrieval.environments.retrieval.RetrieverKind;
import dev.deepretrieval.io.AtomicFiles;
import dev.deepretrieval.policy.HfExporter;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.policy.rl.RlSettings;
import dev.deepretrieval.streams.PromptCursor;
import dev.deepretrieval.streams.RunStore;
import dev.deepretrieval.streams.StepReport;
import dev.deepretrieval.streams.TrainingRunSpec;
import dev.deepretrieval.streams.TrainingRunSupervisor;
import dev.deepretrieval.streams.TrainingSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The main job: RL training of the query-rewriting policy against a real retriever, then held-out evaluation. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains the query-rewriting policy by reinforcement learning against a real retriever"
                + " (deepretrieval.train in application.conf).", "",
            "With no arguments (the embedded defaults): the bundled default policy, prompted with the SciFact train"
                + " claims, every rewrite scored by BM25 nDCG through the paper's BEIR reward, PPO. A Pekko actor per"
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

    private static final String PREFIX = "deepretrieval.train.";

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

    @Option(names = "--run-id", hidden = true, paramLabel = "ID", description = "The new run's id (the runs API names runs).")
    String requestedRunId;

    /** Set when the run is started in process (the runs API): steps go to it and it stops the run, not signals. */
    RunControl control;

    @Override
    public Integer call() throws Exception {
        Settings settings = new Settings(configOptions.load());
        PrintWriter err = spec.commandLine().getErr();
        Path folder = out != null ? out : settings.path(PREFIX + "out");
        Path checkpoints = folder.resolve("checkpoints");
        RunFolders.prepare(folder, checkpoints, resume, spec);
        String taskName = task != null ? task : settings.text(PREFIX + "task");
        Path modelFolder = model != null ? model : settings.path(PREFIX + "model");
        RlSettings.Algorithm chosen = algorithm(algorithm != null ? algorithm : settings.text(PREFIX + "algorithm"));
        long totalSteps = steps != null ? steps : settings.positiveInt(PREFIX + "steps");
        long runSeed = seed != null ? seed : settings.raw().getLong(PREFIX + "seed");
        if (totalSteps < 1) {
            throw new ParameterException(spec.commandLine(), "--steps must be >= 1");
        }
        int samplesPerPrompt = chosen == RlSettings.Algorithm.PPO ? settings.positiveInt(PREFIX + "ppo-samples-per-prompt")
                : settings.positiveInt(PREFIX + "group-size");
        String device = settings.text("deepretrieval.policy.device");
        double temperature = settings.number(PREFIX + "temperature");
        int maxTokens = settings.positiveInt(PREFIX + "max-tokens");

        String retrieverName = retriever != null ? retriever : settings.text(PREFIX + "retriever");
        try {
            RetrieverKind.parse(retrieverName);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--retriever: " + e.getMessage());
        }
        RlSettings rl = RlSettingsReader.read(settings, chosen, samplesPerPrompt, temperature, maxTokens, (int) totalSteps);

        Map<String, Object> resumed = resume ? latestState(checkpoints).orElse(Map.of()) : Map.of();
        String runId = String.valueOf(resumed.getOrDefault("run_id", ""));
        if (runId.isEmpty()) {
            runId = requestedRunId != null ? requestedRunId : RunFolders.newRunId();
        }
        long firstStep = ((Number) resumed.getOrDefault("step", 0)).longValue();
        var cursor = new PromptCursor.Position(((Number) resumed.getOrDefault("cursor_epoch", 0)).intValue(),
                ((Number) resumed.getOrDefault("cursor_offset", 0)).intValue());
        if (resume) {
            err.printf(Locale.ROOT, "resuming run %s at step %d of %d%n", runId, firstStep, totalSteps);
        }
        var request = new TrainingProblems.Request(taskName, template != null ? template : settings.text(PREFIX + "template"),
                retrieverName, sqlUrl, searchOptions.endpoints(), modelFolder, device, maxTokens,
                () -> NodeSystem.obtain(settings.raw()).classicSystem(), new ConsoleProgress(err));
        try (TrainingProblem<?> problem = TrainingProblems.open(settings, request);
                RunStore store = openStore(settings, folder)) {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("task", problem.datasetName());
            config.put("family", problem.family());
            config.put("retriever", problem.environment().name());
            config.put("model", modelFolder.toAbsolutePath().normalize().toString());
            config.put("algorithm", chosen.name().toLowerCase(Locale.ROOT));
            config.put("steps", totalSteps);
            config.put("seed", runSeed);
            config.put("rl", settings.raw().getConfig(PREFIX + "rl").root().unwrapped());
            config.put("run_id", runId);
            return train(settings, problem, store, config, new RunPlan(folder, checkpoints, modelFolder, chosen, rl,
                    samplesPerPrompt, totalSteps, runSeed, firstStep, cursor, device, temperature, maxTokens), err);
        }
    }

    /** Where a run goes and how it learns, resolved from flags and config. */
    private record RunPlan(Path folder, Path checkpoints, Path model, RlSettings.Algorithm algorithm, RlSettings rl,
            int samplesPerPrompt, long totalSteps, long seed, long firstStep, PromptCursor.Position cursor,
            String device, double temperature, int maxTokens) {}

    private <T> int train(Settings settings, TrainingProblem<T> problem, RunStore store, Map<String, Object> config,
            RunPlan plan, PrintWriter err) throws Exception {
        String runId = (String) config.get("run_id");
        var training = new TrainingSettings(settings.positiveInt(PREFIX + "prompts-per-step"), plan.samplesPerPrompt(),
                plan.totalSteps(), settings.raw().getInt(PREFIX + "staleness"),
                settings.positiveInt(PREFIX + "scoring-parallelism"),
                settings.raw().getDuration(PREFIX + "environment.call-timeout"),
                settings.raw().getDuration(PREFIX + "generate-timeout"), settings.raw().getDuration(PREFIX + "learn-timeout"),
                plan.seed(), settings.positiveInt(PREFIX + "samples-stored"), problem.metric(),
                settings.positiveInt(PREFIX + "checkpoint-every"));
        SamplingSettings sampling = SamplingSettings.sampling(plan.temperature(), plan.maxTokens(), Set.of(), plan.seed());
        int keep = settings.positiveInt(PREFIX + "keep-checkpoints");
        String device = plan.device();
        boolean rolloutLogProbs = settings.flag(PREFIX + "rollout-log-probs");
        var runSpec = new TrainingRunSpec<T>(problem.tasks(), training,
                () -> RolloutModel.of(RolloutPolicies.load(plan.model(), plan.checkpoints(), device), problem.template(),
                        problem.rolloutDecoding()), sampling,
                settings.positiveInt(PREFIX + "generation-batch"), problem.environment(),
                settings.positiveInt(PREFIX + "environment.max-in-flight"),
                settings.raw().getDuration(PREFIX + "environment.call-timeout"),
                () -> Learner.create(plan.model(), plan.rl(), plan.checkpoints(), keep, device, rolloutLogProbs),
                plan.firstStep(),
                plan.cursor(), Map.of("run_id", runId), settings.raw().getDuration(PREFIX + "restart-backoff"));
        store.saveRun(runId, "running", config);
        err.printf(Locale.ROOT, "run %s: %s on %s with %s (%d train prompts), %d steps of %d prompts x %d samples%n", runId,
                plan.algorithm().label(), problem.datasetName(), problem.environment().name(),
                problem.tasks().size(), plan.totalSteps(), training.promptsPerStep(), plan.samplesPerPrompt());

        long validationEvery = settings.raw().getLong(PREFIX + "validation.every-steps");
        if (validationEvery > 0 && validationEvery % training.checkpointEvery() != 0) {
            throw settings.bad(PREFIX + "validation.every-steps", "must be a multiple of checkpoint-every ("
                    + training.checkpointEvery() + "): each validation reads that step's checkpoint");
        }
        TrainingRunSupervisor.Ended ended;
        Path trained = plan.folder().resolve("model");
        try (TrainingOutputs outputs = new TrainingOutputs(plan.folder(), plan.firstStep());
                RunValidation validation = problem.validation().map(v -> new RunValidation(v, outputs, plan.model(),
                        plan.checkpoints(), device, validationEvery, err,
                        control == null ? line -> { } : control::validation)).orElse(null)) {
            if (validation != null && plan.firstStep() == 0) {
                err.printf(Locale.ROOT, "validation: %s, every %d steps%n", problem.validation().get().label(),
                        validationEvery);
                validation.initial(plan.folder());
            }
            ended = runToEnd(settings, runSpec, outputs, validation, store, runId, plan.firstStep(), plan.totalSteps(),
                    problem.metric(), err);
            if (control != null) {
                control.trained(); // the checkpoint is written: a stopping server need not wait for what follows
            }
            store.saveRun(runId, ended.state().name().toLowerCase(Locale.ROOT), config);
            if (ended.state() == TrainingRunSupervisor.State.FAILED) {
                err.println("deepretrieval: error: training failed: " + ended.failure());
                return ExitCode.FAILURE;
            }
            if (ended.state() == TrainingRunSupervisor.State.STOPPED) {
                return ExitCode.INTERRUPTED;
            }
            exportTrained(plan.model(), plan.checkpoints(), trained, device);
            if (validation != null) {
                validation.finish(trained, ended.lastStep());
            }
            outputs.writeChart(problem.metric());
        }
        if (skipHeldout) {
            return ExitCode.OK;
        }
        if (control != null) {
            control.heldOut();
        }
        return finish(problem.heldOut(), plan.model(), trained, device, plan.folder(), config, err);
    }

    private <T> TrainingRunSupervisor.Ended runToEnd(Settings settings, TrainingRunSpec<T> runSpec,
            TrainingOutputs outputs, RunValidation validation, RunStore store, String runId, long firstStep,
            long totalSteps, String metric, PrintWriter err) throws Exception {
        var ended = new CompletableFuture<TrainingRunSupervisor.Ended>();
        var progress = new ProgressBar(err, (int) firstStep, (int) totalSteps);
        var supervisorRef = new java.util.concurrent.atomic.AtomicReference<ActorRef<TrainingRunSupervisor.Command>>();
        Runnable stopRun = () -> {
            ActorRef<TrainingRunSupervisor.Command> supervisor = supervisorRef.get();
            if (supervisor != null) {
                supervisor.tell(new TrainingRunSupervisor.Stop());
            }
        };
        StopSignal stop = control == null ? StopSignal.install(err).onRequest(stopRun) : null;
        try {
            var rootStopped = new CompletableFuture<Void>();
            Behavior<String> root = Behaviors.setup(context -> {
                ActorRef<TrainingRunSupervisor.Command> supervisor = context.spawn(
                        TrainingRunSupervisor.create(runSpec), "run-" + runId);
                ActorRef<TrainingRunSupervisor.RunEvent> listener = context.spawn(
                        Behaviors.<TrainingRunSupervisor.RunEvent>receiveMessage(event -> {
                            switch (event) {
                                case TrainingRunSupervisor.Step step -> {
                                    StepReport r = step.report();
                                    outputs.step(r);
                                    store.saveStep(runId, r);
                                    if (validation != null) {
                                        validation.onStep(r.step());
                                    }
                                    if (control != null) {
                                        control.step(r);
                                    }
                                    progress.update((int) r.step(), String.format(Locale.ROOT,
                                            "reward %.3f · %s %.3f · format %.2f%s", r.rewardMean(), metric, r.metricMean(),
                                            r.formatValidRate(), r.failed() > 0 ? " · " + r.failed() + " failed" : ""));
                                }
                                case TrainingRunSupervisor.Ended end -> ended.complete(end);
                            }
                            return Behaviors.same();
                        }), "outputs");
                supervisor.tell(new TrainingRunSupervisor.Subscribe(listener));
                supervisor.tell(new TrainingRunSupervisor.Start());
                supervisorRef.set(supervisor);
                if (control != null) {
                    control.attach(new RunControl.Handle(stopRun,
                            () -> supervisor.tell(new TrainingRunSupervisor.Pause()),
                            () -> supervisor.tell(new TrainingRunSupervisor.Resume())));
                }
                return Behaviors.receive(String.class)
                        .onMessage(String.class, done -> Behaviors.stopped())
                        .onSignal(PostStop.class, signal -> {
                            rootStopped.complete(null);
                            return Behaviors.same();
                        })
                        .build();
            });
            // the run's actors live under one root in the node's system (in serve, the service's system)
            ActorRef<String> runRoot = NodeSystem.obtain(settings.raw())
                    .systemActorOf(root, "train-" + runId, Props.empty());
            try {
                TrainingRunSupervisor.Ended end = ended.get();
                outputs.writeChart(metric);
                if (end.state() == TrainingRunSupervisor.State.STOPPED) {
                    // said before the stop hook is released: after a signal the JVM exits as soon as it is
                    err.printf(Locale.ROOT, "stopped at step %d with a checkpoint; continue with --resume%n",
                            end.lastStep());
                    err.flush();
                }
                return end;
            } finally {
                runRoot.tell("done"); // stops the run's actors (the policy and learner release their models)
                rootStopped.get(settings.raw().getDuration(PREFIX + "learn-timeout").toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            if (stop != null) {
                stop.uninstall();
            }
        }
    }

    private int finish(HeldOutEvaluation evaluation, Path initial, Path trained, String device, Path folder, Map<String, Object> config,
            PrintWriter err) throws Exception {
        err.printf(Locale.ROOT, "held-out evaluation (%s): original queries, initial and trained policy (greedy)...%n",
                evaluation.label());
        var rows = new LinkedHashMap<String, HeldOutEvaluation.Result>();
        evaluation.original().ifPresent(result -> rows.put("original", result));
        rows.put("initial", evaluation.rewritten(initial, device));
        rows.put("trained", evaluation.rewritten(trained, device));

        var perQuery = new LinkedHashMap<String, Map<String, Double>>();
        for (var row : rows.entrySet()) {
            HeldOutEvaluation.Result result = row.getValue();
            perQuery.put(row.getKey(), result.perQuery());
            if (result.run().isPresent()) {
                TrecRunWriter.write(folder.resolve("heldout-" + row.getKey() + ".run"), result.run().get(),
                        "deepretrieval-" + row.getKey());
            }
        }
        String firstMetric = rows.values().iterator().next().metrics().keySet().iterator().next();
        SignificanceReport significance = SignificanceReport.of(firstMetric, perQuery, 0);

        ObjectNode summary = Json.object();
        summary.putPOJO("config", config);
        ObjectNode heldout = summary.putObject("heldout");
        heldout.put("split", evaluation.label());
        rows.forEach((name, result) -> heldout.set(name, result.toJson()));
        if (!significance.isEmpty()) {
            summary.set("significance", significance.toJson());
        }
        summary.set("validation", TrainingOutputs.validationSummary(folder));
        summary.set("training", TrainingOutputs.learningSignal(folder));
        AtomicFiles.writeJson(folder.resolve("summary.json"), summary);
        TrainingOutputs.writeReport(folder, summary);

        PrintWriter out = spec.commandLine().getOut();
        HeldOutEvaluation.Result first = rows.values().iterator().next();
        out.printf(Locale.ROOT, "held-out: %s (%d queries)%n", evaluation.label(), first.queries());
        out.printf(Locale.ROOT, "%-10s", "queries");
        first.metrics().keySet().forEach(k -> out.printf(Locale.ROOT, " %12s", k));
        out.printf(Locale.ROOT, " %12s%n", "format");
        rows.forEach((name, result) -> {
            out.printf(Locale.ROOT, "%-10s", name);
            result.metrics().values().forEach(v -> out.printf(Locale.ROOT, " %12.4f", v));
            out.printf(Locale.ROOT, " %12s%n", result.formatValidRate().map(r -> String.format(Locale.ROOT, "%.4f", r))
                    .orElse("-"));
        });
        if (!significance.isEmpty()) {
            significance.print(out);
        }
        out.println("outputs in " + folder);
        out.flush();
        return ExitCode.OK;
    }

    /** The trained policy as a Hugging Face folder: the starting model with the last checkpoint's weights. */
    private static void exportTrained(Path model, Path checkpoints, Path target, String device) throws Exception {
        try (Policy policy = RolloutPolicies.load(model, checkpoints, device)) {
            HfExporter.exportWithTokenizerOf(policy.weights(), target, model);
        }
    }

    private static Optional<Map<String, Object>> latestState(Path checkpoints) throws java.io.IOException {
        return new CheckpointStore(checkpoints, 1).latestValid().map(c -> new com.fasterxml.jackson.databind.ObjectMapper()
                .convertValue(c.state(), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {}));
    }

    private RunStore openStore(Settings settings, Path folder) {
        String url = storeUrl != null ? storeUrl : settings.text(PREFIX + "store-url");
        return url.equals("embedded") ? RunStore.embedded(folder.resolve("runs")) : RunStore.of(url);
    }

    private RlSettings.Algorithm algorithm(String name) {
        try {
            return RlSettings.Algorithm.parse(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--algorithm: " + e.getMessage());
        }
    }
}
