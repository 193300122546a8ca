package dev.deepretrieval.environments.search;

import dev.deepretrieval.environments.sql.R2dbcDatabase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Search results kept across restarts: (engine, normalised query, date limit, depth) → ids, in table
 * {@code dr_search_cache} of an R2DBC database (an H2 file by default). The query is keyed by its SHA-256 and stored
 * in full beside it.
 */
public final class SearchResultStore implements AutoCloseable {

    private final R2dbcDatabase database;

    public SearchResultStore(R2dbcDatabase database) {
        this.database = database;
        database.executeAll(List.of("CREATE TABLE IF NOT EXISTS dr_search_cache (engine VARCHAR(64) NOT NULL,"
                + " query_sha256 CHAR(64) NOT NULL, date_limit VARCHAR(10) NOT NULL, depth INT NOT NULL,"
                + " query_text " + database.textType() + " NOT NULL, ids " + database.textType() + " NOT NULL,"
                + " fetched VARCHAR(40) NOT NULL, PRIMARY KEY (engine, query_sha256, date_limit, depth))"));
    }

    /** The stored ids of a search, if it was stored. */
    public Optional<List<String>> find(String engine, SearchRequest request) {
        List<String> rows = database.query("SELECT ids FROM dr_search_cache WHERE engine = " + database.mark(0)
                + " AND query_sha256 = " + database.mark(1) + " AND date_limit = " + database.mark(2) + " AND depth = "
                + database.mark(3), row -> row.get(0, String.class), engine, sha256(request.normalisedQuery()),
                dateLimit(request), request.depth());
        return rows.stream().findFirst().map(ids -> ids.isEmpty() ? List.<String>of() : Arrays.asList(ids.split(",")));
    }

    /** Stores (or replaces) the ids of a search. */
    public void save(String engine, SearchRequest request, List<String> ids) {
        String key = sha256(request.normalisedQuery());
        String date = dateLimit(request);
        database.inTransaction(c -> database.execute(c, "DELETE FROM dr_search_cache WHERE engine = " + database.mark(0)
                        + " AND query_sha256 = " + database.mark(1) + " AND date_limit = " + database.mark(2)
                        + " AND depth = " + database.mark(3), engine, key, date, request.depth())
                .then(database.execute(c, "INSERT INTO dr_search_cache (engine, query_sha256, date_limit, depth,"
                                + " query_text, ids, fetched) VALUES (" + database.marks(7) + ")", engine, key, date,
                        request.depth(), request.normalisedQuery(), String.join(",", ids), Instant.now().toString())));
    }

    private static String dateLimit(SearchRequest request) {
        return request.maxDate().map(Object::toString).orElse("none");
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        database.close();
    }
}
