package dev.deepretrieval.environments.metrics;

import dev.deepretrieval.environments.Hit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run in the form it is written and evaluated: per query, the hits in the order {@code trec_eval} reads them back
 * from the run file, with the scores that file carries. Printed metrics are computed from {@link #rankedIds()}, so
 * they are the figures {@code trec_eval} computes on the written file.
 *
 * <p>Ranking follows Anserini: hits ranked by score, ties by ascending collection id; then, as Anserini's score-ties
 * adjuster does, scores rounded to 1e-4 and each further member of a tie lowered by 1e-6 per place, so that the
 * written scores carry the order themselves. The list is finally ordered as {@code trec_eval} sorts a run file (score
 * as written with six decimals, descending; remaining ties by descending document id), which leaves Anserini's order
 * unchanged except where a float cannot hold a perturbation, and makes the file the single source of the order.
 *
 * @param hitsByQuery hits per query id, in query order
 */
public record TrecRun(Map<String, List<Hit>> hitsByQuery) {

    private static final Comparator<Hit> RETRIEVAL_ORDER =
            Comparator.comparing(Hit::score, Comparator.reverseOrder()).thenComparing(Hit::docId);
    private static final Comparator<Hit> TREC_EVAL_ORDER =
            Comparator.comparingDouble((Hit hit) -> -writtenScore(hit)).thenComparing(Hit::docId, Comparator.reverseOrder());

    public TrecRun {
        var copy = new LinkedHashMap<String, List<Hit>>();
        hitsByQuery.forEach((qid, hits) -> copy.put(qid, List.copyOf(hits)));
        hitsByQuery = Collections.unmodifiableMap(copy);
    }

    /** The run of retrieved hits per query id (any order within a query; scores as the retriever gave them). */
    public static TrecRun of(Map<String, List<Hit>> retrieved) {
        var adjusted = new LinkedHashMap<String, List<Hit>>();
        retrieved.forEach((qid, hits) -> adjusted.put(qid, adjust(hits)));
        return new TrecRun(adjusted);
    }

    /** Document ids per query id, best first: what the metrics are computed on. */
    public Map<String, List<String>> rankedIds() {
        var ids = new LinkedHashMap<String, List<String>>();
        hitsByQuery.forEach((qid, hits) -> ids.put(qid, hits.stream().map(Hit::docId).toList()));
        return ids;
    }

    /** The score text written for {@code hit} (six decimals, as Anserini and trec_eval's tools write runs). */
    static String formatScore(Hit hit) {
        return String.format(Locale.ROOT, "%.6f", hit.score());
    }

    private static double writtenScore(Hit hit) {
        return Double.parseDouble(formatScore(hit));
    }

    private static List<Hit> adjust(List<Hit> hits) {
        var ranked = new ArrayList<>(hits);
        ranked.sort(RETRIEVAL_ORDER);
        var out = new ArrayList<Hit>(ranked.size());
        int tie = 0;
        float previous = 0;
        for (int i = 0; i < ranked.size(); i++) {
            float score = Math.round(ranked.get(i).score() * 1e4f) / 1e4f;
            if (i == 0 || previous - score > 1e-4f) {
                tie = 0;
            } else {
                tie++;
                score -= 1e-6f * tie;
            }
            previous = score;
            out.add(new Hit(ranked.get(i).docId(), score));
        }
        out.sort(TREC_EVAL_ORDER);
        return out;
    }
}
