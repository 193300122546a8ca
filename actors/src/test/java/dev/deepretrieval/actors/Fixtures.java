package dev.deepretrieval.actors;

import dev.deepretrieval.environments.Environment;
import dev.deepretrieval.environments.EnvironmentResult;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.lucene.Bm25Parameters;
import dev.deepretrieval.environments.lucene.Bm25Retriever;
import dev.deepretrieval.environments.lucene.FlatBm25Index;
import dev.deepretrieval.environments.lucene.IndexBuildListener;
import dev.deepretrieval.environments.lucene.QueryMode;
import dev.deepretrieval.environments.retrieval.RetrievalEnvironment;
import dev.deepretrieval.environments.retrieval.RetrievalEnvironmentSettings;
import dev.deepretrieval.environments.retrieval.RetrievalTask;
import dev.deepretrieval.environments.reward.PaperRewards;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** Real components for actor tests: the bundled default policy and BM25 over the bundled SciFact. */
public final class Fixtures {

    private Fixtures() {}

    public static Path defaultPolicy() {
        return Path.of("..", "models", "default-policy").toAbsolutePath().normalize();
    }

    public static BeirDataset scifact() {
        return BeirDataset.open("scifact", Path.of("..", "data", "beir-scifact"));
    }

    /** BM25 over SciFact as an environment, with the index it searches. */
    public record Bm25(FlatBm25Index index, RetrievalEnvironment environment) implements AutoCloseable {
        @Override
        public void close() throws java.io.IOException {
            index.close();
        }
    }

    /** BM25 (Anserini defaults) over SciFact with the paper's BEIR reward; the index is built in {@code cache}. */
    public static Bm25 bm25(Path cache, Executor executor) {
        FlatBm25Index index = FlatBm25Index.openOrBuild(scifact(), cache, IndexBuildListener.SILENT);
        return new Bm25(index, new RetrievalEnvironment(new Bm25Retriever(index.searcher(Bm25Parameters.ANSERINI, 1024),
                QueryMode.BAG_OF_WORDS), new RetrievalEnvironmentSettings(AnswerFormat.THINK_THEN_ANSWER, 1000, 10,
                PaperRewards.BEIR), executor));
    }

    /**
     * The real environment, with faults injected by query id: ids in {@code throwing} fail at once, ids in
     * {@code hanging} never complete (the actor's timeout must catch them).
     */
    public static Environment<RetrievalTask> faulty(Environment<RetrievalTask> real, Set<String> throwing,
            Set<String> hanging) {
        return new Environment<>() {
            @Override
            public String name() {
                return real.name();
            }

            @Override
            public CompletionStage<EnvironmentResult> score(RetrievalTask task, String completion) {
                if (throwing.contains(task.queryId())) {
                    throw new IllegalStateException("injected failure for " + task.queryId());
                }
                if (hanging.contains(task.queryId())) {
                    return new CompletableFuture<>();
                }
                return real.score(task, completion);
            }
        };
    }
}
