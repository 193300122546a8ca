package dev.deepretrieval.environments.qa;

import java.util.List;
import java.util.Objects;

/** A question and the answer strings any of which makes a passage answer-bearing. */
public record QaQuestion(String id, String question, List<String> answers) {

    public QaQuestion {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(question, "question");
        answers = List.copyOf(answers);
    }
}
