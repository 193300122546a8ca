package dev.deepretrieval.runs;

import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.tasks.Settings;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.policy.lm.LmTrainingSettings;
import dev.deepretrieval.policy.model.ModelConfig;
import java.util.List;
import java.util.Optional;

/** Reads the supervised-training and model-shape sections shared by {@code pretrain} and {@code cold-start}. */
public final class LmSettings {

    private LmSettings() {}

    /** A {@code training { ... }} section; {@code epochs} and {@code seed} override it when given. */
    public static LmTrainingSettings read(Settings settings, String section, Integer epochs, long seed) {
        String p = section + ".";
        try {
            return new LmTrainingSettings(settings.positiveInt(p + "batch-size"),
                    epochs != null ? epochs : settings.positiveInt(p + "epochs"),
                    settings.number(p + "learning-rate"), settings.raw().getInt(p + "warmup-steps"),
                    settings.number(p + "min-learning-rate-ratio"), settings.number(p + "weight-decay"),
                    settings.number(p + "max-grad-norm"), settings.positiveInt(p + "eval-every"),
                    settings.positiveInt(p + "checkpoint-every"), seed);
        } catch (IllegalArgumentException e) {
            throw settings.bad(section, e.getMessage());
        }
    }

    /** A Llama of the configured shape (tied embeddings, no biases) over a tokenizer's vocabulary. */
    public static ModelConfig modelConfig(Settings settings, String section, int vocabularySize, int endOfText,
            List<Integer> stopIds) {
        String p = section + ".";
        int hidden = settings.positiveInt(p + "hidden-size");
        int heads = settings.positiveInt(p + "heads");
        try {
            return new ModelConfig(ModelConfig.LLAMA, vocabularySize, hidden, settings.positiveInt(p + "intermediate-size"),
                    settings.positiveInt(p + "layers"), heads, settings.positiveInt(p + "kv-heads"), hidden / heads,
                    1e-5, settings.number(p + "rope-theta"), Optional.empty(), settings.positiveInt(p + "max-positions"),
                    true, false, false, Optional.of(endOfText), stopIds, Optional.of(endOfText));
        } catch (IllegalArgumentException e) {
            throw settings.bad(section, e.getMessage());
        }
    }

    /** {@code tokenizer_config.json}: BOS is end-of-text (documents start after one), and the turn ends generation. */
    public static ObjectNode tokenizerConfig(String endOfText, String endOfTurn, int maxPositions) {
        ObjectNode node = JsonMapping.mapper().createObjectNode();
        node.put("tokenizer_class", "PreTrainedTokenizerFast");
        node.put("add_bos_token", true);
        node.put("bos_token", endOfText);
        node.put("eos_token", endOfTurn);
        node.put("pad_token", endOfText);
        node.put("model_max_length", maxPositions);
        return node;
    }
}
