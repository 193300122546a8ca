package dev.deepretrieval.environments.prompt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.io.JsonMapping;

/**
 * Cold-start targets: the completion that restates the original query, unchanged, in the answer format. They
 * teach only the format; every improvement over the original query is left for RL to discover.
 */
public final class CopyQueryTarget {

    /** The fixed reasoning line of the {@code <think>} variant. */
    public static final String THOUGHT = "I will search with the key terms of the original query.";

    private static final ObjectMapper JSON = JsonMapping.mapper();

    private CopyQueryTarget() {}

    /**
     * The text the model should generate after the template's pre-fill: for a think-then-answer template (which
     * pre-fills {@code <think>}) the thought, {@code </think>} and the answer; for answer-only, the answer alone.
     */
    public static String completion(PromptTemplate template, String query) {
        Scaffold scaffold = scaffold(template);
        return scaffold.before() + escaped(query.strip()) + scaffold.after();
    }

    /**
     * The completion's text around the query: {@code before} ends with the opening quote of the query's JSON string,
     * {@code after} starts with its closing quote. A completion is before + the JSON-escaped query + after.
     */
    public record Scaffold(String before, String after) {}

    /** The scaffold of every {@link #completion} for {@code template}. */
    public static Scaffold scaffold(PromptTemplate template) {
        String answer = "<answer>{\"query\": \"";
        return new Scaffold(template.format() == AnswerFormat.THINK_THEN_ANSWER ? THOUGHT + "\n</think>\n" + answer
                : answer, "\"}</answer>");
    }

    /** The text as written inside a JSON string (quotes, backslashes and control characters escaped). */
    public static String escaped(String text) {
        String quoted = jsonString(text);
        return quoted.substring(1, quoted.length() - 1);
    }

    /** {@code {"query": "..."}} with the query JSON-escaped. */
    static String jsonQuery(String query) {
        return "{\"query\": " + jsonString(query.strip()) + "}";
    }

    private static String jsonString(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a string always serialises", e);
        }
    }
}
