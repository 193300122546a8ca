package dev.deepretrieval.environments.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deepretrieval.environments.beir.Qrels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunEvaluationTest {

    @Test
    void averagesOverEveryJudgedQueryCountingMissingRunsAsZero() {
        var qrels = new Qrels(Map.of(
                "q1", Map.of("a", 1),
                "q2", Map.of("b", 1),
                "q3", Map.of("c", 0))); // no relevant judgment: not averaged over, like trec_eval
        Map<String, List<String>> run = Map.of(
                "q1", List.of("a"),
                "q9", List.of("z")); // not in the qrels: ignored
        RunEvaluation evaluation = RunEvaluation.of(run, qrels, Metric.parseAll(List.of("ndcg@10", "recall@100")));
        assertEquals(2, evaluation.queries());
        assertEquals(0.5, evaluation.means().get("ndcg@10"), 1e-12);
        assertEquals(0.5, evaluation.means().get("recall@100"), 1e-12);
        assertEquals(0.0, evaluation.perQuery().get("q2").get("ndcg@10"), 1e-12);
        assertEquals(List.of("ndcg@10", "recall@100"), List.copyOf(evaluation.means().keySet()));
    }

    @Test
    void metricNamesParseAndRejectNonsense() {
        assertEquals(new Metric(Metric.Kind.MRR, 10), Metric.parse(" MRR@10 "));
        assertEquals("hits@20", Metric.parse("hits@20").label());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Metric.parse("map@10"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Metric.parse("ndcg@x"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Metric.parse("ndcg@0"));
    }
}
