package dev.deepretrieval.policy.weights;

import java.io.Closeable;
import java.nio.FloatBuffer;
import java.util.Set;

/** Named float tensors, under Hugging Face names (e.g. {@code model.layers.0.self_attn.q_proj.weight}). */
public interface TensorSource extends Closeable {

    /** Every tensor name available. */
    Set<String> names();

    /** The shape of a tensor; fails naming the tensor when it is absent. */
    long[] shape(String name);

    /** The tensor's values as float32 in row-major order, widened from F16/BF16 when needed. */
    FloatBuffer floats(String name);

    @Override
    default void close() {}
}
