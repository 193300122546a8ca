package dev.deepretrieval.environments.retrieval;

import java.util.Locale;

/**
 * What the retriever runs for a rewrite.
 *
 * <ul>
 *   <li>replace: the rewrite alone, as the paper retrieves.
 *   <li>expand: the original query and the rewrite together, the rewrite counted {@code rewriteWeight} times, as
 *       query expansion does in production systems and in Query2doc. With a bag-of-words BM25 query every term's
 *       weight is its count, so a rewrite that copies the query ranks exactly like the original query (every weight
 *       scaled by 1 + w), and each edit is a measured gain or loss against it: a term left out of the copy keeps
 *       1 / (1 + w) of the others' weight, a repeated term gains, a new term adds evidence.
 * </ul>
 *
 * @param expand whether the original query is retrieved too
 * @param rewriteWeight how many times the rewrite is counted in expand mode (1 in replace mode)
 */
public record RewriteMode(boolean expand, int rewriteWeight) {

    /** The paper's mode. */
    public static final RewriteMode REPLACE = new RewriteMode(false, 1);

    public RewriteMode {
        if (rewriteWeight < 1 || rewriteWeight > 16) {
            throw new IllegalArgumentException("rewrite weight must be in [1, 16], got " + rewriteWeight);
        }
        if (!expand && rewriteWeight != 1) {
            throw new IllegalArgumentException("a rewrite weight applies to expand mode only");
        }
    }

    /** Expand mode with the rewrite counted {@code rewriteWeight} times. */
    public static RewriteMode expand(int rewriteWeight) {
        return new RewriteMode(true, rewriteWeight);
    }

    /** The text retrieved for {@code rewrite} of {@code original}. */
    public String retrievalQuery(String original, String rewrite) {
        if (!expand) {
            return rewrite;
        }
        var text = new StringBuilder(original);
        for (int i = 0; i < rewriteWeight; i++) {
            text.append(' ').append(rewrite);
        }
        return text.toString();
    }

    /**
     * The text retrieved when the answer gave no usable query: nothing in replace mode (the paper: a failed answer
     * retrieves nothing), the original query in expand mode.
     */
    public String withoutRewrite(String original) {
        return expand ? original : "";
    }

    /** {@code replace} or {@code expand}, the weight applying to expand. */
    public static RewriteMode parse(String text, int rewriteWeight) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "replace" -> REPLACE;
            case "expand" -> expand(rewriteWeight);
            default -> throw new IllegalArgumentException("unknown rewrite mode '" + text + "' (expected replace or expand)");
        };
    }

    @Override
    public String toString() {
        return expand ? "expand" + (rewriteWeight > 1 ? " x" + rewriteWeight : "") : "replace";
    }
}
