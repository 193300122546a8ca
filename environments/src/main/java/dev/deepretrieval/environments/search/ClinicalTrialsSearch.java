package dev.deepretrieval.environments.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deepretrieval.io.JsonMapping;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * ClinicalTrials.gov API v2: {@code GET /api/v2/studies?query.term=…&pageSize=…}, paged by {@code nextPageToken}, NCT
 * ids from {@code protocolSection.identificationModule.nctId}. As in the paper, no date limit applies.
 */
public final class ClinicalTrialsSearch implements SearchEngine {

    /** The API's largest page. */
    public static final int MAX_PAGE = 1000;

    private static final ObjectMapper JSON = JsonMapping.mapper();

    private final ResilientHttpClient client;
    private final String baseUrl;

    public ClinicalTrialsSearch(ResilientHttpClient client, String baseUrl) {
        this.client = client;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    @Override
    public String name() {
        return "ctgov";
    }

    /** One page of studies and the token of the next. */
    record Page(List<String> ids, Optional<String> nextPageToken) {}

    @Override
    public CompletionStage<List<String>> search(SearchRequest request) {
        return fetch(request, new ArrayList<>(), Optional.empty());
    }

    private CompletionStage<List<String>> fetch(SearchRequest request, List<String> collected, Optional<String> token) {
        int size = Math.min(MAX_PAGE, request.depth() - collected.size());
        return client.get(url(request.query(), size, token), "ctgov query \"" + request.normalisedQuery() + "\"",
                ClinicalTrialsSearch::parse).thenCompose(page -> {
                    collected.addAll(page.ids());
                    if (page.ids().isEmpty() || page.nextPageToken().isEmpty() || collected.size() >= request.depth()) {
                        return CompletableFuture.completedFuture(List.copyOf(
                                collected.subList(0, Math.min(collected.size(), request.depth()))));
                    }
                    return fetch(request, collected, page.nextPageToken());
                });
    }

    String url(String query, int pageSize, Optional<String> token) {
        var url = new StringBuilder(baseUrl).append("/api/v2/studies?query.term=").append(encode(query))
                .append("&pageSize=").append(pageSize).append("&fields=").append(encode("NCTId"));
        token.ifPresent(t -> url.append("&pageToken=").append(encode(t)));
        return url.toString();
    }

    static Page parse(String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || !root.isObject() || (root.has("studies") && !root.get("studies").isArray())) {
            throw new IllegalStateException("not a studies page: " + PubMedSearch.abbreviate(body));
        }
        var ids = new ArrayList<String>();
        for (JsonNode study : root.path("studies")) {
            JsonNode id = study.path("protocolSection").path("identificationModule").path("nctId");
            if (id.isTextual()) {
                ids.add(id.asText());
            }
        }
        JsonNode next = root.get("nextPageToken");
        return new Page(ids, next != null && next.isTextual() && !next.asText().isEmpty() ? Optional.of(next.asText())
                : Optional.empty());
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
