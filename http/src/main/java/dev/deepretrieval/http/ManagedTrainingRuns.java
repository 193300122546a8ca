package dev.deepretrieval.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.deepretrieval.runs.TrainingOutputs;
import dev.deepretrieval.tasks.InvalidTaskRequest;
import dev.deepretrieval.tasks.Settings;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deepretrieval.actors.RolloutPolicies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.io.AtomicFiles;
import dev.deepretrieval.policy.checkpoint.Checkpoint;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.io.JsonMapping;
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
import dev.deepretrieval.runs.RunFolders;
import dev.deepretrieval.runs.RunRollouts;
import dev.deepretrieval.runs.RunRequest;
import dev.deepretrieval.runs.RunRequests;
import dev.deepretrieval.runs.RunManager;
import dev.deepretrieval.runs.RunManagers;
import java.time.Duration;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The runs API's view of the node's {@link RunManager}: a JSON body becomes the same {@link RunRequest} that
 * {@code ./deepretrieval train} sends, in {@code <runs-dir>/<id>} (its metrics.jsonl, checkpoints, summary, train.log);
 * stop, pause and resume ask the manager; each run's events become JSON lines for its followers. Runs already in the
 * folder (earlier servers, the CLI) are listed from their files.
 */
public final class ManagedTrainingRuns implements TrainingRuns, AutoCloseable {

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
        volatile String state = "starting";

        Run(String id, Path folder, ObjectNode config, long totalSteps) {
            this.id = id;
            this.folder = folder;
            this.config = config;
            this.totalSteps = totalSteps;
        }

        boolean active() {
            return state.equals("starting") || state.equals("running") || state.equals("paused")
                    || state.equals("evaluating");
        }
    }

    private final Settings settings;
    private final Path runsDir;
    private final ActorSystem<Void> system;
    private final ActorRef<RunManager.Command> manager;
    private final Duration askTimeout;
    private final Materializer materializer;
    private final Map<String, Run> runs = new LinkedHashMap<>();

    public ManagedTrainingRuns(Settings settings, Path runsDir, ActorSystem<Void> system) throws IOException {
        this.settings = settings;
        this.runsDir = Files.createDirectories(runsDir);
        this.system = system;
        this.manager = RunManagers.of(system);
        this.askTimeout = settings.raw().getDuration("deepretrieval.serve.runs-ask-timeout");
        this.materializer = Materializer.matFromSystem(system);
    }

    /** The request a run was started with, kept in its folder so that a later server can resume it. */
    static final String REQUEST_FILE = "request.json";

    /** Which node runs it, and whether it is still running there ({@link #orphaned}). */
    static final String OWNER_FILE = "owner.json";

    @Override
    public synchronized ObjectNode start(JsonNode body) {
        return launch(RunFolders.newRunId(), body, false);
    }

    /**
     * Starts run {@code id} from a runs-API body, or resumes it from its newest checkpoint (a run of this folder that a
     * stopped or killed server left unfinished).
     */
    private ObjectNode launch(String id, JsonNode body, boolean resume) {
        var fields = new RequestFields(body);
        fields.onlyKnown(FIELDS);
        ObjectNode config = JSON.createObjectNode();
        String task = fields.optionalNonBlank("task").orElse(null);
        String algorithm = fields.optionalNonBlank("algorithm").orElse(null);
        String retriever = fields.optionalNonBlank("retriever").orElse(null);
        String template = fields.optionalNonBlank("template").orElse(null);
        Path model = fields.optionalNonBlank("model").map(Path::of).orElse(null);
        for (String field : new String[] {"task", "algorithm", "retriever", "template", "model"}) {
            fields.optionalNonBlank(field).ifPresent(value -> config.put(field, value));
        }
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
        try {
            RunRequests.validate(settings, new RunRequest(task, template, retriever, null, null, model, algorithm, steps,
                    seed, null, false, false, null, null));
        } catch (InvalidTaskRequest e) {
            throw new InvalidRequest(e.field(), e.getMessage());
        }
        Path folder = runsDir.resolve(id);
        try {
            Files.createDirectories(folder);
            if (!resume) {
                AtomicFiles.writeJson(folder.resolve(REQUEST_FILE), body);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // the run's settings: the server's, with the request's overrides on top
        var runSettings = new Settings(ConfigFactory.parseMap(overrides).withFallback(settings.raw()));
        var request = new RunRequest(task, template, retriever, null, null, model, algorithm, steps, seed,
                folder.resolve("out"), resume, false, null, id);
        var run = new Run(id, folder, config, steps);
        if (resume) {
            run.steps.addAll(recorded(id)); // what the earlier server recorded; the run goes on from its next step
        }
        runs.put(id, run);
        ActorRef<RunManager.RunEvent> events = system.systemActorOf(follow(run), "runs-api-" + id, Props.empty());
        RunManager.StartReply reply = ask(replyTo -> new RunManager.Start(request, runSettings, Optional.of(events),
                replyTo));
        if (reply instanceof RunManager.Refused refused) {
            runs.remove(id);
            events.tell(new RunManager.RunEnded("refused", Optional.empty(), refused.reason(), Optional.empty()));
            throw new Conflict(refused.reason());
        }
        own(id, true);
        return describe(id);
    }

    /**
     * Records that this node runs {@code id} ({@code active}) or has ended it: {@code owner.json} in the run's folder,
     * which a cluster's run failover reads to find the runs a removed node left unfinished. An ended run is only marked
     * so while this node still owns it (another node may have taken it over).
     */
    private void own(String id, boolean active) {
        Path owner = runsDir.resolve(id).resolve(OWNER_FILE);
        String node = system.address().toString();
        try {
            if (!active && Files.isRegularFile(owner) && !node.equals(JSON.readTree(owner.toFile()).path("node").asText())) {
                return;
            }
            AtomicFiles.writeJson(owner, JSON.createObjectNode().put("node", node).put("active", active));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the owner of run " + id, e);
        }
    }

    /**
     * The runs in the folder that a node not among {@code liveNodes} (actor-system addresses) was running when it
     * went: still marked active by it, not completed, with a checkpoint to continue from.
     */
    public List<String> orphaned(Set<String> liveNodes) {
        var orphans = new ArrayList<String>();
        try (var folders = Files.list(runsDir)) {
            for (Path folder : folders.sorted().toList()) {
                Path owner = folder.resolve(OWNER_FILE);
                if (!Files.isRegularFile(owner) || Files.isRegularFile(folder.resolve("out").resolve("summary.json"))) {
                    continue;
                }
                JsonNode recorded = JSON.readTree(owner.toFile());
                if (recorded.path("active").asBoolean() && !liveNodes.contains(recorded.path("node").asText())) {
                    orphans.add(folder.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the runs in " + runsDir, e);
        }
        return orphans;
    }

    /** Asks the run manager, waiting at most {@code runs-ask-timeout}. */
    private <T> T ask(java.util.function.Function<ActorRef<T>, RunManager.Command> message) {
        try {
            return AskPattern.ask(manager, message::apply, askTimeout, system.scheduler()).toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the run manager", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("the run manager did not answer: " + e.getCause().getMessage(), e);
        }
    }

    /**
     * The run's events as the API shows them: steps and validations become JSON lines for the followers, and the
     * run's state follows; train.log gets what the run says. Lives as long as the run is listed here.
     */
    private Behavior<RunManager.RunEvent> follow(Run run) {
        return Behaviors.setup(context -> {
            PrintWriter log = new PrintWriter(Files.newBufferedWriter(run.folder.resolve("train.log"),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND), true);
            return Behaviors.receive(RunManager.RunEvent.class)
                    .onMessage(RunManager.RunEvent.class, event -> {
                        switch (event) {
                            case RunManager.Said said -> log.println(said.line());
                            case RunManager.TrainingStarted started -> moved(run, "starting", "running");
                            case RunManager.StepEvent step -> stepped(run.id, step.report());
                            case RunManager.ValidationEvent validation -> validated(run.id, validation.line());
                            case RunManager.HeldOutStarted heldOut -> evaluating(run);
                            case RunManager.TrainingStopped stopped -> { }
                            case RunManager.RunEnded end -> ended(run, end, log);
                        }
                        return Behaviors.same();
                    })
                    .onSignal(org.apache.pekko.actor.typed.PostStop.class, signal -> {
                        log.close();
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    private synchronized void moved(Run run, String from, String to) {
        if (run.state.equals(from)) {
            run.state = to;
        }
    }

    private void ended(Run run, RunManager.RunEnded end, PrintWriter log) {
        if (end.failure() != null && !end.state().equals("completed")) {
            log.println("training " + end.state() + ": " + end.failure());
        }
        synchronized (this) {
            run.state = end.state();
        }
        if (!end.state().equals("refused")) {
            own(run.id, false);
        }
        ObjectNode ended = JSON.createObjectNode().put("type", "ended").put("state", end.state());
        if (end.failure() != null) {
            ended.put("failure", end.failure());
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
    public Optional<Checkpoint.FileDigest> weights(String id, long step) {
        if (!exists(id)) {
            return Optional.empty();
        }
        try {
            Path out = runsDir.resolve(id).resolve("out");
            Optional<Checkpoint.FileDigest> published = new CheckpointStore(out.resolve(RunRollouts.PUBLISHED_FOLDER), 1)
                    .recorded(step, RolloutPolicies.ACTOR_GROUP);
            return published.isPresent() ? published : checkpoints(id).recorded(step, RolloutPolicies.ACTOR_GROUP);
        } catch (IOException e) {
            return Optional.empty(); // a manifest being replaced: as if the step had none yet
        }
    }

    /** Run {@code id}'s checkpoints (read only: nothing is written or pruned through it). */
    private CheckpointStore checkpoints(String id) {
        return new CheckpointStore(runsDir.resolve(id).resolve("out").resolve("checkpoints"), 1);
    }

    @Override
    public synchronized boolean exists(String id) {
        return runs.containsKey(id) || RunFolders.isRunId(id)
                && Files.isRegularFile(runsDir.resolve(id).resolve("out").resolve("metrics.jsonl"));
    }

    @Override
    public synchronized ObjectNode describe(String id) {
        Run run = runs.get(id);
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id);
        if (run != null) {
            node.put("state", run.state);
            node.set("config", run.config);
            // the newest step event (validations and the held-out notice are kept among the events too)
            ObjectNode last = null;
            for (int i = run.steps.size() - 1; i >= 0 && last == null; i--) {
                if (run.steps.get(i).path("type").asText().equals("step")) {
                    last = run.steps.get(i);
                }
            }
            node.put("step", last == null ? 0 : last.path("step").asLong());
            node.put("total_steps", run.totalSteps);
            if (last != null) {
                node.set("last", last);
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
    public boolean stop(String id) {
        return control(id, RunManager.Action.STOP);
    }

    @Override
    public boolean pause(String id) {
        return control(id, RunManager.Action.PAUSE, "paused");
    }

    /**
     * A paused run draws batches again; a run this server stopped continues from its newest checkpoint in its folder
     * (the same request, resumed), its events going on from the step after it.
     */
    @Override
    public boolean resume(String id) {
        String before;
        synchronized (this) {
            Run run = runs.get(id);
            before = run == null ? null : run.state;
            if (run == null) {
                return resumeFromFolder(id);
            }
        }
        return control(id, RunManager.Action.RESUME, "paused".equals(before) ? "running" : "starting");
    }

    /**
     * A run an earlier server started and did not finish (stopped with it, or killed): started again from its newest
     * checkpoint with the request it was started with. False when the folder holds no such run.
     */
    private boolean resumeFromFolder(String id) {
        Path folder = runsDir.resolve(id);
        Path requestFile = folder.resolve(REQUEST_FILE);
        if (!Files.isRegularFile(requestFile) || Files.isRegularFile(folder.resolve("out").resolve("summary.json"))
                || !Files.isDirectory(folder.resolve("out").resolve("checkpoints"))) {
            return false;
        }
        try {
            launch(id, JSON.readTree(requestFile.toFile()), true);
            return true;
        } catch (Conflict refused) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The steps and validations an earlier server wrote for run {@code id} up to its newest checkpoint (the steps
     * after it run again), as the events show them.
     */
    private List<ObjectNode> recorded(String id) {
        long checkpointed;
        try {
            checkpointed = checkpoints(id).latestValid().map(Checkpoint::step).orElse(0L);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var lines = new ArrayList<ObjectNode>();
        for (ObjectNode line : metrics(id)) {
            if (line.path("step").asLong() > checkpointed) {
                continue;
            }
            ObjectNode event = line.deepCopy();
            event.put("type", TrainingOutputs.isStepLine(line) ? "step" : "validation");
            lines.add(event);
        }
        return lines;
    }

    private boolean control(String id, RunManager.Action action) {
        return control(id, action, null);
    }

    /** Asks the manager; when it agrees and {@code state} is given, the run shows that state at once. */
    private boolean control(String id, RunManager.Action action, String state) {
        if (!isRunHere(id)) {
            return false;
        }
        boolean done = ask(replyTo -> new RunManager.Control(id, action, replyTo));
        if (done && state != null) {
            synchronized (this) {
                runs.get(id).state = state;
            }
        }
        return done;
    }

    private synchronized boolean isRunHere(String id) {
        return runs.containsKey(id);
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
     * checkpoint (at most {@code learn-timeout}); a held-out evaluation in progress is abandoned, not waited for.
     */
    @Override
    public void close() throws InterruptedException {
        try {
            AskPattern.<RunManager.Command, Done>ask(manager, RunManager.StopAll::new,
                    settings.raw().getDuration("deepretrieval.train.learn-timeout"), system.scheduler())
                    .toCompletableFuture().get();
        } catch (java.util.concurrent.ExecutionException e) {
            // nothing more to wait for: a run did not checkpoint in time (its last checkpoint stands)
        }
    }
}
