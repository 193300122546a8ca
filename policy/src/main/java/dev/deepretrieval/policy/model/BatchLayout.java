package dev.deepretrieval.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Builds the decoder's inputs for a batch of unequal sequences: token ids, per-sequence positions and the additive
 * attention bias that hides padding and the future.
 */
public final class BatchLayout {

    private BatchLayout() {}

    /** The inputs of one forward call. */
    public record Inputs(NDArray ids, NDArray positions, NDArray attentionBias) {}

    /**
     * Left-padded prompts (generation's prefill): sequence {@code b} is preceded by {@code width - length} pads.
     *
     * @return the inputs, and {@code keyMask[b][j]} is filled with 1 for real tokens (length {@code width})
     */
    public static Inputs leftPadded(NDManager scope, int[][] sequences, int padId, int[][] keyMaskOut) {
        int batch = sequences.length;
        int width = 0;
        for (int[] s : sequences) {
            width = Math.max(width, s.length);
        }
        long[] ids = new long[batch * width];
        long[] positions = new long[batch * width];
        for (int b = 0; b < batch; b++) {
            int pad = width - sequences[b].length;
            keyMaskOut[b] = new int[width];
            for (int j = 0; j < width; j++) {
                boolean real = j >= pad;
                ids[b * width + j] = real ? sequences[b][j - pad] : padId;
                positions[b * width + j] = real ? j - pad : 0;
                keyMaskOut[b][j] = real ? 1 : 0;
            }
        }
        return new Inputs(scope.create(ids, new Shape(batch, width)), scope.create(positions, new Shape(batch, width)),
                causalBias(scope, keyMaskOut, width));
    }

    /**
     * Left-padded prompt suffixes after a cached prefix of {@code prefixLength} tokens every sequence shares: positions
     * go on from the prefix, and each token sees the whole prefix and its own sequence's tokens up to itself. The
     * cache then holds, per sequence, the prefix, {@code width - length} padding positions, and the suffix.
     */
    public static Inputs afterPrefix(NDManager scope, int[][] suffixes, int prefixLength, int padId) {
        int batch = suffixes.length;
        int width = 0;
        for (int[] s : suffixes) {
            width = Math.max(width, s.length);
        }
        int keys = prefixLength + width;
        long[] ids = new long[batch * width];
        long[] positions = new long[batch * width];
        float[] bias = new float[batch * width * keys];
        for (int b = 0; b < batch; b++) {
            int pad = width - suffixes[b].length;
            for (int i = 0; i < width; i++) {
                boolean real = i >= pad;
                ids[b * width + i] = real ? suffixes[b][i - pad] : padId;
                positions[b * width + i] = real ? prefixLength + i - pad : 0;
                for (int j = 0; j < keys; j++) {
                    boolean visible = j < prefixLength || (j - prefixLength >= pad && j - prefixLength <= i);
                    bias[(b * width + i) * keys + j] = visible ? 0f : DecoderLm.MASKED;
                }
            }
        }
        return new Inputs(scope.create(ids, new Shape(batch, width)), scope.create(positions, new Shape(batch, width)),
                scope.create(bias, new Shape(batch, 1, width, keys)));
    }

    /**
     * Right-padded full sequences (scoring): positions count from each sequence's first token.
     */
    public static Inputs rightPadded(NDManager scope, int[][] sequences, int padId) {
        int batch = sequences.length;
        int width = 0;
        for (int[] s : sequences) {
            width = Math.max(width, s.length);
        }
        long[] ids = new long[batch * width];
        long[] positions = new long[batch * width];
        int[][] keyMask = new int[batch][width];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < width; j++) {
                boolean real = j < sequences[b].length;
                ids[b * width + j] = real ? sequences[b][j] : padId;
                positions[b * width + j] = j;
                keyMask[b][j] = real ? 1 : 0;
            }
        }
        return new Inputs(scope.create(ids, new Shape(batch, width)), scope.create(positions, new Shape(batch, width)),
                causalBias(scope, keyMask, width));
    }

    /** One new token per sequence after {@code keyMask.length} cached ones: the bias over cached + new keys. */
    public static NDArray stepBias(NDManager scope, int[][] keyMask) {
        int batch = keyMask.length;
        int keys = keyMask[0].length;
        float[] bias = new float[batch * keys];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < keys; j++) {
                bias[b * keys + j] = keyMask[b][j] == 1 ? 0f : DecoderLm.MASKED;
            }
        }
        return scope.create(bias, new Shape(batch, 1, 1, keys));
    }

    private static NDArray causalBias(NDManager scope, int[][] keyMask, int width) {
        int batch = keyMask.length;
        float[] bias = new float[batch * width * width];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < width; i++) {
                for (int j = 0; j < width; j++) {
                    boolean visible = j <= i && keyMask[b][j] == 1;
                    bias[(b * width + i) * width + j] = visible ? 0f : DecoderLm.MASKED;
                }
            }
        }
        return scope.create(bias, new Shape(batch, 1, width, width));
    }
}
