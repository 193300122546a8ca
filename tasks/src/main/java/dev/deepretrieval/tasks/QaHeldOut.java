package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.lucene.Bm25Searcher;
import dev.deepretrieval.environments.lucene.QueryMode;
import dev.deepretrieval.environments.qa.QaEvaluation;
import dev.deepretrieval.environments.qa.QaQuestion;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.Rewrite;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/** Held-out evidence QA: Hits@k by DPR's answer rule of the held-out questions, as asked or as rewritten. */
public final class QaHeldOut implements HeldOutEvaluation {

    private final String label;
    private final List<QaQuestion> questions;
    private final Bm25Searcher searcher;
    private final Map<String, String> passageTexts;
    private final QueryMode mode;
    private final List<Integer> cutoffs;
    private final ExecutorService pool;
    private final GreedyRewriting rewriting;

    public QaHeldOut(String label, List<QaQuestion> questions, Bm25Searcher searcher, Map<String, String> passageTexts,
            QueryMode mode, List<Integer> cutoffs, ExecutorService pool, GreedyRewriting rewriting) {
        this.label = label;
        this.questions = List.copyOf(questions);
        this.searcher = searcher;
        this.passageTexts = passageTexts;
        this.mode = mode;
        this.cutoffs = List.copyOf(cutoffs);
        this.pool = pool;
        this.rewriting = rewriting;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public Optional<Result> original() {
        return Optional.of(new Result(QaEvaluation.hits(searcher, questions, passageTexts, mode, cutoffs, pool),
                Optional.empty(), questions.size()));
    }

    @Override
    public Result rewritten(Policy policy) {
        List<Rewrite> rewrites = rewriting.rewrite(policy, questions.stream().map(q -> new QueryRewriter.Prompt(
                q.question(), rewriting.template().render(q.question()))).toList());
        var rewritten = new ArrayList<QaQuestion>(questions.size());
        for (int i = 0; i < questions.size(); i++) {
            QaQuestion question = questions.get(i);
            rewritten.add(new QaQuestion(question.id(), rewrites.get(i).queryOrEmpty(), question.answers()));
        }
        return new Result(QaEvaluation.hits(searcher, rewritten, passageTexts, mode, cutoffs, pool),
                Optional.of(GreedyRewriting.formatValidRate(rewrites)), questions.size());
    }
}
