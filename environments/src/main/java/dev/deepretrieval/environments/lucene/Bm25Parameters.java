package dev.deepretrieval.environments.lucene;

/**
 * BM25's free parameters. Anserini's defaults are k1 = 0.9, b = 0.4; Lucene's (and the DeepRetrieval reference
 * code's for SciFact) are k1 = 1.2, b = 0.75.
 */
public record Bm25Parameters(float k1, float b) {

    public static final Bm25Parameters ANSERINI = new Bm25Parameters(0.9f, 0.4f);
    public static final Bm25Parameters LUCENE = new Bm25Parameters(1.2f, 0.75f);

    public Bm25Parameters {
        if (!Float.isFinite(k1) || k1 < 0) {
            throw new IllegalArgumentException("BM25 k1 must be a finite number >= 0, got " + k1);
        }
        if (!Float.isFinite(b) || b < 0 || b > 1) {
            throw new IllegalArgumentException("BM25 b must be in [0, 1], got " + b);
        }
    }

    @Override
    public String toString() {
        return "k1=" + k1 + " b=" + b;
    }
}
