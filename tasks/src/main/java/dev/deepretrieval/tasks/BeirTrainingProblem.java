package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.Retriever;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.beir.Qrels;
import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.beir.Split;
import dev.deepretrieval.environments.dense.DenseRetriever;
import dev.deepretrieval.environments.dense.SentenceEncoder;
import dev.deepretrieval.environments.dense.VectorIndex;
import dev.deepretrieval.environments.lucene.Bm25Parameters;
import dev.deepretrieval.environments.lucene.Bm25Retriever;
import dev.deepretrieval.environments.lucene.FlatBm25Index;
import dev.deepretrieval.environments.lucene.QueryMode;
import dev.deepretrieval.environments.metrics.Metric;
import dev.deepretrieval.environments.retrieval.RetrievalEnvironment;
import dev.deepretrieval.environments.retrieval.RetrievalEnvironmentSettings;
import dev.deepretrieval.environments.retrieval.RetrievalTask;
import dev.deepretrieval.environments.retrieval.RewriteMode;
import dev.deepretrieval.environments.reward.PaperRewards;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * BEIR retrieval as a training problem: a split's judged queries, each rewrite retrieved by BM25 or the dense
 * encoder (alone, or with the original query: {@code rewrite-mode}) and rewarded by nDCG through the paper's BEIR
 * reward. A fixed seeded share of the split ({@code validation.one-in}) is carved out as the validation set, never
 * trained on, evaluated during the run; the {@code heldout.split} split is the test set, reported once at the end.
 */
public final class BeirTrainingProblem {

    private static final String PREFIX = "deepretrieval.train.";

    private BeirTrainingProblem() {}

    /** @param retrieverName {@code bm25} or {@code dense} */
    public static TrainingProblem<RetrievalTask> open(Settings settings, BeirDataset dataset, String retrieverName,
            GreedyRewriting rewriting, PromptBudget budget, Progress progress) throws Exception {
        Split split = Split.parse(settings.text(PREFIX + "split"));
        Split heldOutSplit = Split.parse(settings.text(PREFIX + "heldout.split"));
        List<Metric> metrics = Metric.parseAll(settings.texts(PREFIX + "heldout.metrics"));
        var owned = new OwnedResources();
        try {
            ExecutorService pool = owned.add(Executors.newFixedThreadPool(settings.positiveInt("deepretrieval.eval.threads")));
            Retriever retriever = switch (retrieverName) {
                case "bm25" -> bm25(settings, dataset, progress, owned);
                case "dense" -> dense(settings, dataset, progress, owned);
                default -> throw settings.bad(PREFIX + "retriever", "must be bm25 or dense, got " + retrieverName);
            };
            int weight = settings.positiveInt(PREFIX + "rewrite-weight");
            boolean removeQuery = settings.flag("deepretrieval.eval.remove-query");
            RewriteMode mode = settings.parsed(PREFIX + "rewrite-mode", text -> RewriteMode.parse(text,
                    text.strip().equalsIgnoreCase("expand") ? weight : 1));
            var environment = new RetrievalEnvironment(retriever, new RetrievalEnvironmentSettings(
                    AnswerFormat.THINK_THEN_ANSWER, settings.positiveInt(PREFIX + "environment.depth"),
                    settings.positiveInt(PREFIX + "environment.reward-ndcg-cutoff"), PaperRewards.BEIR, mode), pool);
            List<RetrievalTask> judged = judgedQueries(dataset, split);
            Set<String> validationIds = validationIds(judged, settings.positiveInt(PREFIX + "validation.one-in"),
                    settings.raw().getLong(PREFIX + "validation.seed"));
            TrainingTasks<RetrievalTask> tasks = budget.fitting(TrainingTasks.of(
                    judged.stream().filter(t -> !validationIds.contains(t.queryId())).toList(),
                    RetrievalTask::queryId, RetrievalTask::queryText, t -> rewriting.template().render(t.queryText())));
            Qrels trainQrels = dataset.qrels(split).orElseThrow();
            List<Query> validationQueries = capped(dataset.queriesOf(split).stream()
                    .filter(q -> validationIds.contains(q.id())).toList(),
                    settings.raw().getInt(PREFIX + "validation.max-queries"));
            Optional<HeldOutEvaluation> validation = validationQueries.isEmpty() ? Optional.empty()
                    : Optional.of(new BeirHeldOut(dataset.name() + " validation (1 in "
                            + settings.positiveInt(PREFIX + "validation.one-in") + " of the " + split.label() + " split)",
                            validationQueries, trainQrels, retriever, metrics, pool, rewriting, mode, removeQuery));
            List<Query> testQueries = capped(dataset.queriesOf(heldOutSplit),
                    settings.raw().getInt(PREFIX + "heldout.max-queries"));
            var heldOut = new BeirHeldOut(dataset.name() + " " + heldOutSplit.label() + " split", testQueries,
                    dataset.qrels(heldOutSplit).orElseThrow(), retriever, metrics, pool, rewriting, mode, removeQuery);
            return new TrainingProblem<>(dataset.name(), "beir", "ndcg@10", rewriting.template(),
                    rewriting.decoding(), tasks, environment,
                    heldOut, validation, owned);
        } catch (Exception | Error e) {
            owned.close();
            throw e;
        }
    }

    private static Retriever bm25(Settings settings, BeirDataset dataset, Progress progress, OwnedResources owned) {
        FlatBm25Index index = owned.add(FlatBm25Index.openOrBuild(dataset, settings.path("deepretrieval.cache-dir"),
                progress));
        Bm25Parameters parameters = Bm25Settings.configured(settings);
        return new Bm25Retriever(index.searcher(parameters, settings.positiveInt("deepretrieval.bm25.max-query-clauses")),
                settings.parsed("deepretrieval.bm25.query-mode", QueryMode::parse));
    }

    private static Retriever dense(Settings settings, BeirDataset dataset, Progress progress, OwnedResources owned) {
        SentenceEncoder encoder = owned.add(new SentenceEncoder(DenseSetup.encoder(settings)));
        VectorIndex index = owned.add(DenseSetup.index(settings, DenseSetup.embeddings(settings, dataset.corpus(), encoder,
                progress)));
        return new DenseRetriever(encoder, index);
    }

    /**
     * The validation queries: a fixed seeded one in {@code oneIn} of the judged queries (ids shuffled in sorted
     * order with {@code seed}), the same in every run with the same data and settings.
     */
    public static Set<String> validationIds(List<RetrievalTask> judged, int oneIn, long seed) {
        if (oneIn < 2) {
            return Set.of();
        }
        List<String> ids = new ArrayList<>(judged.stream().map(RetrievalTask::queryId).sorted().toList());
        Collections.shuffle(ids, new Random(seed));
        return Set.copyOf(ids.subList(0, ids.size() / oneIn));
    }

    /**
     * The validation queries of {@code dataset} as training carves them out under {@code settings} (the configured
     * training split, {@code validation.one-in} and {@code validation.seed}), for evaluating on them outside a run.
     */
    public static List<Query> validationQueries(Settings settings, BeirDataset dataset) {
        Split split = settings.parsed(PREFIX + "split", Split::parse);
        Set<String> ids = validationIds(judgedQueries(dataset, split), settings.positiveInt(PREFIX + "validation.one-in"),
                settings.raw().getLong(PREFIX + "validation.seed"));
        return dataset.queriesOf(split).stream().filter(q -> ids.contains(q.id())).toList();
    }

    private static List<Query> capped(List<Query> queries, int max) {
        return max > 0 && queries.size() > max ? queries.subList(0, max) : queries;
    }

    private static List<RetrievalTask> judgedQueries(BeirDataset dataset, Split split) {
        Qrels qrels = dataset.qrels(split).orElseThrow(() -> new IllegalArgumentException(
                dataset.name() + " has no " + split.label() + " qrels to train on"));
        var list = new ArrayList<RetrievalTask>();
        for (Query query : dataset.queriesOf(split)) {
            Map<String, Integer> judged = qrels.judgments(query.id());
            if (!judged.isEmpty()) {
                list.add(new RetrievalTask(query.id(), query.text(), judged));
            }
        }
        return list;
    }
}
