package dev.deepretrieval.environments.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnswerParserTest {

    private final AnswerParser thinking = new AnswerParser(AnswerFormat.THINK_THEN_ANSWER, "query");
    private final AnswerParser direct = new AnswerParser(AnswerFormat.ANSWER_ONLY, "query");

    @Test
    void wellFormedCompletionYieldsTheQuery() {
        ParsedAnswer parsed = thinking.parse("<think>\nexpand the claim\n</think>\n<answer>\n{\n  \"query\": \"vitamin D AND fracture\"\n}\n</answer>");
        assertTrue(parsed.structureValid());
        assertTrue(parsed.structureAndJsonValid());
        assertEquals(Optional.of("vitamin D AND fracture"), parsed.value());
        assertEquals(JsonField.Status.PRESENT, parsed.field().status());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        // missing the think block
        "<answer>{\"query\": \"x\"}</answer>",
        // a second <think> (the prompt already opened one)
        "<think><think>a</think><answer>{\"query\": \"x\"}</answer>",
        // two answers
        "<think>a</think><answer>{\"query\": \"x\"}</answer><answer>{\"query\": \"y\"}</answer>",
        // answer before think closes
        "<think>a<answer>{\"query\": \"x\"}</answer></think>",
        // think after answer
        "<answer>{\"query\": \"x\"}</answer><think>a</think>",
        // unclosed answer
        "<think>a</think><answer>{\"query\": \"x\"}",
        // empty completion
        "''"})
    void structureFailuresAreDetected(String completion) {
        assertFalse(thinking.parse(completion).structureValid());
        assertFalse(thinking.parse(completion).structureAndJsonValid());
    }

    @Test
    void answerOnlyFormatIgnoresThinkTags() {
        assertTrue(direct.parse("<answer>{\"query\": \"x\"}</answer>").structureAndJsonValid());
        assertTrue(direct.parse("<think>a</think><answer>{\"query\": \"x\"}</answer>").structureValid());
        assertFalse(direct.parse("<answer>{\"query\": \"x\"}</answer></answer>").structureValid());
    }

    @Test
    void theLastAnswerBlockIsTakenAndStripped() {
        assertEquals(Optional.of("{\"query\": \"b\"}"),
                AnswerParser.lastAnswer("<answer>{\"query\": \"a\"}</answer> text <answer>\n {\"query\": \"b\"} \n</answer>"));
        assertEquals(Optional.empty(), AnswerParser.lastAnswer("<answer>never closed"));
    }

    @Test
    void jsonProblemsAreClassified() {
        assertEquals(JsonField.Status.INVALID_JSON, field("not json"));
        assertEquals(JsonField.Status.INVALID_JSON, field("{\"query\": \"x\",}"));
        assertEquals(JsonField.Status.INVALID_JSON, field("{\"query\": \"x\"} trailing"));
        assertEquals(JsonField.Status.INVALID_JSON, field(""));
        assertEquals(JsonField.Status.INVALID_JSON, field("{'query': 'x'}"));
        assertEquals(JsonField.Status.MISSING_KEY, field("{\"sql\": \"SELECT 1\"}"));
        assertEquals(JsonField.Status.MISSING_KEY, field("[\"query\"]"));
        assertEquals(JsonField.Status.NOT_A_STRING, field("{\"query\": [\"a\", \"b\"]}"));
        assertEquals(JsonField.Status.NOT_A_STRING, field("{\"query\": null}"));
        assertEquals(JsonField.Status.PRESENT, field("{\"query\": \"\"}"));
        assertEquals(JsonField.Status.INVALID_JSON, field("[".repeat(10_000)));
    }

    @Test
    void keyPresentWithAWrongTypePassesTheFormatCheckButHasNoValue() {
        ParsedAnswer parsed = thinking.parse("<think>a</think><answer>{\"query\": 42}</answer>");
        assertTrue(parsed.structureAndJsonValid());
        assertEquals(Optional.empty(), parsed.value());
    }

    @Test
    void sqlKeyIsReadForSqlTasks() {
        var sql = new AnswerParser(AnswerFormat.THINK_THEN_ANSWER, "sql");
        assertEquals(Optional.of("SELECT count(*) FROM singer"),
                sql.parse("<think>count</think><answer>{\"sql\": \"SELECT count(*) FROM singer\"}</answer>").value());
    }

    @Test
    void nullCompletionIsAFormatFailure() {
        assertFalse(thinking.parse(null).structureValid());
    }

    private JsonField.Status field(String answer) {
        return thinking.parse("<think>t</think><answer>" + answer + "</answer>").field().status();
    }
}
