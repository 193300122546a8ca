package dev.deepretrieval.policy.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/** Per-sequence Java rows laid out as a zero-padded {@code [batch, tokens]} NDArray matching a scored batch. */
final class PaddedRows {

    private PaddedRows() {}

    static NDArray of(NDManager scope, List<float[]> rows, Shape shape) {
        int batch = (int) shape.get(0);
        int width = (int) shape.get(1);
        if (rows.size() != batch) {
            throw new IllegalArgumentException("expected " + batch + " rows, got " + rows.size());
        }
        float[] flat = new float[batch * width];
        for (int b = 0; b < batch; b++) {
            float[] row = rows.get(b);
            System.arraycopy(row, 0, flat, b * width, Math.min(row.length, width));
        }
        return scope.create(flat, shape);
    }
}
