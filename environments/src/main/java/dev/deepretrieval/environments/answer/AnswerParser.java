package dev.deepretrieval.environments.answer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses completions as the DeepRetrieval reference code does.
 *
 * <ul>
 *   <li>Structure ({@link AnswerFormat}): each required tag occurs exactly once and their first occurrences are in
 *       order.
 *   <li>Answer: the last {@code <answer>(.*?)</answer>} match (across lines), stripped.
 *   <li>JSON: the answer must be exactly one JSON value (trailing text is an error, as in Python's
 *       {@code json.loads}); the required key must be present, and its value a string to be usable.
 * </ul>
 */
public final class AnswerParser {

    private static final Pattern ANSWER = Pattern.compile("<answer>(.*?)</answer>", Pattern.DOTALL);
    // its own mapper, unlike the rest of the project (JsonMapping): model output is untrusted, so its parser gets a
    // nesting limit that no other JSON needs
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private final AnswerFormat format;
    private final String key;

    /**
     * @param format the tag structure to require
     * @param key the JSON key carrying the answer: {@code "query"} for retrieval, {@code "sql"} for SQL
     */
    public AnswerParser(AnswerFormat format, String key) {
        this.format = Objects.requireNonNull(format, "format");
        this.key = Objects.requireNonNull(key, "key");
    }

    public ParsedAnswer parse(String completion) {
        String text = completion == null ? "" : completion;
        boolean structure = switch (format) {
            case THINK_THEN_ANSWER -> inOrderOnce(text, "<think>", "</think>", "<answer>", "</answer>");
            case ANSWER_ONLY -> inOrderOnce(text, "<answer>", "</answer>");
        };
        Optional<String> answer = lastAnswer(text);
        JsonField field = answer.map(this::field).orElse(JsonField.of(JsonField.Status.NO_ANSWER));
        return new ParsedAnswer(structure, answer, field);
    }

    /** Each tag occurs exactly once and the first occurrences are in the given order. */
    static boolean inOrderOnce(String text, String... tags) {
        int previous = -1;
        for (String tag : tags) {
            int first = text.indexOf(tag);
            if (first < 0 || text.indexOf(tag, first + 1) >= 0 || first < previous) {
                return false;
            }
            previous = first;
        }
        return true;
    }

    static Optional<String> lastAnswer(String text) {
        Matcher matcher = ANSWER.matcher(text);
        String last = null;
        while (matcher.find()) {
            last = matcher.group(1);
        }
        return Optional.ofNullable(last).map(String::strip);
    }

    private JsonField field(String answer) {
        JsonNode node;
        try {
            node = MAPPER.readTree(answer);
        } catch (JsonProcessingException | RuntimeException e) {
            return JsonField.of(JsonField.Status.INVALID_JSON);
        }
        if (node == null || node.isMissingNode()) {
            return JsonField.of(JsonField.Status.INVALID_JSON);
        }
        if (!node.isObject() || !node.has(key)) {
            return JsonField.of(JsonField.Status.MISSING_KEY);
        }
        JsonNode value = node.get(key);
        return value.isTextual() ? JsonField.present(value.asText()) : JsonField.of(JsonField.Status.NOT_A_STRING);
    }
}
