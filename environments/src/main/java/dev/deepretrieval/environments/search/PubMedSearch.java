package dev.deepretrieval.environments.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deepretrieval.io.JsonMapping;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * PubMed through NCBI E-utilities ESearch ({@code esearch.fcgi?db=pubmed&retmode=json}): the query as a URL-encoded
 * {@code term}, paged with {@code retmax}/{@code retstart} up to the depth (PubMed serves at most the first 10,000),
 * under the paper's date limit ({@code datetype=pdat&mindate=1970/01/01&maxdate=<review date>}), with
 * {@code api_key} (from {@code NCBI_API_KEY}), {@code tool} and {@code email}.
 */
public final class PubMedSearch implements SearchEngine {

    /** PubMed serves no result past this position. */
    public static final int MAX_POSITION = 10_000;

    private static final ObjectMapper JSON = JsonMapping.mapper();
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu/MM/dd");

    private final ResilientHttpClient client;
    private final String baseUrl;
    private final int pageSize;
    private final Optional<String> apiKey;
    private final String tool;
    private final String email;

    /** @param pageSize ids per ESearch request (NCBI allows up to 10,000) */
    public PubMedSearch(ResilientHttpClient client, String baseUrl, int pageSize, Optional<String> apiKey, String tool,
            String email) {
        if (pageSize < 1 || pageSize > MAX_POSITION) {
            throw new IllegalArgumentException("pageSize must be 1..10000, got " + pageSize);
        }
        this.client = client;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.pageSize = pageSize;
        this.apiKey = apiKey.filter(k -> !k.isBlank());
        this.tool = tool;
        this.email = email;
    }

    @Override
    public String name() {
        return "pubmed";
    }

    /** One ESearch page: the total count and the ids. */
    record Page(int count, List<String> ids) {}

    @Override
    public CompletionStage<List<String>> search(SearchRequest request) {
        int wanted = Math.min(request.depth(), MAX_POSITION);
        return fetch(request, new ArrayList<>(), wanted);
    }

    private CompletionStage<List<String>> fetch(SearchRequest request, List<String> collected, int wanted) {
        int start = collected.size();
        int size = Math.min(pageSize, wanted - start);
        return client.get(url(request, start, size), "pubmed query \"" + request.normalisedQuery() + "\"",
                PubMedSearch::parse).thenCompose(page -> {
                    collected.addAll(page.ids());
                    int reachable = Math.min(wanted, page.count());
                    if (page.ids().isEmpty() || collected.size() >= reachable) {
                        return CompletableFuture.completedFuture(List.copyOf(
                                collected.subList(0, Math.min(collected.size(), wanted))));
                    }
                    return fetch(request, collected, wanted);
                });
    }

    String url(SearchRequest request, int retstart, int retmax) {
        var url = new StringBuilder(baseUrl).append("/esearch.fcgi?db=pubmed&retmode=json&term=")
                .append(encode(request.query())).append("&retmax=").append(retmax).append("&retstart=").append(retstart);
        request.maxDate().ifPresent(date -> url.append("&datetype=pdat&mindate=1970/01/01&maxdate=")
                .append(encode(date.format(DATE))));
        apiKey.ifPresent(key -> url.append("&api_key=").append(encode(key)));
        if (!tool.isBlank()) {
            url.append("&tool=").append(encode(tool));
        }
        if (!email.isBlank()) {
            url.append("&email=").append(encode(email));
        }
        return url.toString();
    }

    /** An ESearch JSON body; a body without {@code esearchresult} is malformed (retried). */
    static Page parse(String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonNode result = root == null ? null : root.get("esearchresult");
        if (result == null || !result.isObject()) {
            throw new IllegalStateException("no esearchresult in " + abbreviate(body));
        }
        // a query PubMed cannot parse comes back with an errorlist and no ids: an answer with no hits
        var ids = new ArrayList<String>();
        result.path("idlist").forEach(id -> ids.add(id.asText()));
        return new Page(result.path("count").asInt(0), ids);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    static String abbreviate(String body) {
        return body.length() <= 120 ? body : body.substring(0, 120) + "...";
    }
}
