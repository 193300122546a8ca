package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.lucene.Bm25Parameters;

/** BM25's k1 and b as {@code deepretrieval.bm25} sets them: the one reading of them (bad values name it). */
public final class Bm25Settings {

    private Bm25Settings() {}

    public static Bm25Parameters configured(Settings settings) {
        try {
            return new Bm25Parameters((float) settings.number("deepretrieval.bm25.k1"),
                    (float) settings.number("deepretrieval.bm25.b"));
        } catch (IllegalArgumentException e) {
            throw settings.bad("deepretrieval.bm25", e.getMessage());
        }
    }
}
