package dev.deepretrieval.environments.prompt;

import dev.deepretrieval.environments.answer.AnswerFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A task's prompt: the paper's pre-rendered text with one {@code {query}} slot (and others such as {@code {schema}}),
 * ending in the assistant's pre-filled opening ({@code Assistant: Let me think step by step. \n<think>\n}, or after
 * ChatML's {@code <|im_start|>assistant\n}).
 *
 * @param name the task name (scifact, nfcorpus, squad, ...)
 * @param text the template with one {@code {query}} slot
 * @param format the answer format the template asks for
 * @param answerKey the JSON key of the answer: {@code query}, or {@code sql} for text-to-SQL
 */
public record PromptTemplate(String name, String text, AnswerFormat format, String answerKey) {

    static final String SLOT = "{query}";
    private static final List<String> ASSISTANT_MARKERS = List.of("Assistant:", "<|im_start|>assistant\n");

    /** Tasks with a bundled template. */
    public static final List<String> BUNDLED = List.of("scifact", "nfcorpus", "squad", "nq", "triviaqa", "spider",
            "pubmed", "ctgov", "copy");

    public PromptTemplate {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(answerKey, "answerKey");
        if (text.indexOf(SLOT) < 0 || text.indexOf(SLOT) != text.lastIndexOf(SLOT)) {
            throw new IllegalArgumentException("template " + name + " must contain " + SLOT + " exactly once");
        }
        if (ASSISTANT_MARKERS.stream().noneMatch(text::contains)) {
            throw new IllegalArgumentException("template " + name + " must end in an assistant turn ('Assistant:' or"
                    + " '<|im_start|>assistant')");
        }
    }

    /** A retrieval template (answer key {@code query}). */
    public PromptTemplate(String name, String text, AnswerFormat format) {
        this(name, text, format, "query");
    }

    private static final Map<String, PromptTemplate> LOADED = new java.util.concurrent.ConcurrentHashMap<>();

    /** The bundled template of a task (read once); unknown names fail listing the known ones. */
    public static PromptTemplate bundled(String task) {
        if (!BUNDLED.contains(task)) {
            throw new IllegalArgumentException("no prompt template for task '" + task + "' (known: "
                    + String.join(", ", BUNDLED) + ")");
        }
        return LOADED.computeIfAbsent(task, PromptTemplate::read);
    }

    private static PromptTemplate read(String task) {
        try (InputStream in = PromptTemplate.class.getResourceAsStream(task + ".txt")) {
            if (in == null) {
                throw new IllegalStateException("bundled template " + task + ".txt is missing from the classpath");
            }
            return new PromptTemplate(task, new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    task.equals("copy") ? AnswerFormat.ANSWER_ONLY : AnswerFormat.THINK_THEN_ANSWER,
                    task.equals("spider") ? "sql" : "query");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The prompt for one original query. */
    public String render(String query) {
        return render(query, Map.of());
    }

    /** The prompt for one query, with further slots filled ({@code "schema"} fills {@code {schema}}). */
    public String render(String query, Map<String, String> slots) {
        String filled = text;
        for (var slot : slots.entrySet()) {
            filled = filled.replace("{" + slot.getKey() + "}", slot.getValue());
        }
        return filled.replace(SLOT, query.strip());
    }

    /**
     * What the template pre-fills for the assistant (the text after the last {@code Assistant:}, such as
     * {@code Let me think step by step. \n<think>\n}): the reward sees it in front of the generated text.
     */
    public String assistantPrefill() {
        int end = -1;
        for (String marker : ASSISTANT_MARKERS) {
            int at = text.lastIndexOf(marker);
            if (at >= 0) {
                end = Math.max(end, at + marker.length());
            }
        }
        return text.substring(end).stripLeading();
    }
}
