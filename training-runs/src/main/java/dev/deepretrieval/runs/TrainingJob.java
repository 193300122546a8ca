package dev.deepretrieval.runs;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.actors.Credit;
import dev.deepretrieval.actors.Learner;
import dev.deepretrieval.actors.NodeSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import dev.deepretrieval.actors.RolloutModel;
import dev.deepretrieval.actors.RolloutPolicies;
import dev.deepretrieval.environments.metrics.TrecRunWriter;
import dev.deepretrieval.environments.retrieval.RetrieverKind;
import dev.deepretrieval.io.AtomicFiles;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.HfExporter;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.policy.rl.RlSettings;
import dev.deepretrieval.rewriter.Decoding;
import dev.deepretrieval.streams.PromptCursor;
import dev.deepretrieval.streams.RunStore;
import dev.deepretrieval.streams.StepReport;
import dev.deepretrieval.streams.TrainingRunSpec;
import dev.deepretrieval.streams.TrainingRunSupervisor;
import dev.deepretrieval.streams.TrainingSettings;
import dev.deepretrieval.tasks.HeldOutEvaluation;
import dev.deepretrieval.tasks.InvalidTaskRequest;
import dev.deepretrieval.tasks.Progress;
import dev.deepretrieval.tasks.RlSettingsReader;
import dev.deepretrieval.tasks.Settings;
import dev.deepretrieval.tasks.SignificanceReport;
import dev.deepretrieval.tasks.TrainingProblem;
import dev.deepretrieval.tasks.TrainingProblems;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The main job, one run path for every starter ({@code ./deepretrieval train}, the runs API): opens the task family
 * the request names, trains under a {@link TrainingRunSupervisor} in the node's actor system (validating on the way),
 * exports the trained policy, then evaluates the original queries, the initial and the trained policy on the held-out
 * split with paired significance. Everything is written to the run folder ({@code metrics.jsonl}, {@code reward.png},
 * checkpoints, {@code model/}, the TREC run files, {@code summary.json}, {@code report.html}); the starter hears the
 * run through its {@link RunControl} and gets an {@link Outcome}. Errors in the request are
 * {@link InvalidTaskRequest}s naming the field; errors in the configuration name the setting.
 */
public final class TrainingJob {

    private static final String PREFIX = "deepretrieval.train.";

    /** How a run ended. */
    public enum State { COMPLETED, STOPPED, FAILED }

    /**
     * @param lastStep the last step trained
     * @param failure why training failed (FAILED only)
     * @param heldOut the held-out results (COMPLETED, unless the request skipped them)
     */
    public record Outcome(String runId, State state, long lastStep, String failure, Path folder,
            Optional<HeldOutReport> heldOut) {}

    /** The held-out rows (original, initial, trained) and their paired significance. */
    public record HeldOutReport(String label, Map<String, HeldOutEvaluation.Result> rows,
            SignificanceReport significance) {}

    private TrainingJob() {}

    /** Runs {@code request} to its end on the calling thread. */
    public static Outcome run(Settings settings, RunRequest request, RunControl control) throws Exception {
        RunRequests.validate(settings, request);
        RunControl.Listener listener = control.listener();
        Path folder = request.out() != null ? request.out() : settings.path(PREFIX + "out");
        Path checkpoints = folder.resolve("checkpoints");
        RunFolders.prepare(folder, checkpoints, request.resume());
        String taskName = request.task() != null ? request.task() : settings.text(PREFIX + "task");
        Path modelFolder = request.model() != null ? request.model() : settings.path(PREFIX + "model");
        RlSettings.Algorithm chosen = request.algorithm() != null ? RlSettings.Algorithm.parse(request.algorithm())
                : settings.parsed(PREFIX + "algorithm", RlSettings.Algorithm::parse);
        long totalSteps = request.steps() != null ? request.steps() : settings.positiveInt(PREFIX + "steps");
        long runSeed = request.seed() != null ? request.seed() : settings.raw().getLong(PREFIX + "seed");
        int samplesPerPrompt = chosen == RlSettings.Algorithm.PPO ? settings.positiveInt(PREFIX + "ppo-samples-per-prompt")
                : settings.positiveInt(PREFIX + "group-size");
        String device = settings.text("deepretrieval.policy.device");
        double temperature = settings.number(PREFIX + "temperature");
        int maxTokens = settings.positiveInt(PREFIX + "max-tokens");
        String retrieverName = (request.retriever() != null ? RetrieverKind.parse(request.retriever())
                : settings.parsed(PREFIX + "retriever", RetrieverKind::parse)).label();
        RlSettings rl = RlSettingsReader.read(settings, chosen, samplesPerPrompt, temperature, maxTokens, (int) totalSteps);

        Map<String, Object> resumed = request.resume() ? latestState(checkpoints).orElse(Map.of()) : Map.of();
        String runId = String.valueOf(resumed.getOrDefault("run_id", ""));
        if (runId.isEmpty()) {
            runId = request.runId() != null ? request.runId() : RunFolders.newRunId();
        }
        long firstStep = ((Number) resumed.getOrDefault("step", 0)).longValue();
        var cursor = new PromptCursor.Position(((Number) resumed.getOrDefault("cursor_epoch", 0)).intValue(),
                ((Number) resumed.getOrDefault("cursor_offset", 0)).intValue());
        if (request.resume()) {
            listener.say(String.format(Locale.ROOT, "resuming run %s at step %d of %d", runId, firstStep, totalSteps));
        }
        Progress progress = new Progress() {
            @Override
            public void notice(String message) {
                listener.say(message);
            }
        };
        var problemRequest = new TrainingProblems.Request(taskName,
                request.template() != null ? request.template() : settings.text(PREFIX + "template"), retrieverName,
                request.sqlUrl(), request.search(), modelFolder, device, maxTokens,
                () -> NodeSystem.obtain(settings.raw()).classicSystem(), progress);
        try (TrainingProblem<?> problem = TrainingProblems.open(settings, problemRequest);
                RunStore store = openStore(settings, request.storeUrl(), folder)) {
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
            return train(settings, problem, store, config, new Plan(folder, checkpoints, modelFolder, chosen, rl,
                    samplesPerPrompt, totalSteps, runSeed, firstStep, cursor, device, temperature, maxTokens,
                    request.skipHeldout()), control, new RunScoring.Target(runId, problemRequest.task(),
                    problemRequest.template(), problemRequest.retriever(), modelFolder, device, maxTokens));
        } finally {
            control.trained(); // also when the run failed before or during training
        }
    }

    /** Where a run goes and how it learns, resolved from the request and config. */
    private record Plan(Path folder, Path checkpoints, Path model, RlSettings.Algorithm algorithm, RlSettings rl,
            int samplesPerPrompt, long totalSteps, long seed, long firstStep, PromptCursor.Position cursor,
            String device, double temperature, int maxTokens, boolean skipHeldout) {}

    /**
     * {@code train.credit}. Word credit needs extractive rollouts and a group algorithm: a run without them (text-to-SQL
     * and literature search decode free; PPO's advantages come from its critic) is credited by outcome, and says so.
     */
    private static Credit credit(Settings settings, Plan plan, TrainingProblem<?> problem, RunControl.Listener listener) {
        Credit credit = settings.parsed(PREFIX + "credit", Credit::parse);
        if (credit == Credit.WORD && problem.rolloutDecoding() != Decoding.EXTRACTIVE) {
            listener.say("credit: word credit applies to extractive rewrites; this run decodes "
                    + problem.rolloutDecoding() + " and is credited by outcome");
            return Credit.OUTCOME;
        }
        if (credit == Credit.WORD && plan.algorithm() == RlSettings.Algorithm.PPO) {
            listener.say("credit: word credit needs a group algorithm (grpo, dr-grpo, rloo); ppo is credited by outcome"
                    + " through its critic");
            return Credit.OUTCOME;
        }
        return credit;
    }

    private static <T> Outcome train(Settings settings, TrainingProblem<T> problem, RunStore store,
            Map<String, Object> config, Plan plan, RunControl control, RunScoring.Target scoringTarget)
            throws Exception {
        RunControl.Listener listener = control.listener();
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
        Credit credit = credit(settings, plan, problem, listener);
        int generationBatch = settings.positiveInt(PREFIX + "generation-batch");
        ActorSystem<Void> system = NodeSystem.obtain(settings.raw());
        var rolloutTarget = new RunRollouts.Target(runId, plan.model(), device, problem.template().name(),
                problem.rolloutDecoding(), credit, plan.temperature(), plan.maxTokens(), generationBatch, plan.folder(),
                plan.checkpoints(), plan.firstStep());
        var runSpec = new TrainingRunSpec<T>(problem.tasks(), training,
                () -> RolloutModel.of(RolloutPolicies.load(plan.model(), plan.checkpoints(), device), problem.template(),
                        problem.rolloutDecoding()), sampling,
                generationBatch, credit, problem.environment(),
                settings.positiveInt(PREFIX + "environment.max-in-flight"),
                settings.raw().getDuration(PREFIX + "environment.call-timeout"),
                () -> Learner.create(plan.model(), plan.rl(), plan.checkpoints(), keep, device, rolloutLogProbs),
                plan.firstStep(),
                plan.cursor(), Map.of("run_id", runId), settings.raw().getDuration(PREFIX + "restart-backoff"),
                RunScoring.of(system).<T>scorer(scoringTarget), RunRollouts.of(system).generator(rolloutTarget));
        store.saveRun(runId, "running", config);
        listener.say(String.format(Locale.ROOT, "run %s: %s on %s with %s (%d train prompts), %d steps of %d prompts x %d"
                + " samples", runId, plan.algorithm().label(), problem.datasetName(), problem.environment().name(),
                problem.tasks().size(), plan.totalSteps(), training.promptsPerStep(), plan.samplesPerPrompt()));

        long validationEvery = settings.raw().getLong(PREFIX + "validation.every-steps");
        if (validationEvery > 0 && validationEvery % training.checkpointEvery() != 0) {
            throw settings.bad(PREFIX + "validation.every-steps", "must be a multiple of checkpoint-every ("
                    + training.checkpointEvery() + "): each validation reads that step's checkpoint");
        }
        TrainingRunSupervisor.Ended ended;
        int averaged = settings.positiveInt(PREFIX + "validation.average-checkpoints");
        if (averaged > keep) {
            throw settings.bad(PREFIX + "validation.average-checkpoints", "must be at most keep-checkpoints ("
                    + keep + "): the averaged checkpoints must still be kept");
        }
        Path trained = plan.folder().resolve("model");
        Optional<RunValidation.Selection> selected = Optional.empty();
        try (TrainingOutputs outputs = new TrainingOutputs(plan.folder(), plan.firstStep());
                RunValidation validation = problem.validation().map(v -> new RunValidation(v, outputs, plan.model(),
                        plan.checkpoints(), device, validationEvery, averaged, plan.folder().resolve("best-model"), listener::say,
                        listener::validation))
                        .orElse(null)) {
            if (validation != null && plan.firstStep() == 0) {
                listener.say(String.format(Locale.ROOT, "validation: %s, every %d steps",
                        problem.validation().get().label(), validationEvery));
                validation.initial(plan.folder());
            }
            listener.started(runId, problem.metric(), plan.firstStep(), plan.totalSteps());
            ended = runToEnd(settings, runSpec, outputs, validation, store, runId, control);
            control.trained(); // the checkpoint is written: a stopping process need not wait for what follows
            store.saveRun(runId, ended.state().name().toLowerCase(Locale.ROOT), config);
            outputs.writeChart(problem.metric());
            if (ended.state() == TrainingRunSupervisor.State.FAILED) {
                return new Outcome(runId, State.FAILED, ended.lastStep(), ended.failure(), plan.folder(), Optional.empty());
            }
            if (ended.state() == TrainingRunSupervisor.State.STOPPED) {
                return new Outcome(runId, State.STOPPED, ended.lastStep(), null, plan.folder(), Optional.empty());
            }
            exportTrained(plan.model(), plan.checkpoints(), trained, device);
            if (validation != null) {
                validation.finish(trained, ended.lastStep());
                if (settings.flag(PREFIX + "validation.select-best")) {
                    selected = validation.selected();
                }
            }
            outputs.writeChart(problem.metric());
        }
        if (plan.skipHeldout()) {
            return new Outcome(runId, State.COMPLETED, ended.lastStep(), null, plan.folder(), Optional.empty());
        }
        listener.heldOut();
        selected.ifPresent(s -> listener.say(String.format(Locale.ROOT, "trained policy for the held-out evaluation:"
                + " step %d's, the best on validation (%s %.4f)%s", s.step(), s.metric(), s.value(),
                s.step() == 0 ? ": no step beat the initial policy" : "")));
        Path reported = selected.map(RunValidation.Selection::policy).orElse(trained);
        HeldOutReport report = heldOut(problem.heldOut(), plan.model(), reported, selected, device, plan.folder(),
                config, listener);
        return new Outcome(runId, State.COMPLETED, ended.lastStep(), null, plan.folder(), Optional.of(report));
    }

    /** Trains under a supervisor in the node's actor system until the run completes, stops or fails. */
    private static <T> TrainingRunSupervisor.Ended runToEnd(Settings settings, TrainingRunSpec<T> runSpec,
            TrainingOutputs outputs, RunValidation validation, RunStore store, String runId, RunControl control)
            throws Exception {
        var ended = new CompletableFuture<TrainingRunSupervisor.Ended>();
        var rootStopped = new CompletableFuture<Void>();
        var supervisorRef = new AtomicReference<ActorRef<TrainingRunSupervisor.Command>>();
        Behavior<String> root = Behaviors.setup(context -> {
            ActorRef<TrainingRunSupervisor.Command> supervisor = context.spawn(
                    TrainingRunSupervisor.create(runSpec), "run-" + runId);
            ActorRef<TrainingRunSupervisor.RunEvent> events = context.spawn(
                    Behaviors.<TrainingRunSupervisor.RunEvent>receiveMessage(event -> {
                        switch (event) {
                            case TrainingRunSupervisor.Step step -> {
                                StepReport r = step.report();
                                outputs.step(r);
                                store.saveStep(runId, r);
                                if (validation != null) {
                                    validation.onStep(r.step());
                                }
                                control.listener().step(r);
                            }
                            case TrainingRunSupervisor.Ended end -> ended.complete(end);
                        }
                        return Behaviors.same();
                    }), "outputs");
            supervisor.tell(new TrainingRunSupervisor.Subscribe(events));
            supervisor.tell(new TrainingRunSupervisor.Start());
            supervisorRef.set(supervisor);
            control.attach(new RunControl.Handle(() -> supervisor.tell(new TrainingRunSupervisor.Stop()),
                    () -> supervisor.tell(new TrainingRunSupervisor.Pause()),
                    () -> supervisor.tell(new TrainingRunSupervisor.Resume())));
            return Behaviors.receive(String.class)
                    .onMessage(String.class, done -> Behaviors.stopped())
                    .onSignal(PostStop.class, signal -> {
                        rootStopped.complete(null);
                        return Behaviors.same();
                    })
                    .build();
        });
        // the run's actors live under one root in the node's system (in serve, the service's system)
        ActorRef<String> runRoot = NodeSystem.obtain(settings.raw()).systemActorOf(root, "train-" + runId, Props.empty());
        try {
            return ended.get();
        } finally {
            runRoot.tell("done"); // stops the run's actors (the policy and learner release their models)
            rootStopped.get(settings.raw().getDuration(PREFIX + "learn-timeout").toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static HeldOutReport heldOut(HeldOutEvaluation evaluation, Path initial, Path trained,
            Optional<RunValidation.Selection> selected, String device, Path folder, Map<String, Object> config,
            RunControl.Listener listener) throws Exception {
        listener.say(String.format(Locale.ROOT, "held-out evaluation (%s): original queries, initial and trained"
                + " policy (greedy)...", evaluation.label()));
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

        ObjectNode summary = JsonMapping.mapper().createObjectNode();
        summary.putPOJO("config", config);
        ObjectNode heldout = summary.putObject("heldout");
        heldout.put("split", evaluation.label());
        selected.ifPresent(s -> heldout.putObject("trained_selected_on_validation").put("step", s.step())
                .put("metric", s.metric()).put("value", s.value()));
        rows.forEach((name, result) -> heldout.set(name, result.toJson()));
        if (!significance.isEmpty()) {
            summary.set("significance", significance.toJson());
        }
        summary.set("validation", TrainingOutputs.validationSummary(folder));
        summary.set("training", TrainingOutputs.learningSignal(folder));
        AtomicFiles.writeJson(folder.resolve("summary.json"), summary);
        TrainingOutputs.writeReport(folder, summary);
        return new HeldOutReport(evaluation.label(), rows, significance);
    }

    /** The trained policy as a Hugging Face folder: the starting model with the last checkpoint's weights. */
    private static void exportTrained(Path model, Path checkpoints, Path target, String device) throws Exception {
        try (Policy policy = RolloutPolicies.load(model, checkpoints, device)) {
            HfExporter.exportWithTokenizerOf(policy.weights(), target, model);
        }
    }

    private static Optional<Map<String, Object>> latestState(Path checkpoints) throws IOException {
        return new CheckpointStore(checkpoints, 1).latestValid().map(c -> JsonMapping.mapper()
                .convertValue(c.state(), new TypeReference<Map<String, Object>>() {}));
    }

    private static RunStore openStore(Settings settings, String storeUrl, Path folder) {
        String url = storeUrl != null ? storeUrl : settings.text(PREFIX + "store-url");
        return url.equals("embedded") ? RunStore.embedded(folder.resolve("runs")) : RunStore.of(url);
    }
}
