package dev.deepretrieval.rewriter;

import dev.deepretrieval.policy.Policy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A policy's vocabulary as text, for constrained decoding: each token's text alone, and the fewest tokens that spell
 * a given text (so a constraint can tell whether an answer can still be finished within the tokens left); a
 * character no token spells whole counts its UTF-8 bytes (byte-level vocabularies hold every byte).
 */
final class TokenSpelling {

    /** More tokens than any budget: the text cannot be spelled. */
    static final int UNREACHABLE = Integer.MAX_VALUE / 4;

    private final String[] tokenTexts;
    private final Set<Integer> stopTokenIds;
    private final Set<String> spellable = new HashSet<>();
    private final int longestText;
    private final Map<String, Integer> fewestTokens = new ConcurrentHashMap<>();
    private final Map<Character, int[]> byFirstChar;

    TokenSpelling(Policy policy) {
        this.stopTokenIds = Set.copyOf(policy.stopTokenIds());
        int vocab = policy.config().vocabSize();
        this.tokenTexts = new String[vocab];
        int longest = 1;
        for (int id = 0; id < vocab; id++) {
            if (stopTokenIds.contains(id)) {
                continue;
            }
            String text;
            try {
                text = policy.tokenizer().decode(new int[] {id});
            } catch (RuntimeException e) {
                continue; // an id the tokenizer does not know is never allowed
            }
            if (!text.isEmpty() && text.indexOf('\uFFFD') < 0) {
                spellable.add(text);
                longest = Math.max(longest, text.length());
            }
            tokenTexts[id] = text;
        }
        this.longestText = longest;
        var grouped = new java.util.TreeMap<Character, List<Integer>>();
        for (int id = 0; id < vocab; id++) {
            if (tokenTexts[id] != null && !tokenTexts[id].isEmpty()) {
                grouped.computeIfAbsent(tokenTexts[id].charAt(0), c -> new ArrayList<>()).add(id);
            }
        }
        var index = new java.util.HashMap<Character, int[]>();
        grouped.forEach((c, ids) -> index.put(c, ids.stream().mapToInt(Integer::intValue).toArray()));
        this.byFirstChar = Map.copyOf(index);
    }

    /** The characters some token's text starts with. */
    Set<Character> firstChars() {
        return byFirstChar.keySet();
    }

    /** The tokens whose text starts with {@code c}, ascending. */
    int[] startingWith(char c) {
        return byFirstChar.getOrDefault(c, new int[0]);
    }

    /** The stop tokens, ascending. */
    int[] stopTokens() {
        return stopTokenIds.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    int vocabSize() {
        return tokenTexts.length;
    }

    /** The token's text, or null for a stop token or an id the tokenizer does not know. */
    String text(int token) {
        return token >= 0 && token < tokenTexts.length ? tokenTexts[token] : null;
    }

    boolean isStop(int token) {
        return stopTokenIds.contains(token);
    }

    private static int utf8Bytes(char c) {
        return c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }

    /** The fewest tokens whose texts spell {@code text} exactly (0 for the empty text), or {@link #UNREACHABLE}. */
    int fewestTokens(String text) {
        Integer known = fewestTokens.get(text);
        if (known != null) {
            return known;
        }
        int[] best = new int[text.length() + 1];
        Arrays.fill(best, UNREACHABLE);
        best[text.length()] = 0;
        for (int from = text.length() - 1; from >= 0; from--) {
            for (int length = 1; length <= Math.min(longestText, text.length() - from); length++) {
                if (best[from + length] < UNREACHABLE && spellable.contains(text.substring(from, from + length))) {
                    best[from] = Math.min(best[from], best[from + length] + 1);
                }
            }
            // a character no token spells whole (an "ä" the byte-level vocabulary splits) is spelled by its UTF-8
            // bytes, one token each: a bound, so such text is never taken for unreachable
            if (best[from + 1] < UNREACHABLE) {
                best[from] = Math.min(best[from], best[from + 1] + utf8Bytes(text.charAt(from)));
            }
        }
        fewestTokens.put(text, best[0]);
        return best[0];
    }
}
