package dev.deepretrieval.environments.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.answer.AnswerParser;
import dev.deepretrieval.environments.answer.ParsedAnswer;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PromptTemplateTest {

    @Test
    void scifactPromptIsThePapersTextAroundTheClaim() {
        PromptTemplate template = PromptTemplate.bundled("scifact");
        String prompt = template.render("  0-dimensional biomaterials show inductive properties. ");
        assertTrue(prompt.startsWith("<|im_start|>system\nYou are a helpful assistant. You first thinks about the"
                + " reasoning process in the mind and then provides the user with the answer.<|im_end|>\n"
                + "<|im_start|>user\n\nYou are a query generating expert. Given a scientific claim,"), prompt);
        assertTrue(prompt.endsWith("Here's the scientific claim:\n0-dimensional biomaterials show inductive properties."
                + "\nAssistant: Let me think step by step. \n<think>\n"), prompt);
        assertEquals("Let me think step by step. \n<think>\n", template.assistantPrefill());
    }

    @Test
    void everyBundledTemplateLoadsWithOneSlot() {
        for (String task : PromptTemplate.BUNDLED) {
            PromptTemplate template = PromptTemplate.bundled(task);
            assertEquals(1, template.render("QQQ").split("QQQ", -1).length - 1, task);
            assertTrue(template.assistantPrefill().endsWith(task.equals("copy") ? "" : "<think>\n"), task);
        }
        assertEquals("", PromptTemplate.bundled("copy").assistantPrefill());
        assertEquals(AnswerFormat.ANSWER_ONLY, PromptTemplate.bundled("copy").format());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> PromptTemplate.bundled("fiqa"));
        assertEquals("no prompt template for task 'fiqa' (known: scifact, nfcorpus, squad, nq, triviaqa, spider, pubmed, ctgov, copy)",
                unknown.getMessage());
    }

    @Test
    void coldStartTargetParsesBackToTheSameQuery() {
        PromptTemplate template = PromptTemplate.bundled("scifact");
        String query = "ALDH1 \"expression\" is associated with\\ poor prognosis";
        String completion = template.assistantPrefill() + CopyQueryTarget.completion(template, query);
        ParsedAnswer parsed = new AnswerParser(AnswerFormat.THINK_THEN_ANSWER, "query").parse(completion);
        assertTrue(parsed.structureAndJsonValid(), completion);
        assertEquals(Optional.of(query), parsed.value());
        assertEquals("I will search with the key terms of the original query.\n</think>\n<answer>{\"query\": "
                + "\"ALDH1 \\\"expression\\\" is associated with\\\\ poor prognosis\"}</answer>",
                CopyQueryTarget.completion(template, query));
    }

    @Test
    void answerOnlyTemplatesGetTheAnswerAlone() {
        PromptTemplate answerOnly = new PromptTemplate("plain", "Query: {query}\nAssistant: ", AnswerFormat.ANSWER_ONLY);
        assertEquals("<answer>{\"query\": \"a b\"}</answer>", CopyQueryTarget.completion(answerOnly, " a b "));
        assertThrows(IllegalArgumentException.class, () -> new PromptTemplate("x", "no slot Assistant:", AnswerFormat.ANSWER_ONLY));
    }
}
