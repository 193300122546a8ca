package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.lucene.Bm25Searcher;
import dev.deepretrieval.environments.lucene.FlatBm25Index;
import dev.deepretrieval.environments.lucene.QueryMode;
import dev.deepretrieval.environments.qa.QaDataset;
import dev.deepretrieval.environments.qa.QaEnvironment;
import dev.deepretrieval.environments.qa.QaQuestion;
import dev.deepretrieval.environments.reward.PaperRewards;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Evidence-seeking QA as a training problem: each rewrite of a question retrieved by BM25 over the passages and
 * rewarded by the rank tier of the first answer-bearing passage (DPR's rule; the squad template gets the paper's
 * SQuAD table, any other NQ/TriviaQA's); held out: one question in {@code heldout.every}, scored by Hits@k.
 */
public final class QaTrainingProblem {

    private static final String PREFIX = "deepretrieval.train.";

    private QaTrainingProblem() {}

    public static TrainingProblem<QaQuestion> open(Settings settings, QaDataset dataset, GreedyRewriting rewriting, PromptBudget budget,
            Progress progress)
            throws Exception {
        var split = EveryNth.of(settings);
        var owned = new OwnedResources();
        try {
            ExecutorService pool = owned.add(Executors.newFixedThreadPool(settings.positiveInt("deepretrieval.eval.threads")));
            FlatBm25Index index = owned.add(FlatBm25Index.openOrBuild(dataset.passages(),
                    settings.path("deepretrieval.cache-dir"), progress));
            Bm25Searcher searcher = index.searcher(Bm25Settings.configured(settings), settings.positiveInt("deepretrieval.bm25.max-query-clauses"));
            QueryMode mode = settings.parsed("deepretrieval.bm25.query-mode", QueryMode::parse);
            Map<String, String> passages = dataset.passageTexts();
            var environment = new QaEnvironment(searcher, passages, AnswerFormat.THINK_THEN_ANSWER, mode,
                    settings.positiveInt(PREFIX + "environment.depth"),
                    rewriting.template().name().equals("squad") ? PaperRewards.EVIDENCE_QA_SQUAD : PaperRewards.EVIDENCE_QA, pool);
            TrainingTasks<QaQuestion> tasks = budget.fitting(TrainingTasks.of(split.trainedOn(dataset.questions()),
                    QaQuestion::id, QaQuestion::question, q -> rewriting.template().render(q.question())));
            var heldOut = new QaHeldOut(dataset.name() + ", " + split.label("questions"), split.heldOut(dataset.questions()),
                    searcher, passages, mode,
                    settings.positiveInts("deepretrieval.eval.qa-hits"), pool, rewriting);
            return new TrainingProblem<>(dataset.name(), "evidence-qa", "hits@20", rewriting.template(),
                    rewriting.decoding(), tasks,
                    environment, heldOut, java.util.Optional.empty(), owned);
        } catch (Exception | Error e) {
            owned.close();
            throw e;
        }
    }
}
