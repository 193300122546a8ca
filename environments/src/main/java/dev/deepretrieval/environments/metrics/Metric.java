package dev.deepretrieval.environments.metrics;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A named ranking metric at a cutoff, written {@code ndcg@10}, {@code recall@100}, {@code mrr@10} or {@code hits@20}. */
public record Metric(Kind kind, int k) {

    /** The metric families. */
    public enum Kind {
        NDCG,
        RECALL,
        MRR,
        HITS
    }

    public Metric {
        if (k < 1) {
            throw new IllegalArgumentException("metric cutoff must be >= 1, got " + k);
        }
    }

    /** Parses {@code name@k}, e.g. {@code ndcg@10}. */
    public static Metric parse(String text) {
        String[] parts = text.strip().toLowerCase(Locale.ROOT).split("@", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("metric '" + text + "' must look like ndcg@10, recall@100, mrr@10 or hits@20");
        }
        Kind kind = switch (parts[0]) {
            case "ndcg" -> Kind.NDCG;
            case "recall" -> Kind.RECALL;
            case "mrr" -> Kind.MRR;
            case "hits" -> Kind.HITS;
            default -> throw new IllegalArgumentException(
                    "unknown metric '" + parts[0] + "' in '" + text + "' (expected ndcg, recall, mrr or hits)");
        };
        try {
            return new Metric(kind, Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metric cutoff in '" + text + "' is not an integer", e);
        }
    }

    /** Parses a list of metric names. */
    public static List<Metric> parseAll(List<String> names) {
        return names.stream().map(Metric::parse).toList();
    }

    /** The metric's value for one ranked list. */
    public double compute(List<String> ranked, Map<String, Integer> judgments) {
        return switch (kind) {
            case NDCG -> RankingMetrics.ndcg(ranked, judgments, k);
            case RECALL -> RankingMetrics.recall(ranked, judgments, k);
            case MRR -> RankingMetrics.reciprocalRank(ranked, judgments, k);
            case HITS -> RankingMetrics.hits(ranked, judgments, k);
        };
    }

    /** The canonical name, e.g. {@code ndcg@10}. */
    public String label() {
        return kind.name().toLowerCase(Locale.ROOT) + "@" + k;
    }

    @Override
    public String toString() {
        return label();
    }
}
