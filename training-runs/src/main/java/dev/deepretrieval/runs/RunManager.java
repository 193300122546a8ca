package dev.deepretrieval.runs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.streams.StepReport;
import dev.deepretrieval.tasks.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The node's training runs, one manager per actor system ({@link RunManagers}): starts a run from a
 * {@link RunRequest} (refusing one beyond {@code maxActive}), stops (gracefully, checkpoint first), pauses and resumes
 * it, tells its status, lists the runs it holds, and passes each run's events to its subscribers. Every starter —
 * {@code ./deepretrieval train}, the runs API — sends it the same request. A run's job blocks (training, validation,
 * held-out evaluation) and runs on {@code deepretrieval.run-dispatcher}, never on the actors' own threads.
 */
public final class RunManager extends AbstractBehavior<RunManager.Command> {

    public sealed interface Command {}

    /**
     * Start {@code request} with {@code settings} (the node's, with the request's overrides); {@code subscriber}, when
     * given, hears every event from the first.
     */
    public record Start(RunRequest request, Settings settings, Optional<ActorRef<RunEvent>> subscriber,
            ActorRef<StartReply> replyTo) implements Command {}

    public sealed interface StartReply {}

    public record Started(String id) implements StartReply {}

    /** Not started: already {@code maxActive} runs in progress. */
    public record Refused(String reason) implements StartReply {}

    public enum Action { STOP, PAUSE, RESUME }

    /**
     * Stop, pause or resume run {@code id}; the reply says whether the run was in a state for it. Resuming a stopped
     * run continues it from its newest checkpoint in its folder.
     */
    public record Control(String id, Action action, ActorRef<Boolean> replyTo) implements Command {}

    public record GetStatus(String id, ActorRef<Optional<RunStatus>> replyTo) implements Command {}

    public record ListRuns(ActorRef<List<RunStatus>> replyTo) implements Command {}

    /** Hear run {@code id}'s events from now on; unknown ids and runs that have ended are told so at once. */
    public record Subscribe(String id, ActorRef<RunEvent> subscriber) implements Command {}

    /** Stop every run in progress and reply once each has ended its training with a checkpoint. */
    public record StopAll(ActorRef<Done> replyTo) implements Command {}

    private record Event(String id, RunEvent event) implements Command {}

    private record JobEnded(String id, TrainingJob.Outcome outcome, Throwable failure) implements Command {}

    private record TrainingEnded(String id) implements Command {}

    private record SubscriberGone(String id, ActorRef<RunEvent> subscriber) implements Command {}

    /** What subscribers hear. */
    public sealed interface RunEvent {}

    public record StepEvent(StepReport report) implements RunEvent {}

    /** A validation's {@code metrics.jsonl} line. */
    public record ValidationEvent(ObjectNode line) implements RunEvent {}

    /** A line worth showing a person (progress notes, validation figures). */
    public record Said(String line) implements RunEvent {}

    /** Training is about to start: the metric its steps report and its steps. */
    public record TrainingStarted(String metric, long firstStep, long totalSteps) implements RunEvent {}

    /** Training has ended with its checkpoint (the held-out evaluation, if any, follows). */
    public record TrainingStopped() implements RunEvent {}

    public record HeldOutStarted() implements RunEvent {}

    /**
     * The run's end: its outcome, or why it failed ({@code error}: what the job threw, such as an
     * {@code InvalidTaskRequest} naming the request's field; empty when it ended otherwise or is heard later).
     */
    public record RunEnded(String state, Optional<TrainingJob.Outcome> outcome, String failure,
            Optional<Throwable> error) implements RunEvent {}

    /**
     * @param state starting, running, paused, evaluating, completed, stopped or failed
     * @param lastStep the last step reported (0 before the first)
     */
    public record RunStatus(String id, String state, RunRequest request, long totalSteps, long lastStep,
            String failure) {}

    private static final class Run {
        final String id;
        final Settings settings;
        RunRequest request;
        RunControl control;
        String state = "starting";
        long totalSteps;
        String failure;
        boolean trainingEnded;
        long lastStep;
        final List<ActorRef<RunEvent>> subscribers = new ArrayList<>();

        Run(String id, Settings settings, RunRequest request) {
            this.id = id;
            this.settings = settings;
            this.request = request;
        }

        boolean active() {
            return state.equals("starting") || state.equals("running") || state.equals("paused")
                    || state.equals("evaluating");
        }
    }

    private final int maxActive;
    private final Executor jobs;
    private final Map<String, Run> runs = new LinkedHashMap<>();
    private final List<ActorRef<Done>> stopAllWaiting = new ArrayList<>();

    private RunManager(ActorContext<Command> context, int maxActive) {
        super(context);
        this.maxActive = maxActive;
        this.jobs = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("deepretrieval.run-dispatcher"));
    }

    /** @param maxActive runs in progress at once; more are refused */
    public static Behavior<Command> create(int maxActive) {
        if (maxActive < 1) {
            throw new IllegalArgumentException("max active runs must be >= 1, got " + maxActive);
        }
        return Behaviors.setup(context -> new RunManager(context, maxActive));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Start.class, this::onStart)
                .onMessage(Control.class, this::onControl)
                .onMessage(GetStatus.class, m -> {
                    m.replyTo().tell(Optional.ofNullable(runs.get(m.id())).map(RunManager::status));
                    return this;
                })
                .onMessage(ListRuns.class, m -> {
                    var list = new ArrayList<RunStatus>();
                    runs.values().forEach(r -> list.add(0, status(r))); // newest first
                    m.replyTo().tell(list);
                    return this;
                })
                .onMessage(Subscribe.class, this::onSubscribe)
                .onMessage(StopAll.class, this::onStopAll)
                .onMessage(Event.class, this::onEvent)
                .onMessage(TrainingEnded.class, m -> onTrainingEnded(m.id()))
                .onMessage(JobEnded.class, this::onJobEnded)
                .onMessage(SubscriberGone.class, m -> {
                    Run run = runs.get(m.id());
                    if (run != null) {
                        run.subscribers.remove(m.subscriber());
                    }
                    return this;
                })
                .build();
    }

    private static RunStatus status(Run run) {
        return new RunStatus(run.id, run.state, run.request, run.totalSteps, run.lastStep, run.failure);
    }

    private Behavior<Command> onStart(Start start) {
        long active = runs.values().stream().filter(Run::active).count();
        if (active >= maxActive) {
            start.replyTo().tell(new Refused("already " + active + " run(s) in progress (max-active-runs = "
                    + maxActive + "); stop one first"));
            return this;
        }
        RunRequest request = start.request().runId() != null ? start.request()
                : start.request().withRunId(RunFolders.newRunId());
        String id = request.runId();
        var run = new Run(id, start.settings(), request);
        run.totalSteps = request.steps() != null ? request.steps() : -1;
        runs.put(id, run);
        start.subscriber().ifPresent(subscriber -> subscribe(run, subscriber));
        launch(run);
        start.replyTo().tell(new Started(id));
        return this;
    }

    /** Runs the job on the run dispatcher; what it says comes back to this actor as messages. */
    private void launch(Run run) {
        ActorRef<Command> self = getContext().getSelf();
        String id = run.id;
        run.state = "starting";
        run.trainingEnded = false;
        run.control = new RunControl(new RunControl.Listener() {
            @Override
            public void started(String runId, String metric, long firstStep, long totalSteps) {
                self.tell(new Event(id, new TrainingStarted(metric, firstStep, totalSteps)));
            }

            @Override
            public void step(StepReport report) {
                self.tell(new Event(id, new StepEvent(report)));
            }

            @Override
            public void validation(ObjectNode line) {
                self.tell(new Event(id, new ValidationEvent(line)));
            }

            @Override
            public void heldOut() {
                self.tell(new Event(id, new HeldOutStarted()));
            }

            @Override
            public void say(String line) {
                self.tell(new Event(id, new Said(line)));
            }
        });
        run.control.trainingEnded().whenComplete((done, failure) -> self.tell(new TrainingEnded(id)));
        RunControl control = run.control;
        RunRequest request = run.request;
        Settings settings = run.settings;
        getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> {
            try {
                return TrainingJob.run(settings, request, control);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, jobs), (outcome, failure) -> new JobEnded(id, outcome, failure));
    }

    private Behavior<Command> onControl(Control control) {
        Run run = runs.get(control.id());
        boolean done = run != null && switch (control.action()) {
            case STOP -> {
                if (!run.active() || run.state.equals("evaluating")) {
                    yield false; // an evaluating run has finished training: there is nothing to stop
                }
                run.control.requestStop();
                yield true;
            }
            case PAUSE -> {
                if (!(run.state.equals("running") || run.state.equals("starting"))) {
                    yield false;
                }
                run.control.requestPause();
                run.state = "paused";
                yield true;
            }
            case RESUME -> {
                if (run.state.equals("paused")) {
                    run.control.requestResume();
                    run.state = "running";
                    yield true;
                }
                if (!run.state.equals("stopped") || runs.values().stream().filter(Run::active).count() >= maxActive) {
                    yield false;
                }
                run.request = run.request.resumed();
                launch(run);
                yield true;
            }
        };
        control.replyTo().tell(done);
        return this;
    }

    private Behavior<Command> onSubscribe(Subscribe subscribe) {
        Run run = runs.get(subscribe.id());
        if (run == null) {
            subscribe.subscriber().tell(new RunEnded("unknown", Optional.empty(), "no run " + subscribe.id(),
                    Optional.empty()));
        } else if (!run.active()) {
            subscribe.subscriber().tell(new RunEnded(run.state, Optional.empty(), run.failure, Optional.empty()));
        } else {
            subscribe(run, subscribe.subscriber());
        }
        return this;
    }

    /** Adds a subscriber for the run's lifetime here (also across a resume), until it stops. */
    private void subscribe(Run run, ActorRef<RunEvent> subscriber) {
        run.subscribers.add(subscriber);
        getContext().watchWith(subscriber, new SubscriberGone(run.id, subscriber));
    }

    private Behavior<Command> onEvent(Event event) {
        Run run = runs.get(event.id());
        if (run == null) {
            return this;
        }
        switch (event.event()) {
            case StepEvent step -> run.lastStep = step.report().step();
            case TrainingStarted started -> {
                run.totalSteps = started.totalSteps();
                if (run.state.equals("starting")) {
                    run.state = "running";
                }
            }
            case HeldOutStarted ignored -> {
                if (run.active()) {
                    run.state = "evaluating";
                }
            }
            default -> { }
        }
        run.subscribers.forEach(s -> s.tell(event.event()));
        return this;
    }

    private Behavior<Command> onTrainingEnded(String id) {
        Run run = runs.get(id);
        if (run != null && !run.trainingEnded) {
            run.trainingEnded = true;
            run.subscribers.forEach(s -> s.tell(new TrainingStopped()));
            answerStopAll();
        }
        return this;
    }

    private Behavior<Command> onJobEnded(JobEnded ended) {
        Run run = runs.get(ended.id());
        if (run == null) {
            return this;
        }
        Throwable failure = ended.failure() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                ? c.getCause() : ended.failure();
        if (failure != null) {
            run.state = "failed";
            run.failure = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        } else {
            run.state = ended.outcome().state().name().toLowerCase(java.util.Locale.ROOT);
            run.failure = ended.outcome().failure();
        }
        var end = new RunEnded(run.state, Optional.ofNullable(ended.outcome()), run.failure,
                Optional.ofNullable(failure));
        run.subscribers.forEach(s -> s.tell(end)); // they stay: a stopped run may be resumed
        if (!run.trainingEnded) {
            onTrainingEnded(run.id);
        }
        return this;
    }

    private Behavior<Command> onStopAll(StopAll stopAll) {
        runs.values().stream().filter(r -> r.active() && !r.state.equals("evaluating"))
                .forEach(r -> r.control.requestStop());
        stopAllWaiting.add(stopAll.replyTo());
        answerStopAll();
        return this;
    }

    /** Answers StopAll once no run is still training (a held-out evaluation in progress is not waited for). */
    private void answerStopAll() {
        if (stopAllWaiting.isEmpty()) {
            return;
        }
        boolean training = runs.values().stream().anyMatch(r -> r.active() && !r.trainingEnded);
        if (!training) {
            stopAllWaiting.forEach(w -> w.tell(Done.getInstance()));
            stopAllWaiting.clear();
        }
    }
}
