package dev.deepretrieval.policy.lm;

import java.util.ArrayList;
import java.util.List;

/**
 * Causal-LM pretraining data: tokenised documents joined by a separator token into one stream and cut into
 * fixed-length chunks, as GPT-style pretraining does (no padding is wasted; a chunk may span documents).
 */
public final class PackedSequences {

    private PackedSequences() {}

    /**
     * @param documents token ids per document, in order
     * @param separator the id placed after every document (end of text)
     * @param length tokens per chunk (the first is context, the rest targets); a shorter tail is dropped
     */
    public static List<SupervisedExample> pack(List<int[]> documents, int separator, int length) {
        if (length < 2) {
            throw new IllegalArgumentException("chunks need at least 2 tokens, got " + length);
        }
        var chunks = new ArrayList<SupervisedExample>();
        int[] buffer = new int[length];
        int filled = 0;
        for (int[] document : documents) {
            for (int i = 0; i <= document.length; i++) {
                buffer[filled++] = i < document.length ? document[i] : separator;
                if (filled == length) {
                    int[] target = new int[length - 1];
                    System.arraycopy(buffer, 1, target, 0, length - 1);
                    chunks.add(new SupervisedExample(new int[] {buffer[0]}, target));
                    filled = 0;
                }
            }
        }
        return chunks;
    }

    /** Total target tokens (the tokens a pass over the examples learns from). */
    public static long targetTokens(List<SupervisedExample> examples) {
        long total = 0;
        for (SupervisedExample example : examples) {
            total += example.target().length;
        }
        return total;
    }
}
