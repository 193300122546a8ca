package dev.deepretrieval.environments.beir;

import java.util.Objects;

/** One query (a BEIR topic): its id and text. */
public record Query(String id, String text) {

    public Query {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
    }
}
