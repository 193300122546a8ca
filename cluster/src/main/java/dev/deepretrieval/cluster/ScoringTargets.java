package dev.deepretrieval.cluster;

import dev.deepretrieval.actors.NodeSystem;
import dev.deepretrieval.runs.RunScoring;
import dev.deepretrieval.tasks.Progress;
import dev.deepretrieval.tasks.SearchEndpoints;
import dev.deepretrieval.tasks.Settings;
import dev.deepretrieval.tasks.TrainingProblem;
import dev.deepretrieval.tasks.TrainingProblems;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training problems an env node has opened to score runs' rollouts, one per {@link RunScoring.Target}, opened on
 * first use from the target and this node's configuration (the same dataset, template, retriever and settings as the
 * run's node, given the same configuration) and closed when the target's scoring entity stops (passivated when idle,
 * moved, or the node stopping), so a long-lived node holds only the problems of runs it is scoring.
 */
final class ScoringTargets implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringTargets.class);

    private final Settings settings;
    private final Consumer<String> say;
    private final Map<RunScoring.Target, TrainingProblem<?>> open = new ConcurrentHashMap<>();

    /** @param say hears what an operator should see (a run's problem opened here) */
    ScoringTargets(Settings settings, Consumer<String> say) {
        this.settings = settings;
        this.say = say;
    }

    /** The target's problem, opened now if this node has not yet (blocks: it may build an index). */
    TrainingProblem<?> problem(RunScoring.Target target) {
        return open.computeIfAbsent(target, t -> {
            say.accept("opening " + t.task() + " (" + t.retriever() + ") to score run " + t.runId());
            try {
                return TrainingProblems.open(settings, new TrainingProblems.Request(t.task(), t.template(),
                        t.retriever(), null, SearchEndpoints.CONFIGURED, t.model(), t.device(), t.maxTokens(),
                        () -> NodeSystem.obtain(settings.raw()).classicSystem(), new Progress() {
                            @Override
                            public void notice(String message) {
                                say.accept(t.runId() + ": " + message);
                            }
                        }));
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("cannot open " + t.task() + " to score run " + t.runId() + ": "
                        + e.getMessage(), e);
            }
        });
    }

    /** Closes the target's problem, if this node opened it. */
    void close(RunScoring.Target target) {
        TrainingProblem<?> problem = open.remove(target);
        if (problem != null) {
            try {
                problem.close();
            } catch (Exception e) {
                LOG.warn("closing the problem of run {} failed: {}", target.runId(), e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        for (TrainingProblem<?> problem : open.values()) {
            try {
                problem.close();
            } catch (Exception e) {
                LOG.warn("closing a scoring problem failed: {}", e.getMessage());
            }
        }
        open.clear();
    }
}
