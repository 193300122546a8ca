package dev.deepretrieval.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.deepretrieval.actors.Learner;
import dev.deepretrieval.actors.RolloutPolicies;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.beir.Split;
import dev.deepretrieval.environments.lucene.Bm25Parameters;
import dev.deepretrieval.environments.lucene.Bm25Retriever;
import dev.deepretrieval.environments.lucene.Bm25Searcher;
import dev.deepretrieval.environments.lucene.FlatBm25Index;
import dev.deepretrieval.environments.lucene.QueryMode;
import dev.deepretrieval.environments.metrics.Metric;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.environments.retrieval.RetrievalEnvironment;
import dev.deepretrieval.environments.retrieval.RetrievalEnvironmentSettings;
import dev.deepretrieval.environments.retrieval.RetrievalTask;
import dev.deepretrieval.environments.reward.PaperRewards;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
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
            "Leaves in --out: metrics.jsonl, reward.png, report.html, summary.json (held-out nDCG@10 of the original"
                + " queries, the initial policy and the trained one), checkpoints/, model/ and the run store."},
        footer = {"%nCtrl-C or SIGTERM finishes the batch in flight, checkpoints and stops; --resume continues.",
            "Example: ./deepretrieval train --steps 40 --algorithm grpo --out runs/grpo", ExitCode.HELP_FOOTER})
final class TrainCommand implements Callable<Integer> {

    private static final String PREFIX = "deepretrieval.train.";

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--task", paramLabel = "NAME", description = "Dataset to train on (a BEIR name or folder; default from config).")
    String task;

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

        BeirDataset dataset = DatasetResolver.open(settings, taskName, spec);
        PromptTemplate template = template(settings, dataset.name());
        Bm25Parameters bm25 = new Bm25Parameters((float) settings.number("deepretrieval.bm25.k1"),
                (float) settings.number("deepretrieval.bm25.b"));
        QueryMode mode = settings.parsed("deepretrieval.bm25.query-mode", QueryMode::parse);
        RlSettings rl = RlSettingsReader.read(settings, chosen, samplesPerPrompt, temperature, maxTokens, (int) totalSteps);

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("task", dataset.name());
        config.put("model", modelFolder.toAbsolutePath().normalize().toString());
        config.put("algorithm", chosen.name().toLowerCase(Locale.ROOT));
        config.put("steps", totalSteps);
        config.put("seed", runSeed);
        config.put("rl", settings.raw().getConfig(PREFIX + "rl").root().unwrapped());
        Map<String, Object> resumed = resume ? latestState(checkpoints).orElse(Map.of()) : Map.of();
        String runId = String.valueOf(resumed.getOrDefault("run_id", ""));
        if (runId.isEmpty()) {
            runId = newRunId();
        }
        config.put("run_id", runId);
        long firstStep = ((Number) resumed.getOrDefault("step", 0)).longValue();
        var cursor = new PromptCursor.Position(((Number) resumed.getOrDefault("cursor_epoch", 0)).intValue(),
                ((Number) resumed.getOrDefault("cursor_offset", 0)).intValue());
        if (resume) {
            err.printf(Locale.ROOT, "resuming run %s at step %d of %d%n", runId, firstStep, totalSteps);
        }

        try (FlatBm25Index index = FlatBm25Index.openOrBuild(dataset, settings.path("deepretrieval.cache-dir"),
                        new ConsoleProgress(System.err));
                ExecutorService retrievalPool = Executors.newFixedThreadPool(settings.positiveInt("deepretrieval.eval.threads"));
                RunStore store = openStore(settings, folder)) {
            Bm25Searcher searcher = index.searcher(bm25, settings.positiveInt("deepretrieval.bm25.max-query-clauses"));
            var environment = new RetrievalEnvironment(new Bm25Retriever(searcher, mode), new RetrievalEnvironmentSettings(
                    AnswerFormat.THINK_THEN_ANSWER, settings.positiveInt(PREFIX + "environment.depth"),
                    settings.positiveInt(PREFIX + "environment.reward-ndcg-cutoff"), PaperRewards.BEIR), retrievalPool);
            var tasks = new BeirTrainingTasks(dataset, Split.parse(settings.text(PREFIX + "split")), template);
            var training = new TrainingSettings(settings.positiveInt(PREFIX + "prompts-per-step"), samplesPerPrompt,
                    totalSteps, settings.raw().getInt(PREFIX + "staleness"), settings.positiveInt(PREFIX + "scoring-parallelism"),
                    settings.raw().getDuration(PREFIX + "environment.call-timeout"),
                    settings.raw().getDuration(PREFIX + "generate-timeout"), settings.raw().getDuration(PREFIX + "learn-timeout"),
                    runSeed, settings.positiveInt(PREFIX + "samples-stored"), "ndcg@10",
                    settings.positiveInt(PREFIX + "checkpoint-every"));
            SamplingSettings sampling = SamplingSettings.sampling(temperature, maxTokens, Set.of(), runSeed);
            int keep = settings.positiveInt(PREFIX + "keep-checkpoints");
            var runSpec = new TrainingRunSpec<RetrievalTask>(tasks, training,
                    () -> RolloutPolicies.load(modelFolder, checkpoints, device), template, sampling,
                    settings.positiveInt(PREFIX + "generation-batch"), environment,
                    settings.positiveInt(PREFIX + "environment.max-in-flight"),
                    settings.raw().getDuration(PREFIX + "environment.call-timeout"),
                    () -> Learner.create(modelFolder, rl, checkpoints, keep, device), firstStep, cursor,
                    Map.of("run_id", runId), settings.raw().getDuration(PREFIX + "restart-backoff"));
            store.saveRun(runId, "running", config);
            err.printf(Locale.ROOT, "run %s: %s on %s (%d train prompts), %d steps of %d prompts x %d samples%n", runId,
                    chosen.name().toLowerCase(Locale.ROOT), dataset.name(), tasks.size(), totalSteps,
                    training.promptsPerStep(), samplesPerPrompt);

            TrainingRunSupervisor.Ended ended = runToEnd(settings, runSpec, folder, store, runId, firstStep, totalSteps, err);
            store.saveRun(runId, ended.state().name().toLowerCase(Locale.ROOT), config);
            if (ended.state() == TrainingRunSupervisor.State.FAILED) {
                err.println("deepretrieval: error: training failed: " + ended.failure());
                return ExitCode.FAILURE;
            }
            if (ended.state() == TrainingRunSupervisor.State.STOPPED) {
                return ExitCode.INTERRUPTED;
            }
            Path trained = folder.resolve("model");
            exportTrained(modelFolder, checkpoints, trained, device);
            if (skipHeldout) {
                return ExitCode.OK;
            }
            return finish(settings, dataset, searcher, mode, retrievalPool, template, modelFolder, trained, folder, config,
                    err);
        }
    }

    private TrainingRunSupervisor.Ended runToEnd(Settings settings, TrainingRunSpec<RetrievalTask> runSpec, Path folder,
            RunStore store, String runId, long firstStep, long totalSteps, PrintWriter err) throws Exception {
        var ended = new CompletableFuture<TrainingRunSupervisor.Ended>();
        var progress = new ProgressBar(err, (int) firstStep, (int) totalSteps);
        var supervisorRef = new java.util.concurrent.atomic.AtomicReference<ActorRef<TrainingRunSupervisor.Command>>();
        StopSignal stop = StopSignal.install(err).onRequest(() -> {
            ActorRef<TrainingRunSupervisor.Command> supervisor = supervisorRef.get();
            if (supervisor != null) {
                supervisor.tell(new TrainingRunSupervisor.Stop());
            }
        });
        try (TrainingOutputs outputs = new TrainingOutputs(folder, firstStep)) {
            Behavior<Void> root = Behaviors.setup(context -> {
                ActorRef<TrainingRunSupervisor.Command> supervisor = context.spawn(
                        TrainingRunSupervisor.create(runSpec), "run-" + runId);
                ActorRef<TrainingRunSupervisor.RunEvent> listener = context.spawn(
                        Behaviors.<TrainingRunSupervisor.RunEvent>receiveMessage(event -> {
                            switch (event) {
                                case TrainingRunSupervisor.Step step -> {
                                    StepReport r = step.report();
                                    outputs.step(r);
                                    store.saveStep(runId, r);
                                    progress.update((int) r.step(), String.format(Locale.ROOT,
                                            "reward %.3f · nDCG@10 %.3f · format %.2f%s", r.rewardMean(), r.metricMean(),
                                            r.formatValidRate(), r.failed() > 0 ? " · " + r.failed() + " failed" : ""));
                                }
                                case TrainingRunSupervisor.Ended end -> ended.complete(end);
                            }
                            return Behaviors.same();
                        }), "outputs");
                supervisor.tell(new TrainingRunSupervisor.Subscribe(listener));
                supervisor.tell(new TrainingRunSupervisor.Start());
                supervisorRef.set(supervisor);
                return Behaviors.empty();
            });
            ActorSystem<Void> system = ActorSystem.create(root, "deepretrieval",
                    settings.raw().withFallback(ConfigFactory.defaultReference()).resolve());
            try {
                TrainingRunSupervisor.Ended end = ended.get();
                outputs.writeChart("nDCG@10");
                if (end.state() == TrainingRunSupervisor.State.STOPPED) {
                    // said before the stop hook is released: after a signal the JVM exits as soon as it is
                    err.printf(Locale.ROOT, "stopped at step %d with a checkpoint; continue with --resume%n",
                            end.lastStep());
                    err.flush();
                }
                return end;
            } finally {
                system.terminate();
                system.getWhenTerminated().toCompletableFuture().get();
            }
        } finally {
            stop.uninstall();
        }
    }

    private int finish(Settings settings, BeirDataset dataset, Bm25Searcher searcher, QueryMode mode,
            ExecutorService pool, PromptTemplate template, Path initial, Path trained, Path folder,
            Map<String, Object> config, PrintWriter err) throws Exception {
        Split heldOutSplit = Split.parse(settings.text(PREFIX + "heldout.split"));
        List<Metric> metrics = Metric.parseAll(settings.texts(PREFIX + "heldout.metrics"));
        String device = settings.text("deepretrieval.policy.device");
        int maxTokens = settings.positiveInt(PREFIX + "max-tokens");
        int batch = settings.positiveInt(PREFIX + "heldout.batch-size");
        var evaluation = new HeldOutEvaluation(dataset, heldOutSplit, searcher, mode, metrics, pool,
                settings.raw().getInt(PREFIX + "heldout.max-queries"));
        err.printf(Locale.ROOT, "held-out evaluation on %s %s: original queries, initial and trained policy (greedy)...%n",
                dataset.name(), heldOutSplit.label());
        HeldOutEvaluation.Result original = evaluation.original();
        HeldOutEvaluation.Result before = evaluation.rewritten(initial, template, device, maxTokens, batch);
        HeldOutEvaluation.Result after = evaluation.rewritten(trained, template, device, maxTokens, batch);

        ObjectNode summary = Json.object();
        summary.putPOJO("config", config);
        ObjectNode heldout = summary.putObject("heldout");
        heldout.put("split", heldOutSplit.label());
        heldout.set("original", original.toJson());
        heldout.set("initial", before.toJson());
        heldout.set("trained", after.toJson());
        summary.set("training", TrainingOutputs.learningSignal(folder));
        RunFolders.writeJson(folder.resolve("summary.json"), summary);
        TrainingOutputs.writeReport(folder, summary);

        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "held-out %s (%d queries)%n", heldOutSplit.label(), original.queries());
        out.printf(Locale.ROOT, "%-10s", "queries");
        original.metrics().keySet().forEach(k -> out.printf(Locale.ROOT, " %12s", k));
        out.printf(Locale.ROOT, " %12s%n", "format");
        for (var row : List.of(Map.entry("original", original), Map.entry("initial", before), Map.entry("trained", after))) {
            out.printf(Locale.ROOT, "%-10s", row.getKey());
            row.getValue().metrics().values().forEach(v -> out.printf(Locale.ROOT, " %12.4f", v));
            out.printf(Locale.ROOT, " %12s%n", row.getValue().formatValidRate().map(r -> String.format(Locale.ROOT, "%.4f", r))
                    .orElse("-"));
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

    private PromptTemplate template(Settings settings, String datasetName) {
        String name = settings.text(PREFIX + "template");
        try {
            return PromptTemplate.bundled(name.isEmpty() ? datasetName : name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage() + " (set deepretrieval.train.template)");
        }
    }

    private RlSettings.Algorithm algorithm(String name) {
        try {
            return RlSettings.Algorithm.valueOf(RlSettingsReader.constant(name));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--algorithm '" + name + "' (expected ppo, grpo, dr-grpo or rloo)");
        }
    }

    private static String newRunId() {
        return "run-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
