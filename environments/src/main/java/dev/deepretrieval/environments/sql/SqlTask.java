package dev.deepretrieval.environments.sql;

import java.util.Objects;

/**
 * One text-to-SQL question.
 *
 * @param id a stable id ({@code <db_id>-<index in the question file>})
 * @param databaseId the Spider database it is asked of
 * @param question the natural-language question
 * @param goldSql the reference SQL (MySQL dialect), whose result the prediction must match
 */
public record SqlTask(String id, String databaseId, String question, String goldSql) {

    public SqlTask {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(databaseId, "databaseId");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(goldSql, "goldSql");
    }

    /** Whether the gold query fixes the row order (then the order-sensitive comparison applies, when enabled). */
    public boolean goldIsOrdered() {
        return goldSql.toUpperCase(java.util.Locale.ROOT).matches("(?s).*\\bORDER\\s+BY\\b.*");
    }
}
