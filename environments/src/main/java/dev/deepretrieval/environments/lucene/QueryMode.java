package dev.deepretrieval.environments.lucene;

import java.util.Locale;

/** How model-written query text becomes a Lucene query. */
public enum QueryMode {
    /** Every analysed token is an optional clause, repeated tokens weigh more (Anserini's bag of words). */
    BAG_OF_WORDS,
    /** {@code AND}, {@code OR}, {@code NOT}, parentheses and quoted phrases are honoured; see {@link BooleanQueryParser}. */
    BOOLEAN;

    /** Parses {@code bag-of-words} / {@code boolean} (any case, {@code _} or {@code -}). */
    public static QueryMode parse(String text) {
        String normalised = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        for (QueryMode mode : values()) {
            if (mode.name().equals(normalised)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown query mode '" + text + "' (expected bag-of-words or boolean)");
    }
}
