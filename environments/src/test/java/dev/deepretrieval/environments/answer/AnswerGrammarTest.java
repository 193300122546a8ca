package dev.deepretrieval.environments.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AnswerGrammarTest {

    private final AnswerGrammar think = new AnswerGrammar(AnswerFormat.THINK_THEN_ANSWER, "query");
    private final AnswerParser parser = new AnswerParser(AnswerFormat.THINK_THEN_ANSWER, "query");

    @ParameterizedTest
    @ValueSource(strings = {
        "<think>drop generic words</think>\n<answer>{\"query\": \"vitamin D fractures\"}</answer>",
        "<think>p < 0.05 and a<b</think><answer> {\"query\" : \"a \\\"quoted\\\" \\u00e9 term\"} </answer>",
        "<think></think><answer>{\"query\":\"\"}</answer>\n",
        "<think>t</think><answer>{\"query\": \"p < 0.05 and a<b <answ\"}</answer>",
        "<think>x</think> then <answer>{\"query\": \"q\"}</answer> trailing words"})
    void everyAcceptedCompletionParsesAndEveryPrefixIsLive(String completion) {
        AnswerGrammar.State state = think.start();
        for (int i = 0; i < completion.length(); i++) {
            assertTrue(state.feed(completion.substring(i, i + 1)), "dead at " + i + ": " + completion.substring(0, i + 1));
        }
        assertTrue(state.complete(), completion);
        assertTrue(parser.parse(completion).structureAndJsonValid(), completion);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<think>a</think><answer>{\"query\": 7}</answer>",
        "<think>a</think><answer>{\"q\": \"x\"}</answer>",
        "<think>a <answer> b</think>",
        "<think>a</think><think>",
        "<think>a</think><answer>{\"query\": \"x\"}</answer><answer>",
        "<think>a</think><answer>{\"query\": \"bad \\x escape\"}",
        "<think>a</think><answer>{\"query\": \"raw \n newline\"}",
        "<think>a</think><answer>{\"query\": \"cleavage<answer>",
        "<think>a</think><answer>{\"query\": \"x</answer>"})
    void textThatCannotBecomeAValidAnswerIsDead(String completion) {
        assertFalse(think.start().feed(completion), completion);
    }

    @Test
    void theShortestCompletionFinishesAValidAnswerFromAnyLiveState() {
        String[] prefixes = {"<think>", "<think>why</thi", "<think>w</think>\n<ans", "<think>w</think><answer>{\"qu",
            "<think>w</think><answer>{\"query\": \"vit", "<think>w</think><answer>{\"query\": \"a\\", 
            "<think>w</think><answer>{\"query\": \"a\\u0", "<think>w</think><answer>{\"query\": \"a\"}  </ans"};
        for (String prefix : prefixes) {
            AnswerGrammar.State state = think.start();
            assertTrue(state.feed(prefix), prefix);
            String rest = state.shortestCompletion();
            assertTrue(state.feed(rest) && state.complete(), prefix + " + " + rest);
            assertTrue(parser.parse(prefix + rest).structureAndJsonValid(), prefix + rest);
        }
        AnswerGrammar.State start = think.start();
        assertEquals("<think></think><answer>{\"query\"::\"\"}</answer>".replace("::", ":"), start.shortestCompletion());
        AnswerGrammar.State partial = think.start();
        partial.feed("<think>why</thi");
        assertEquals("nk><answer>{\"query\":\"\"}</answer>", partial.shortestCompletion());
    }

    @Test
    void theAnswerOnlyVariantAndTheSqlKey() {
        var sql = new AnswerGrammar(AnswerFormat.ANSWER_ONLY, "sql");
        AnswerGrammar.State state = sql.start();
        assertTrue(state.feed("<answer>{\"sql\": \"SELECT name FROM singer\"}</answer>"));
        assertTrue(state.complete());
        assertFalse(sql.start().feed("<answer>{\"query\": \"x\"}"));
    }
}
