package dev.deepretrieval.policy.weights;

import com.fasterxml.jackson.databind.JsonNode;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.PolicyLoadException;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The weights of a Hugging Face folder: {@code model.safetensors}, or the shards listed by
 * {@code model.safetensors.index.json}.
 */
public final class SafetensorsCheckpoint implements TensorSource {

    private final Map<String, SafetensorsFile> fileByTensor;
    private final Map<Path, SafetensorsFile> files;

    private SafetensorsCheckpoint(Map<String, SafetensorsFile> fileByTensor, Map<Path, SafetensorsFile> files) {
        this.fileByTensor = fileByTensor;
        this.files = files;
    }

    public static SafetensorsCheckpoint open(Path folder) {
        Path single = folder.resolve("model.safetensors");
        Path index = folder.resolve("model.safetensors.index.json");
        var files = new LinkedHashMap<Path, SafetensorsFile>();
        var byTensor = new LinkedHashMap<String, SafetensorsFile>();
        try {
            if (Files.isRegularFile(single)) {
                SafetensorsFile file = SafetensorsFile.open(single);
                files.put(single, file);
                file.names().forEach(name -> byTensor.put(name, file));
            } else if (Files.isRegularFile(index)) {
                JsonNode weightMap = readJson(index).path("weight_map");
                if (!weightMap.isObject() || weightMap.isEmpty()) {
                    throw new PolicyLoadException(index + ": no \"weight_map\"");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    Path shard = folder.resolve(entry.getValue().asText());
                    if (!Files.isRegularFile(shard)) {
                        throw new PolicyLoadException(index + ": tensor " + entry.getKey() + " is in " + shard
                                + ", which does not exist");
                    }
                    SafetensorsFile file = files.computeIfAbsent(shard, SafetensorsFile::open);
                    if (!file.names().contains(entry.getKey())) {
                        throw new PolicyLoadException(shard + ": missing tensor " + entry.getKey() + " (listed in " + index + ")");
                    }
                    byTensor.put(entry.getKey(), file);
                }
            } else {
                throw new PolicyLoadException(folder + ": no model.safetensors or model.safetensors.index.json");
            }
        } catch (RuntimeException e) {
            files.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new SafetensorsCheckpoint(byTensor, files);
    }

    private static JsonNode readJson(Path file) {
        try {
            return JsonMapping.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new PolicyLoadException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    @Override
    public Set<String> names() {
        return fileByTensor.keySet();
    }

    @Override
    public long[] shape(String name) {
        return file(name).shape(name);
    }

    @Override
    public FloatBuffer floats(String name) {
        return file(name).floats(name);
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile file = fileByTensor.get(name);
        if (file == null) {
            throw new PolicyLoadException("missing tensor " + name);
        }
        return file;
    }

    @Override
    public void close() {
        files.values().forEach(SafetensorsFile::close);
    }
}
