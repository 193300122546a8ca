package dev.deepretrieval.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.deepretrieval.policy.weights.SafetensorsFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadingErrorsTest {

    @TempDir
    Path dir;

    @Test
    void safetensorsWidensF16AndBf16InJava() throws IOException {
        // 1.5 and -2.0 in each dtype: F32 bits, F16 0x3E00/0xC000, BF16 0x3FC0/0xC000
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1.5f).putFloat(-2.0f).putShort((short) 0x3E00).putShort((short) 0xC000)
                .putShort((short) 0x3FC0).putShort((short) 0xC000);
        Path file = write(dir.resolve("t.safetensors"), "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                + "\"c\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[12,16]}}", data.array());
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            for (String name : new String[] {"a", "b", "c"}) {
                float[] values = new float[2];
                st.floats(name).get(values);
                assertArrayEquals(new float[] {1.5f, -2.0f}, values, name);
            }
            assertArrayEquals(new long[] {1, 2}, st.shape("c"));
            assertEquals("BF16", st.dtype("c"));
            var missing = assertThrows(PolicyLoadException.class, () -> st.floats("d"));
            assertEquals(file + ": missing tensor d", missing.getMessage());
        }
    }

    @Test
    void truncatedAndUnsupportedTensorsAreNamed() throws IOException {
        Path truncated = write(dir.resolve("short.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]);
        var e = assertThrows(PolicyLoadException.class, () -> SafetensorsFile.open(truncated));
        assertTrue(e.getMessage().contains("tensor w has data offsets [0, 16]"), e.getMessage());
        Path int8 = write(dir.resolve("i8.safetensors"),
                "{\"q\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[2]);
        e = assertThrows(PolicyLoadException.class, () -> SafetensorsFile.open(int8));
        assertTrue(e.getMessage().contains("tensor q has unsupported dtype I8"), e.getMessage());
    }

    @Test
    void unsupportedArchitectureAndFieldsAreNamed() throws IOException {
        String base = Files.readString(SharedModels.tinyRandomLlama().resolve("config.json"));
        assertConfigError(base.replace("LlamaForCausalLM", "MistralForCausalLM"), "unsupported architecture \"MistralForCausalLM\"");
        assertConfigError(base.replace("\"silu\"", "\"gelu\""), "unsupported \"hidden_act\": \"gelu\"");
        assertConfigError(base.replace("\"rope_scaling\": null", "\"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4}"),
                "unsupported \"rope_scaling\" type \"yarn\"");
        assertConfigError(base.replace("\"hidden_size\": 128,", ""), "missing or non-integer \"hidden_size\"");
    }

    @Test
    void missingAndMisShapedTensorsAreNamed() throws IOException {
        Path model = dir.resolve("model");
        Files.createDirectories(model);
        String config = Files.readString(SharedModels.tinyRandomLlama().resolve("config.json"));
        Files.writeString(model.resolve("config.json"), config.replace("\"intermediate_size\": 344", "\"intermediate_size\": 345"));
        Files.copy(SharedModels.tinyRandomLlama().resolve("model.safetensors"), model.resolve("model.safetensors"));
        var e = assertThrows(PolicyLoadException.class, () -> PolicyLoader.load(model, Optional.empty(), Device.cpu()));
        assertEquals("tensor model.layers.0.mlp.gate_proj.weight has shape [344, 128] but the config needs [345, 128]",
                e.getMessage());
        Files.writeString(model.resolve("config.json"), config.replace("\"num_hidden_layers\": 4", "\"num_hidden_layers\": 5"));
        e = assertThrows(PolicyLoadException.class, () -> PolicyLoader.load(model, Optional.empty(), Device.cpu()));
        assertEquals("missing tensor model.layers.4.input_layernorm.weight", e.getMessage());
        Files.delete(model.resolve("model.safetensors"));
        e = assertThrows(PolicyLoadException.class, () -> PolicyLoader.load(model, Optional.empty(), Device.cpu()));
        assertTrue(e.getMessage().endsWith("no model.safetensors or model.safetensors.index.json"), e.getMessage());
    }

    @Test
    void shardedCheckpointsLoadThroughTheirIndex() throws IOException {
        Path model = dir.resolve("sharded");
        Files.createDirectories(model);
        Files.copy(SharedModels.tinyRandomLlama().resolve("config.json"), model.resolve("config.json"));
        Files.copy(SharedModels.tinyRandomLlama().resolve("model.safetensors"), model.resolve("model-00001-of-00001.safetensors"));
        var names = new StringBuilder();
        try (SafetensorsFile st = SafetensorsFile.open(model.resolve("model-00001-of-00001.safetensors"))) {
            for (String name : st.names()) {
                names.append(names.isEmpty() ? "" : ",").append('"').append(name).append("\":\"model-00001-of-00001.safetensors\"");
            }
        }
        Files.writeString(model.resolve("model.safetensors.index.json"), "{\"metadata\":{},\"weight_map\":{" + names + "}}");
        try (Policy policy = PolicyLoader.load(model, Optional.empty(), Device.cpu())) {
            assertEquals(policy.config().parameterCount(), policy.weights().parameterCount());
        }
    }

    private void assertConfigError(String config, String expected) throws IOException {
        Path model = dir.resolve("cfg-" + Math.abs(config.hashCode()));
        Files.createDirectories(model);
        Files.writeString(model.resolve("config.json"), config);
        var e = assertThrows(PolicyLoadException.class, () -> PolicyLoader.load(model, Optional.empty(), Device.cpu()));
        assertEquals(model.resolve("config.json") + ": " + expected + (expected.endsWith("\"") && expected.contains("architecture")
                ? " (supported: LlamaForCausalLM, Qwen2ForCausalLM)" : expected.contains("yarn") ? " (supported: llama3)"
                : expected.contains("gelu") ? " (only silu)" : ""), e.getMessage());
    }

    private static Path write(Path file, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json).put(data);
        Files.write(file, out.array());
        return file;
    }
}
