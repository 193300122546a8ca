package dev.deepretrieval.http;

import com.fasterxml.jackson.databind.JsonNode;

/** Loads a policy to serve in place of the current one ({@code POST /v1/model}). */
public interface PolicySwapper {

    /** Swaps as {@code body} asks (an {@link InvalidRequest} when it cannot be done as asked); returns the new version. */
    String swap(JsonNode body);
}
