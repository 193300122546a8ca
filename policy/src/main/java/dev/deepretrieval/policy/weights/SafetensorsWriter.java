package dev.deepretrieval.policy.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.io.JsonMapping;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes float32 tensors as one {@code .safetensors} file (header padded to 8 bytes), fsynced before returning. */
public final class SafetensorsWriter {

    /** One tensor to write: row-major float32 values and their shape. */
    public record Tensor(long[] shape, float[] values) {}

    private SafetensorsWriter() {}

    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        ObjectMapper mapper = JsonMapping.mapper();
        ObjectNode header = mapper.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        var ordered = new LinkedHashMap<>(tensors);
        for (var entry : ordered.entrySet()) {
            long bytes = 4L * entry.getValue().values().length;
            ObjectNode node = header.putObject(entry.getKey());
            node.put("dtype", "F32");
            var shape = node.putArray("shape");
            for (long s : entry.getValue().shape()) {
                shape.add(s);
            }
            node.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = mapper.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        java.util.Arrays.fill(headerBytes, (byte) ' ');
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
                OutputStream out = Channels.newOutputStream(channel)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(length.array());
            out.write(headerBytes);
            for (Tensor tensor : ordered.values()) {
                ByteBuffer data = ByteBuffer.allocate(4 * tensor.values().length).order(ByteOrder.LITTLE_ENDIAN);
                data.asFloatBuffer().put(tensor.values());
                out.write(data.array());
            }
            out.flush();
            channel.force(true);
        }
    }
}
