package dev.deepretrieval.cli;

import dev.deepretrieval.runs.*;
import dev.deepretrieval.tasks.*;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.environments.retrieval.RetrieverKind;
import dev.deepretrieval.http.Conflict;
import dev.deepretrieval.http.InvalidRequest;
import dev.deepretrieval.http.RequestFields;
import dev.deepretrieval.http.TrainingRuns;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.rl.RlSettings;
import dev.deepretrieval.streams.StepReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;
import com.typesafe.config.ConfigFactory;
import dev.deepretrieval.runs.RunControl;
import dev.deepretrieval.runs.RunFolders;
import dev.deepretrieval.runs.RunRequest;
import dev.deepretrieval.runs.TrainingJob;

/**
 * Training runs started through the HTTP API, each the same job as {@code ./deepretrieval train} on its own thread,
 * in {@code <runs-dir>/<id>} (its metrics.jsonl, checkpoints, summary, train.log); at most {@code maxActive} at once.
 * Runs already in the folder (earlier servers, the CLI) are listed from their files.
 */
final class LocalTrainingRuns implements TrainingRuns, AutoCloseable {

    private static final ObjectMapper JSON = JsonMapping.mapper();
    private static final Set<String> FIELDS = Set.of("task", "algorithm", "retriever", "template", "model", "steps", "seed",
            "prompts_per_step", "heldout_max_queries");
    private static final int EVENT_BUFFER = 256;

    /** One run started here. */
    private static final class Run {
        final String id;
        final Path folder;
        final ObjectNode config;
        final long totalSteps;
        final List<ObjectNode> steps = new CopyOnWriteArrayList<>();
        final List<BoundedSourceQueue<ObjectNode>> followers = new CopyOnWriteArrayList<>();
        final Settings runSettings;
        volatile RunRequest request;
        volatile RunControl control;
        volatile String state = "starting";
        Thread thread;

        Run(String id, Path folder, ObjectNode config, long totalSteps, Settings runSettings, RunRequest request) {
            this.id = id;
            this.folder = folder;
            this.config = config;
            this.totalSteps = totalSteps;
            this.runSettings = runSettings;
            this.request = request;
        }

        boolean active() {
            return state.equals("starting") || state.equals("running") || state.equals("paused")
                    || state.equals("evaluating");
        }
    }

    private final Settings settings;
    private final Path runsDir;
    private final int maxActive;
    private final Materializer materializer;
    private final Map<String, Run> runs = new LinkedHashMap<>();

    LocalTrainingRuns(Settings settings, Path runsDir, int maxActive, Materializer materializer)
            throws IOException {
        this.settings = settings;
        this.runsDir = Files.createDirectories(runsDir);
        this.maxActive = maxActive;
        this.materializer = materializer;
    }

    @Override
    public synchronized ObjectNode start(JsonNode body) {
        var fields = new RequestFields(body);
        fields.onlyKnown(FIELDS);
        ObjectNode config = JSON.createObjectNode();
        String task = fields.optionalNonBlank("task").map(t -> {
            if (DatasetResolver.find(settings, t).isEmpty()) {
                throw new InvalidRequest("task", DatasetResolver.unknown(settings, t));
            }
            config.put("task", t);
            return t;
        }).orElse(null);
        String algorithm = fields.optionalNonBlank("algorithm").map(a -> {
            try {
                RlSettings.Algorithm.parse(a);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequest("algorithm", e.getMessage());
            }
            config.put("algorithm", a);
            return a;
        }).orElse(null);
        String retriever = fields.optionalNonBlank("retriever").map(r -> {
            try {
                RetrieverKind.parse(r);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequest("retriever", e.getMessage());
            }
            config.put("retriever", r);
            return r;
        }).orElse(null);
        String template = fields.optionalNonBlank("template").map(t -> {
            config.put("template", t);
            return t;
        }).orElse(null);
        Path model = fields.optionalNonBlank("model").map(m -> {
            if (!Files.isRegularFile(Path.of(m).resolve("config.json"))) {
                throw new InvalidRequest("model", "no model folder (config.json) at " + m);
            }
            config.put("model", m);
            return Path.of(m);
        }).orElse(null);
        long steps = fields.optionalLong("steps", 1, 1_000_000)
                .orElse(settings.raw().getLong("deepretrieval.train.steps"));
        config.put("steps", steps);
        var seedField = fields.optionalLong("seed", Long.MIN_VALUE, Long.MAX_VALUE);
        Long seed = seedField.isPresent() ? seedField.getAsLong() : null;
        if (seed != null) {
            config.put("seed", seed);
        }
        var overrides = new LinkedHashMap<String, Object>();
        fields.optionalLong("prompts_per_step", 1, 4096).ifPresent(p -> {
            config.put("prompts_per_step", p);
            overrides.put("deepretrieval.train.prompts-per-step", p);
        });
        fields.optionalLong("heldout_max_queries", 0, 1_000_000).ifPresent(q -> {
            config.put("heldout_max_queries", q);
            overrides.put("deepretrieval.train.heldout.max-queries", q);
        });
        long active = runs.values().stream().filter(Run::active).count();
        if (active >= maxActive) {
            throw new Conflict("already " + active + " run(s) in progress (deepretrieval.serve.max-active-runs = "
                    + maxActive + "); stop one first");
        }
        String id = RunFolders.newRunId();
        Path folder = runsDir.resolve(id);
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // the run's settings: the server's, with the request's overrides on top
        var runSettings = new Settings(ConfigFactory.parseMap(overrides).withFallback(settings.raw()));
        var request = new RunRequest(task, template, retriever, null, null, model, algorithm, steps, seed,
                folder.resolve("out"), false, false, null, id);
        Run run = new Run(id, folder, config, steps, runSettings, request);
        runs.put(id, run);
        launch(run);
        return describe(id);
    }

    /** Runs the job (again, for a resume) on its own thread, with a fresh control; what it says goes to train.log. */
    private void launch(Run run) {
        PrintWriter log;
        try {
            log = new PrintWriter(Files.newBufferedWriter(run.folder.resolve("train.log"), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run.control = new RunControl(new RunControl.Listener() {
            @Override
            public void step(StepReport report) {
                stepped(run.id, report);
            }

            @Override
            public void validation(ObjectNode line) {
                validated(run.id, line);
            }

            @Override
            public void heldOut() {
                evaluating(run);
            }

            @Override
            public void say(String line) {
                log.println(line);
            }
        });
        run.state = "starting";
        run.thread = new Thread(() -> execute(run, log), "training-" + run.id);
        // a held-out evaluation in progress when the server stops is abandoned (the checkpoint is written), so the
        // run's thread must not hold the JVM
        run.thread.setDaemon(true);
        run.thread.start();
    }

    private void execute(Run run, PrintWriter log) {
        String state;
        String failure = null;
        synchronized (this) {
            if (run.state.equals("starting")) {
                run.state = "running";
            }
        }
        try {
            TrainingJob.Outcome outcome = TrainingJob.run(run.runSettings, run.request, run.control);
            state = outcome.state().name().toLowerCase(java.util.Locale.ROOT);
            failure = outcome.failure();
        } catch (Exception e) {
            state = "failed";
            failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            log.println("training failed: " + failure);
        } finally {
            run.control.trained();
            log.close();
        }
        synchronized (this) {
            run.state = state;
        }
        ObjectNode ended = JSON.createObjectNode().put("type", "ended").put("state", run.state);
        if (failure != null) {
            ended.put("failure", failure);
        }
        for (BoundedSourceQueue<ObjectNode> follower : run.followers) {
            follower.offer(ended);
            follower.complete();
        }
        run.followers.clear();
    }

    /** A step reached the run's listener: keep it and pass it to every follower (one too slow is let go). */
    private void stepped(String id, StepReport report) {
        ObjectNode line = TrainingOutputs.line(report);
        line.put("type", "step");
        var samples = line.putArray("samples");
        report.samples().forEach(s -> samples.addObject().put("original", s.original()).put("parsed_query", s.parsedQuery())
                .put("reward", s.reward()).put("metric", s.metric()));
        publish(id, line);
    }

    /** Training has ended with its checkpoint and the held-out evaluation begins: said to followers. */
    private void evaluating(Run run) {
        synchronized (this) {
            if (run.state.equals("running")) {
                run.state = "evaluating";
            }
        }
        publish(run.id, JSON.createObjectNode().put("type", "heldout").put("state", "evaluating"));
    }

    /** A validation of the run's policy: kept and passed on as a step is. */
    private void validated(String id, ObjectNode validation) {
        ObjectNode line = validation.deepCopy();
        line.put("type", "validation");
        publish(id, line);
    }

    private void publish(String id, ObjectNode line) {
        Run live;
        synchronized (this) {
            live = runs.get(id);
        }
        if (live == null) {
            return;
        }
        live.steps.add(line);
        for (BoundedSourceQueue<ObjectNode> follower : live.followers) {
            if (follower.offer(line) != QueueOfferResult.enqueued()) {
                follower.complete();
                live.followers.remove(follower);
            }
        }
    }

    @Override
    public synchronized boolean exists(String id) {
        return runs.containsKey(id) || Files.isRegularFile(runsDir.resolve(id).resolve("out").resolve("metrics.jsonl"));
    }

    @Override
    public synchronized ObjectNode describe(String id) {
        Run run = runs.get(id);
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id);
        if (run != null) {
            node.put("state", run.state);
            node.set("config", run.config);
            List<ObjectNode> steps = run.steps;
            node.put("step", steps.isEmpty() ? 0 : steps.getLast().path("step").asLong());
            node.put("total_steps", run.totalSteps);
            if (!steps.isEmpty()) {
                node.set("last", steps.getLast());
            }
            return node;
        }
        List<ObjectNode> steps = metrics(id);
        node.put("state", Files.isRegularFile(runsDir.resolve(id).resolve("out").resolve("summary.json")) ? "completed"
                : "ended");
        JsonNode summaryConfig = summaryConfig(id);
        node.set("config", summaryConfig.isObject() ? summaryConfig : JSON.createObjectNode());
        long last = steps.isEmpty() ? 0 : steps.getLast().path("step").asLong();
        node.put("step", last);
        // an earlier run's length: its config when it finished, else as far as its metrics go
        node.put("total_steps", summaryConfig.path("steps").asLong(last));
        return node;
    }

    /** The config a finished run wrote into its summary, or a missing node. */
    private JsonNode summaryConfig(String id) {
        Path summary = runsDir.resolve(id).resolve("out").resolve("summary.json");
        if (!Files.isRegularFile(summary)) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(summary.toFile()).path("config");
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }

    @Override
    public synchronized List<ObjectNode> list() {
        var ids = new java.util.LinkedHashSet<String>();
        var started = new ArrayList<>(runs.keySet());
        java.util.Collections.reverse(started);
        ids.addAll(started);
        try (Stream<Path> folders = Files.list(runsDir)) {
            folders.filter(f -> Files.isRegularFile(f.resolve("out").resolve("metrics.jsonl")))
                    .sorted(Comparator.comparing((Path f) -> f.toFile().lastModified()).reversed())
                    .forEach(f -> ids.add(f.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ids.stream().map(this::describe).toList();
    }

    @Override
    public synchronized boolean stop(String id) {
        Run run = runs.get(id);
        if (run == null || !run.active() || run.state.equals("evaluating")) {
            return false; // an evaluating run has finished training: there is nothing to stop
        }
        run.control.requestStop();
        return true;
    }

    @Override
    public synchronized boolean pause(String id) {
        Run run = runs.get(id);
        if (run == null || !(run.state.equals("running") || run.state.equals("starting"))) {
            return false;
        }
        run.control.requestPause();
        run.state = "paused";
        return true;
    }

    /**
     * A paused run draws batches again; a run this server stopped continues from its newest checkpoint in its folder
     * (the same job with {@code --resume}), its events going on from the step after it.
     */
    @Override
    public synchronized boolean resume(String id) {
        Run run = runs.get(id);
        if (run == null) {
            return false;
        }
        if (run.state.equals("paused")) {
            run.control.requestResume();
            run.state = "running";
            return true;
        }
        if (!run.state.equals("stopped") || runs.values().stream().filter(Run::active).count() >= maxActive) {
            return false;
        }
        run.request = run.request.resumed();
        launch(run);
        return true;
    }

    @Override
    public List<ObjectNode> metrics(String id) {
        Run run;
        synchronized (this) {
            run = runs.get(id);
        }
        if (run != null) {
            return List.copyOf(run.steps);
        }
        Path file = runsDir.resolve(id).resolve("out").resolve("metrics.jsonl");
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            var lines = new ArrayList<ObjectNode>();
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    lines.add((ObjectNode) JSON.readTree(line));
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized Optional<Source<ObjectNode, NotUsed>> events(String id) {
        Run run = runs.get(id);
        if (run == null) {
            if (!exists(id)) {
                return Optional.empty();
            }
            ObjectNode ended = JSON.createObjectNode().put("type", "ended").put("state", describe(id).path("state").asText());
            return Optional.of(Source.from(metrics(id)).concat(Source.single(ended)));
        }
        Pair<BoundedSourceQueue<ObjectNode>, Source<ObjectNode, NotUsed>> queued =
                Source.<ObjectNode>queue(EVENT_BUFFER).preMaterialize(materializer);
        BoundedSourceQueue<ObjectNode> queue = queued.first();
        for (ObjectNode step : run.steps) {
            queue.offer(step);
        }
        if (run.active()) {
            run.followers.add(queue);
        } else {
            queue.offer(JSON.createObjectNode().put("type", "ended").put("state", run.state));
            queue.complete();
        }
        return Optional.of(queued.second().watchTermination((notUsed, done) -> {
            done.whenComplete((d, e) -> run.followers.remove(queue));
            return NotUsed.getInstance();
        }));
    }

    /**
     * Stops every run in progress (the server is shutting down) and waits until each has ended its training with a
     * checkpoint (at most {@code learn-timeout} each); a held-out evaluation in progress is abandoned, not waited for.
     */
    @Override
    public void close() throws InterruptedException {
        List<Run> active;
        synchronized (this) {
            active = runs.values().stream().filter(Run::active).toList();
        }
        active.forEach(r -> r.control.requestStop());
        long wait = settings.raw().getDuration("deepretrieval.train.learn-timeout").toMillis();
        for (Run run : active) {
            try {
                run.control.trainingEnded().get(wait, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // nothing more to wait for: the run failed, or did not checkpoint in time (its last one stands)
            }
        }
    }
}
