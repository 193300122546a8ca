package dev.deepretrieval.rewriter;

import dev.deepretrieval.environments.prompt.CopyQueryTarget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The language of extractive rewrites (query reduction): the original query's words, some left out, in their order,
 * separated by single spaces, at least one word, with at most {@code maxSkip} neighbouring words left out in a row
 * (the end included: a rewrite may stop only that close to the last word). Matched character by character against
 * the raw (JSON-escaped) text of the answer's string, so a word holding a quote or a backslash is spelled as the
 * policy writes it.
 *
 * <p>With {@code maxSkip} 1 every decision is binary: at each word the policy writes it or the one after it, so
 * leaving a word out is one token choice against the copy, and stopping early is no choice at all.
 */
final class WordSubsequence {

    private final List<String> words;
    private final int maxSkip;
    private final ToIntFunction<String> cost;
    private int[] cheapestTails; // per word j: the least cost of the words after it up to a place to stop

    /**
     * @param original the original query; its words are its whitespace-separated pieces
     * @param maxSkip the most neighbouring words left out in a row (at least 1)
     * @param cost what writing a text costs (the constraint: its fewest tokens), for {@link State#cheapestFinish()}
     */
    WordSubsequence(String original, int maxSkip, ToIntFunction<String> cost) {
        if (maxSkip < 1) {
            throw new IllegalArgumentException("maxSkip must be >= 1, got " + maxSkip);
        }
        this.words = Arrays.stream(original.strip().split("\\s+")).filter(w -> !w.isEmpty())
                .map(CopyQueryTarget::escaped).toList();
        this.maxSkip = maxSkip;
        this.cost = cost;
    }

    /** Per word j, the least cost of the words after it up to a place to stop, each word with its leading space. */
    private int[] cheapestTails() {
        if (cheapestTails == null) {
            int n = words.size();
            int[] tails = new int[n];
            for (int j = n - 1; j >= 0; j--) {
                if (n - 1 - j <= maxSkip) {
                    continue;
                }
                int best = Integer.MAX_VALUE;
                for (int k = j + 1; k <= Math.min(n - 1, j + 1 + maxSkip); k++) {
                    best = Math.min(best, saturated(cost.applyAsInt(" " + words.get(k)), tails[k]));
                }
                tails[j] = best;
            }
            cheapestTails = tails;
        }
        return cheapestTails;
    }

    private static int saturated(int a, int b) {
        long sum = (long) a + b;
        return sum > Integer.MAX_VALUE / 2 ? Integer.MAX_VALUE / 2 : (int) sum;
    }

    /**
     * Full rewrites that continue {@code written}, the text that brought {@code state} where it is: per choice open
     * there (finish the word being written, stop, or go on with one of the next words), one rewrite that makes the
     * choice and then keeps every word left.
     */
    List<String> completions(State state, String written) {
        var out = new ArrayList<String>();
        String typed = state.typed.toString();
        for (int j = state.next; j <= state.last(); j++) {
            String word = words.get(j);
            if (typed.isEmpty()) {
                out.add(written + word + keptAfter(j));
            } else if (word.equals(typed)) {
                if (words.size() - 1 - j <= maxSkip) {
                    out.add(written);
                }
                for (int k = j + 1; k <= Math.min(words.size() - 1, j + 1 + maxSkip); k++) {
                    out.add(written + " " + words.get(k) + keptAfter(k));
                }
            } else if (startsWith(word, typed)) {
                out.add(written + word.substring(typed.length()) + keptAfter(j));
            }
        }
        return out;
    }

    /** Every word after word j, each with its space. */
    private String keptAfter(int j) {
        var text = new StringBuilder();
        for (int k = j + 1; k < words.size(); k++) {
            text.append(' ').append(words.get(k));
        }
        return text.toString();
    }

    /** The words as written inside a JSON string. */
    List<String> words() {
        return words;
    }

    State start() {
        return new State(0, "");
    }

    /** Where a rewrite has got to: the first word it may use next, and the part of a word typed so far. */
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
            for (int j = next; j <= last(); j++) {
                if (startsWith(words.get(j), typed)) {
                    return true;
                }
            }
            return false;
        }

        /** Whether the string may end here (a whole word has just been written, close enough to the last word). */
        boolean canClose() {
            int word = completedWord();
            return word >= 0 && words.size() - 1 - word <= maxSkip;
        }

        /**
         * The least cost of finishing a rewrite from here (0 when it may end; at least Integer.MAX_VALUE / 2 when
         * none can): the rest of the current word, then further words, each costing the language's cost of its text.
         */
        int cheapestFinish() {
            if (canClose()) {
                return 0;
            }
            int[] tails = cheapestTails();
            int best = Integer.MAX_VALUE / 2;
            for (int j = next; j <= last(); j++) {
                String word = words.get(j);
                if (startsWith(word, typed)) {
                    best = Math.min(best, saturated(cost.applyAsInt(word.substring(typed.length())), tails[j]));
                }
            }
            return best;
        }

        /** The last word the current one may be. */
        private int last() {
            return Math.min(words.size() - 1, next + maxSkip);
        }

        /** The first word of the current window that the typed text spells whole, or -1. */
        private int completedWord() {
            if (typed.isEmpty()) {
                return -1;
            }
            for (int j = next; j <= last(); j++) {
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
