package dev.deepretrieval.policy.tokenizer;

import java.util.Locale;

/**
 * The two prompt layouts of the paper's prompts, rendered as plain text (the reference code writes them by hand
 * rather than through a chat template).
 */
public enum ChatFormat {
    /** Qwen's ChatML: {@code <|im_start|>role\ncontent<|im_end|>\n}, ending with an open assistant turn. */
    CHATML {
        @Override
        public String render(String system, String user, String assistantPrefill) {
            var out = new StringBuilder();
            if (!system.isEmpty()) {
                out.append("<|im_start|>system\n").append(system).append("<|im_end|>\n");
            }
            out.append("<|im_start|>user\n").append(user).append("<|im_end|>\n");
            out.append("<|im_start|>assistant\n").append(assistantPrefill);
            return out.toString();
        }
    },
    /** Plain text: the system text, then {@code User: …} and {@code Assistant: …} lines. */
    PLAIN {
        @Override
        public String render(String system, String user, String assistantPrefill) {
            var out = new StringBuilder();
            if (!system.isEmpty()) {
                out.append(system).append("\n\n");
            }
            out.append("User: ").append(user).append("\n");
            out.append("Assistant: ").append(assistantPrefill);
            return out.toString();
        }
    };

    /**
     * Renders one exchange ending in an open assistant turn.
     *
     * @param system the system text, or empty for none
     * @param assistantPrefill text the assistant turn starts with (e.g. {@code "Let me think step by step.\n<think>"})
     */
    public abstract String render(String system, String user, String assistantPrefill);

    public static ChatFormat parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "chatml" -> CHATML;
            case "plain" -> PLAIN;
            default -> throw new IllegalArgumentException("unknown chat format '" + text + "' (expected chatml or plain)");
        };
    }
}
