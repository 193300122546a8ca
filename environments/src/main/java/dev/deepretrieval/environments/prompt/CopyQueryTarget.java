package dev.deepretrieval.environments.prompt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deepretrieval.environments.answer.AnswerFormat;

/**
 * Cold-start targets: the completion that restates the original query, unchanged, in the answer format. They
 * teach only the format; every improvement over the original query is left for RL to discover.
 */
public final class CopyQueryTarget {

    /** The fixed reasoning line of the {@code <think>} variant. */
    public static final String THOUGHT = "I will search with the key terms of the original query.";

    private static final ObjectMapper JSON = new ObjectMapper();

    private CopyQueryTarget() {}

    /**
     * The text the model should generate after the template's pre-fill: for a think-then-answer template (which
     * pre-fills {@code <think>}) the thought, {@code </think>} and the answer; for answer-only, the answer alone.
     */
    public static String completion(PromptTemplate template, String query) {
        String answer = "<answer>" + jsonQuery(query) + "</answer>";
        return template.format() == AnswerFormat.THINK_THEN_ANSWER ? THOUGHT + "\n</think>\n" + answer : answer;
    }

    /** {@code {"query": "..."}} with the query JSON-escaped. */
    static String jsonQuery(String query) {
        try {
            return "{\"query\": " + JSON.writeValueAsString(query.strip()) + "}";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a string always serialises", e);
        }
    }
}
