package dev.deepretrieval.rewriter;

import dev.deepretrieval.environments.prompt.CopyQueryTarget;
import java.util.Arrays;
import java.util.List;

/**
 * The language of extractive rewrites (query reduction): the original query's words, some left out, in their order,
 * separated by single spaces, at least one word. Matched character by character against the raw (JSON-escaped) text
 * of the answer's string, so a word holding a quote or a backslash is spelled as the policy writes it.
 */
final class WordSubsequence {

    private final List<String> words;

    /** @param original the original query; its words are its whitespace-separated pieces */
    WordSubsequence(String original) {
        this.words = Arrays.stream(original.strip().split("\\s+")).filter(w -> !w.isEmpty())
                .map(CopyQueryTarget::escaped).toList();
    }

    /** The words as written inside a JSON string. */
    List<String> words() {
        return words;
    }

    State start() {
        return new State(0, "");
    }

    /** Where a rewrite has got to: the first word it may still use, and the part of a word typed so far. */
    final class State {
        private int next;
        private final StringBuilder typed;

        private State(int next, String typed) {
            this.next = next;
            this.typed = new StringBuilder(typed);
        }

        State copy() {
            return new State(next, typed.toString());
        }

        /** Feeds one character of the string's content; false when no rewrite of the language continues so. */
        boolean feed(char c) {
            if (c == ' ') {
                int word = completedWord();
                if (word < 0 || word + 1 == words.size()) {
                    return false;
                }
                next = word + 1;
                typed.setLength(0);
                return true;
            }
            typed.append(c);
            for (int j = next; j < words.size(); j++) {
                if (startsWith(words.get(j), typed)) {
                    return true;
                }
            }
            return false;
        }

        /** Whether the string may end here (a whole word has just been written). */
        boolean canClose() {
            return completedWord() >= 0;
        }

        /** The shortest text that completes a rewrite from here ("" when it may end), or null when none can. */
        String shortestRemainder() {
            if (canClose()) {
                return "";
            }
            String best = null;
            for (int j = next; j < words.size(); j++) {
                String word = words.get(j);
                if (startsWith(word, typed) && (best == null || word.length() - typed.length() < best.length())) {
                    best = word.substring(typed.length());
                }
            }
            return best;
        }

        /** The first word at or after {@code next} that the typed text spells whole, or -1. */
        private int completedWord() {
            if (typed.isEmpty()) {
                return -1;
            }
            for (int j = next; j < words.size(); j++) {
                if (words.get(j).contentEquals(typed)) {
                    return j;
                }
            }
            return -1;
        }
    }

    private static boolean startsWith(String word, CharSequence prefix) {
        if (prefix.length() > word.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (word.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
