package dev.deepretrieval.rewriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The language of extractive rewrites, character by character. */
class WordSubsequenceTest {

    private static boolean accepts(WordSubsequence words, String text) {
        WordSubsequence.State state = words.start();
        for (char c : text.toCharArray()) {
            if (!state.feed(c)) {
                return false;
            }
        }
        return state.canClose();
    }

    @Test
    void acceptsExactlyTheOriginalWordsInOrderWithSomeLeftOut() {
        var words = new WordSubsequence("  the role of  TNF in sepsis ", 99, String::length);
        assertEquals(List.of("the", "role", "of", "TNF", "in", "sepsis"), words.words());
        assertTrue(accepts(words, "the role of TNF in sepsis"));
        assertTrue(accepts(words, "TNF sepsis"));
        assertTrue(accepts(words, "of"));
        assertFalse(accepts(words, ""), "at least one word");
        assertFalse(accepts(words, "sepsis TNF"), "order is kept");
        assertFalse(accepts(words, "TNF TNF"), "a word is used once");
        assertFalse(accepts(words, "TNF  sepsis"), "single spaces");
        assertFalse(accepts(words, " TNF"), "no leading space");
        assertFalse(accepts(words, "TNF "), "no trailing space");
        assertFalse(accepts(words, "TN"), "whole words only");
        assertFalse(accepts(words, "tnf"), "as written");
    }

    @Test
    void withOneSkipEveryChoiceIsTheNextWordOrTheOneAfter() {
        var words = new WordSubsequence("the role of TNF in sepsis", 1, String::length);
        assertTrue(accepts(words, "the role of TNF in sepsis"));
        assertTrue(accepts(words, "role TNF sepsis"));
        assertTrue(accepts(words, "the of TNF in"), "the last word may be left out");
        assertFalse(accepts(words, "the TNF in sepsis"), "two neighbours left out");
        assertFalse(accepts(words, "of TNF in sepsis"), "the first two left out");
        assertFalse(accepts(words, "the role of TNF"), "stopping two words early");
        WordSubsequence.State state = words.start();
        for (char c : "the role".toCharArray()) {
            assertTrue(state.feed(c));
        }
        assertFalse(state.canClose());
        assertEquals(" of in".length(), state.cheapestFinish(), "the shortest way to a place to stop");
        WordSubsequence.State after = state.copy();
        assertTrue(after.feed(' '));
        assertFalse(after.feed('s'), "sepsis is out of reach from role");
        assertThrows(IllegalArgumentException.class, () -> new WordSubsequence("a b", 0, String::length));
    }

    @Test
    void aRepeatedWordMayBeKeptTwiceAndAPrefixWordStaysOpen() {
        var words = new WordSubsequence("in vitro in vivo", 99, String::length);
        assertTrue(accepts(words, "in in"));
        assertTrue(accepts(words, "in vivo"));
        assertFalse(accepts(words, "in in in"));
        var prefixes = new WordSubsequence("cell cells", 99, String::length);
        assertTrue(accepts(prefixes, "cell"));
        assertTrue(accepts(prefixes, "cells"));
        assertTrue(accepts(prefixes, "cell cells"));
    }

    @Test
    void wordsAreMatchedAsWrittenInsideAJsonString() {
        var words = new WordSubsequence("the \"omega\" path\\way", 99, String::length);
        assertEquals(List.of("the", "\\\"omega\\\"", "path\\\\way"), words.words());
        assertTrue(accepts(words, "\\\"omega\\\" path\\\\way"));
        assertFalse(accepts(words, "\"omega\""));
    }

    @Test
    void theShortestRemainderFinishesTheCheapestWord() {
        var words = new WordSubsequence("interleukin 6 induces fever", 99, String::length);
        WordSubsequence.State state = words.start();
        assertEquals(1, state.cheapestFinish(), "6");
        for (char c : "inter".toCharArray()) {
            assertTrue(state.feed(c));
        }
        assertEquals("leukin".length(), state.cheapestFinish());
        for (char c : "leukin fever".toCharArray()) {
            assertTrue(state.feed(c));
        }
        assertEquals(0, state.cheapestFinish());
        assertFalse(state.copy().feed(' '), "no word is left after the last one");
        WordSubsequence.State done = words.start();
        for (char c : "fever".toCharArray()) {
            done.feed(c);
        }
        assertTrue(done.canClose());
        WordSubsequence.State stuck = words.start();
        stuck.feed('x');
        assertTrue(stuck.cheapestFinish() >= Integer.MAX_VALUE / 2);
    }
}
