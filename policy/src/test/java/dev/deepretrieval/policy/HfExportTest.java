package dev.deepretrieval.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.deepretrieval.policy.model.BatchLayout;
import dev.deepretrieval.policy.model.DecoderLm;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfExportTest {

    @TempDir
    Path dir;

    @Test
    void exportedFolderLoadsBackToTheSameLogits() throws Exception {
        int[][] input = {{1, 45, 300, 12, 7, 99}};
        try (Policy original = PolicyLoader.load(SharedModels.stories260k(), Optional.empty(), Device.cpu())) {
            Path folder = dir.resolve("exported");
            HfExporter.export(original.weights(), folder, Optional.empty());
            try (Policy reloaded = PolicyLoader.load(folder, Optional.empty(), Device.cpu())) {
                assertEquals(original.config(), reloaded.config());
                assertArrayEquals(logits(original.model(), input), logits(reloaded.model(), input));
            }
            // exporting again over an existing folder replaces it atomically
            HfExporter.export(original.weights(), folder, Optional.empty());
            try (Policy again = PolicyLoader.load(folder, Optional.empty(), Device.cpu())) {
                assertArrayEquals(logits(original.model(), input), logits(again.model(), input));
            }
        }
    }

    private static float[] logits(DecoderLm model, int[][] input) {
        try (NDManager scope = model.weights().manager().newSubManager()) {
            BatchLayout.Inputs inputs = BatchLayout.rightPadded(scope, input, 0);
            return model.logits(scope, model.hidden(scope, inputs.ids(), inputs.positions(), inputs.attentionBias(), null))
                    .toFloatArray();
        }
    }
}
