package dev.deepretrieval.policy.weights;

import com.fasterxml.jackson.databind.JsonNode;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.PolicyLoadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length, a JSON header (name → dtype, shape, data
 * offsets), then the raw little-endian data. Tensors are mapped one at a time, so files larger than 2 GB work.
 */
public final class SafetensorsFile implements TensorSource {

    private record Entry(String dtype, long[] shape, long begin, long end) {}

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;

    private SafetensorsFile(Path file, FileChannel channel, long dataStart, Map<String, Entry> entries) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
    }

    public static SafetensorsFile open(Path file) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            long size = channel.size();
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (channel.read(lengthBytes, 0) != 8) {
                throw new PolicyLoadException(file + ": too short to be a safetensors file");
            }
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > Math.min(size - 8, 100_000_000)) {
                throw new PolicyLoadException(file + ": invalid safetensors header length " + headerLength);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            channel.read(header, 8);
            JsonNode json = JsonMapping.mapper().readTree(new String(header.array(), StandardCharsets.UTF_8));
            long dataStart = 8 + headerLength;
            var entries = new LinkedHashMap<String, Entry>();
            for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals("__metadata__")) {
                    continue;
                }
                entries.put(field.getKey(), entry(file, field.getKey(), field.getValue(), size - dataStart));
            }
            return new SafetensorsFile(file, channel, dataStart, Collections.unmodifiableMap(entries));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new PolicyLoadException(file + ": cannot read safetensors: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static Entry entry(Path file, String name, JsonNode node, long dataSize) {
        String dtype = node.path("dtype").asText();
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new PolicyLoadException(file + ": tensor " + name + " has unsupported dtype " + dtype
                    + " (supported: F32, F16, BF16)");
        };
        JsonNode shapeNode = node.path("shape");
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
            elements *= shape[i];
        }
        long begin = node.path("data_offsets").path(0).asLong(-1);
        long end = node.path("data_offsets").path(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataSize || end - begin != elements * width) {
            throw new PolicyLoadException(file + ": tensor " + name + " has data offsets [" + begin + ", " + end
                    + "] that do not fit its shape or the file (truncated?)");
        }
        return new Entry(dtype, shape, begin, end);
    }

    @Override
    public Set<String> names() {
        return entries.keySet();
    }

    @Override
    public long[] shape(String name) {
        return entry(name).shape().clone();
    }

    /** The stored dtype of a tensor ({@code F32}, {@code F16} or {@code BF16}). */
    public String dtype(String name) {
        return entry(name).dtype();
    }

    @Override
    public FloatBuffer floats(String name) {
        Entry entry = entry(name);
        long bytes = entry.end() - entry.begin();
        try {
            ByteBuffer raw = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + entry.begin(), bytes)
                    .order(ByteOrder.LITTLE_ENDIAN);
            int count = (int) (bytes / (entry.dtype().equals("F32") ? 4 : 2));
            FloatBuffer out = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            switch (entry.dtype()) {
                case "F32" -> out.put(raw.asFloatBuffer());
                case "BF16" -> {
                    for (int i = 0; i < count; i++) {
                        out.put(i, HalfFloats.fromBfloat16(raw.getShort(i * 2)));
                    }
                }
                default -> {
                    for (int i = 0; i < count; i++) {
                        out.put(i, HalfFloats.fromFloat16(raw.getShort(i * 2)));
                    }
                }
            }
            return out.rewind();
        } catch (IOException e) {
            throw new PolicyLoadException(file + ": cannot read tensor " + name + ": " + e.getMessage(), e);
        }
    }

    private Entry entry(String name) {
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new PolicyLoadException(file + ": missing tensor " + name);
        }
        return entry;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a read-only channel loses nothing
            }
        }
    }
}
