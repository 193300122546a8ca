package dev.deepretrieval.policy.scoring;

import java.util.List;

/**
 * Response-token scores copied to Java, one array per sequence, each as long as its response.
 *
 * @param values null without a value head
 */
public record ScoredTokens(List<float[]> logProbs, List<float[]> entropies, List<float[]> values) {

    static ScoredTokens of(ResponseScores scores, List<int[]> responses) {
        float[] logProbs = scores.logProbs().toFloatArray();
        float[] entropies = scores.entropies().toFloatArray();
        float[] values = scores.values() == null ? null : scores.values().toFloatArray();
        int rows = (int) scores.mask().getShape().get(1);
        var lp = new java.util.ArrayList<float[]>();
        var en = new java.util.ArrayList<float[]>();
        var va = values == null ? null : new java.util.ArrayList<float[]>();
        for (int b = 0; b < responses.size(); b++) {
            int length = responses.get(b).length;
            lp.add(java.util.Arrays.copyOfRange(logProbs, b * rows, b * rows + length));
            en.add(java.util.Arrays.copyOfRange(entropies, b * rows, b * rows + length));
            if (va != null) {
                va.add(java.util.Arrays.copyOfRange(values, b * rows, b * rows + length));
            }
        }
        return new ScoredTokens(List.copyOf(lp), List.copyOf(en), va == null ? null : List.copyOf(va));
    }
}
