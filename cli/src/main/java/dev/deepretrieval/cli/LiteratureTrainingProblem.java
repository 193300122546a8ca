package dev.deepretrieval.cli;

import dev.deepretrieval.environments.Environment;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.environments.reward.PaperRewards;
import dev.deepretrieval.environments.search.CachedSearchEngine;
import dev.deepretrieval.environments.search.LiteratureEnvironment;
import dev.deepretrieval.environments.search.LiteratureTask;
import dev.deepretrieval.environments.search.LiteratureTasks;
import dev.deepretrieval.streams.TrainingTasks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Literature search as a training problem (the paper's PubMed and ClinicalTrials.gov tasks): each PICO prompt's query
 * searched on the engine (PubMed, ClinicalTrials.gov, or a local corpus) to the depth, rewarded by the recall tiers;
 * engine failures are counted failed samples. Held out: the {@code test} tasks when the task file has splits, else one
 * task in {@code heldout.every}; scored by mean recall.
 */
final class LiteratureTrainingProblem implements TrainingProblem<LiteratureTask> {

    private static final String PREFIX = "deepretrieval.train.";

    private final String name;
    private final TrainingTasks<LiteratureTask> tasks;
    private final LiteratureEnvironment environment;
    private final HeldOutEvaluation heldOut;
    private final PromptTemplate template;
    private final OwnedResources owned;

    private LiteratureTrainingProblem(String name, TrainingTasks<LiteratureTask> tasks, LiteratureEnvironment environment,
            HeldOutEvaluation heldOut, PromptTemplate template, OwnedResources owned) {
        this.name = name;
        this.tasks = tasks;
        this.environment = environment;
        this.heldOut = heldOut;
        this.template = template;
        this.owned = owned;
    }

    static LiteratureTrainingProblem open(Settings settings, String name, Path folder, SearchOptions options,
            GreedyRewriting rewriting, PromptBudget budget, PrintWriter err) throws Exception {
        int depth = settings.positiveInt("deepretrieval.search.depth");
        var owned = new OwnedResources();
        try {
            CachedSearchEngine engine = SearchSetup.engine(settings, name, folder, options, owned);
            var environment = new LiteratureEnvironment(engine, AnswerFormat.THINK_THEN_ANSWER, depth,
                    PaperRewards.LITERATURE_SEARCH);
            LiteratureTasks.Loaded train = LiteratureTasks.read(folder, Optional.of("train"));
            LiteratureTasks.Loaded test = LiteratureTasks.read(folder, Optional.of("test"));
            LiteratureTasks.Loaded all = LiteratureTasks.read(folder, Optional.empty());
            boolean split = !test.tasks().isEmpty() && test.tasks().size() < all.tasks().size();
            List<LiteratureTask> trainedOn;
            List<LiteratureTask> heldOutTasks;
            String label;
            if (split) {
                trainedOn = train.tasks();
                heldOutTasks = test.tasks();
                label = name + " test tasks, " + engine.name();
            } else {
                var every = new EveryNth(settings.positiveInt(PREFIX + "heldout.every"));
                trainedOn = every.trainedOn(all.tasks());
                heldOutTasks = every.heldOut(all.tasks());
                label = name + ", " + every.label().replace("questions", "tasks") + ", " + engine.name();
            }
            if (all.withoutIncluded() > 0) {
                err.printf(Locale.ROOT, "%d task(s) without included studies left out%n", all.withoutIncluded());
            }
            TrainingTasks<LiteratureTask> tasks = budget.fitting(TrainingTasks.of(trainedOn, LiteratureTask::id,
                    LiteratureTask::pico, t -> rewriting.template().render(t.pico())));
            var heldOut = new LiteratureHeldOut(label, heldOutTasks, engine, depth, rewriting);
            return new LiteratureTrainingProblem(name, tasks, environment, heldOut, rewriting.template(), owned);
        } catch (Exception | Error e) {
            owned.close();
            throw e;
        }
    }

    @Override
    public String datasetName() {
        return name;
    }

    @Override
    public String family() {
        return "literature-search";
    }

    @Override
    public String metric() {
        return environment.recallLabel();
    }

    @Override
    public PromptTemplate template() {
        return template;
    }

    @Override
    public TrainingTasks<LiteratureTask> tasks() {
        return tasks;
    }

    @Override
    public Environment<LiteratureTask> environment() {
        return environment;
    }

    @Override
    public HeldOutEvaluation heldOut() {
        return heldOut;
    }

    @Override
    public void close() throws Exception {
        owned.close();
    }
}
