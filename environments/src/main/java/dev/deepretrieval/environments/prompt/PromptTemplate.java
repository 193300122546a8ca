package dev.deepretrieval.environments.prompt;

import dev.deepretrieval.environments.answer.AnswerFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A task's prompt: the paper's pre-rendered text with one {@code {query}} slot, ending in the assistant's pre-filled
 * opening ({@code Assistant: Let me think step by step. \n<think>\n}).
 *
 * @param name the task name (scifact, nfcorpus, squad, ...)
 * @param text the template with one {@code {query}} slot
 * @param format the answer format the template asks for
 */
public record PromptTemplate(String name, String text, AnswerFormat format) {

    static final String SLOT = "{query}";
    private static final String ASSISTANT = "Assistant:";

    /** Tasks with a bundled template. */
    public static final List<String> BUNDLED = List.of("scifact", "nfcorpus", "squad", "nq", "triviaqa");

    public PromptTemplate {
        Objects.requireNonNull(name, "name");
        if (text.indexOf(SLOT) < 0 || text.indexOf(SLOT) != text.lastIndexOf(SLOT)) {
            throw new IllegalArgumentException("template " + name + " must contain " + SLOT + " exactly once");
        }
        if (!text.contains(ASSISTANT)) {
            throw new IllegalArgumentException("template " + name + " must end in an '" + ASSISTANT + "' turn");
        }
    }

    /** The bundled template of a task; unknown names fail listing the known ones. */
    public static PromptTemplate bundled(String task) {
        if (!BUNDLED.contains(task)) {
            throw new IllegalArgumentException("no prompt template for task '" + task + "' (known: "
                    + String.join(", ", BUNDLED) + ")");
        }
        try (InputStream in = PromptTemplate.class.getResourceAsStream(task + ".txt")) {
            if (in == null) {
                throw new IllegalStateException("bundled template " + task + ".txt is missing from the classpath");
            }
            return new PromptTemplate(task, new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    AnswerFormat.THINK_THEN_ANSWER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The prompt for one original query. */
    public String render(String query) {
        return text.replace(SLOT, query.strip());
    }

    /**
     * What the template pre-fills for the assistant (the text after the last {@code Assistant:}, such as
     * {@code Let me think step by step. \n<think>\n}): the reward sees it in front of the generated text.
     */
    public String assistantPrefill() {
        return text.substring(text.lastIndexOf(ASSISTANT) + ASSISTANT.length()).stripLeading();
    }
}
