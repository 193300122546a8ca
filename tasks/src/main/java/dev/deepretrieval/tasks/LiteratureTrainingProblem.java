package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.reward.PaperRewards;
import dev.deepretrieval.environments.search.CachedSearchEngine;
import dev.deepretrieval.environments.search.LiteratureEnvironment;
import dev.deepretrieval.environments.search.LiteratureTask;
import dev.deepretrieval.environments.search.LiteratureTasks;

import java.nio.file.Path;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import java.util.List;

/**
 * Literature search as a training problem (the paper's PubMed and ClinicalTrials.gov tasks): each PICO prompt's query
 * searched on the engine (PubMed, ClinicalTrials.gov, or a local corpus) to the depth, rewarded by the recall tiers;
 * engine failures are counted failed samples. Held out: the {@code test} tasks when the task file has splits, else one
 * task in {@code heldout.every}; scored by mean recall.
 */
public final class LiteratureTrainingProblem {

    private LiteratureTrainingProblem() {}

    public static TrainingProblem<LiteratureTask> open(Settings settings, String name, Path folder, SearchEndpoints endpoints,
            Supplier<ActorSystem> system, GreedyRewriting rewriting, PromptBudget budget, Progress progress)
            throws Exception {
        int depth = settings.positiveInt("deepretrieval.search.depth");
        var owned = new OwnedResources();
        try {
            CachedSearchEngine engine = SearchSetup.engine(settings, name, folder, endpoints, system, progress, owned);
            var environment = new LiteratureEnvironment(engine, AnswerFormat.THINK_THEN_ANSWER, depth,
                    PaperRewards.LITERATURE_SEARCH);
            LiteratureTasks.Loaded all = LiteratureTasks.read(folder);
            List<LiteratureTask> test = all.inSplit("test").tasks();
            List<LiteratureTask> trainedOn;
            List<LiteratureTask> heldOutTasks;
            String label;
            if (!test.isEmpty() && test.size() < all.tasks().size()) {
                trainedOn = all.inSplit("train").tasks();
                heldOutTasks = test;
                label = name + " test tasks, " + engine.name();
            } else {
                var every = EveryNth.of(settings);
                trainedOn = every.trainedOn(all.tasks());
                heldOutTasks = every.heldOut(all.tasks());
                label = name + ", " + every.label("tasks") + ", " + engine.name();
            }
            if (all.withoutIncluded() > 0) {
                progress.notice(all.withoutIncluded() + " task(s) without included studies left out");
            }
            TrainingTasks<LiteratureTask> tasks = budget.fitting(TrainingTasks.of(trainedOn, LiteratureTask::id,
                    LiteratureTask::pico, t -> rewriting.template().render(t.pico())));
            var heldOut = new LiteratureHeldOut(label, heldOutTasks, engine, depth, rewriting);
            return new TrainingProblem<>(name, "literature-search", environment.recallLabel(), rewriting.template(),
                    rewriting.decoding(), tasks,
                    environment, heldOut, java.util.Optional.empty(), owned);
        } catch (Exception | Error e) {
            owned.close();
            throw e;
        }
    }
}
