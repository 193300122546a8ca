package dev.deepretrieval.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import java.util.OptionalLong;

/**
 * A validated {@code POST /v1/rewrite} body: {@code {"query": …, "task"?: …, "temperature"?: …, "max_tokens"?: …,
 * "seed"?: …, "guided"?: …}}. Temperature 0 (the default) is greedy decoding; {@code guided} constrains decoding to
 * the task's answer format (a well-formed answer every time).
 */
public record RewriteRequest(String query, String task, double temperature, int maxTokens, OptionalLong seed,
        boolean guided) {

    /** Reads and checks a body; every problem is an {@link InvalidRequest} naming its field. */
    public static RewriteRequest parse(JsonNode body, ServeSettings settings) {
        RequestFields fields = new RequestFields(body);
        String query = fields.requiredText("query");
        if (query.isBlank()) {
            throw new InvalidRequest("query", "must not be blank");
        }
        if (query.length() > settings.maxQueryChars()) {
            throw new InvalidRequest("query", "longer than " + settings.maxQueryChars() + " characters");
        }
        String task = fields.optionalText("task").orElse(settings.defaultTask());
        if (!PromptTemplate.BUNDLED.contains(task)) {
            throw new InvalidRequest("task", "unknown task '" + task + "' (one of " + String.join(", ", PromptTemplate.BUNDLED)
                    + ")");
        }
        double temperature = fields.number("temperature", 0, 0, 2);
        int maxTokens = fields.integer("max_tokens", settings.defaultMaxTokens(), 1, settings.maxTokensLimit());
        return new RewriteRequest(query, task, temperature, maxTokens, fields.optionalLong("seed"),
                fields.flag("guided", false));
    }
}
