package dev.deepretrieval.environments.beir;

import java.util.Objects;

/** One corpus document: BEIR's {@code _id}, {@code title} and {@code text}. */
public record CorpusDocument(String id, String title, String text) {

    public CorpusDocument {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(text, "text");
    }

    /** Title and text in one field, as Anserini's "flat" BEIR indexes store them. */
    public String flatContents() {
        if (title.isEmpty()) {
            return text;
        }
        return text.isEmpty() ? title : title + " " + text;
    }
}
