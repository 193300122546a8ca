package dev.deepretrieval.policy.checkpoint;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.io.AtomicFiles;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.weights.SafetensorsFile;
import dev.deepretrieval.policy.weights.SafetensorsWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints under one folder as {@code step-00000042/}: one {@code <group>.safetensors} per tensor group, a
 * {@code state.json}, and a {@code MANIFEST.json} with every file's size and SHA-256, written last.
 *
 * <p>A checkpoint is written into a temporary folder, every file fsynced, then renamed into place and the parent
 * fsynced, so a kill at any moment leaves either the whole checkpoint or none. Reading picks the newest checkpoint
 * whose manifest verifies and reports the ones it skipped.
 */
public final class CheckpointStore {

    private static final Pattern NAME = Pattern.compile("step-(\\d{8})");
    private static final String MANIFEST = "MANIFEST.json";
    private static final String STATE = "state.json";

    private final Path root;
    private final int keepLast;
    private final ObjectMapper mapper = JsonMapping.mapper();

    /**
     * @param keepLast complete checkpoints to keep; older ones are deleted after each write
     */
    public CheckpointStore(Path root, int keepLast) {
        if (keepLast < 1) {
            throw new IllegalArgumentException("keep at least one checkpoint, got " + keepLast);
        }
        this.root = root;
        this.keepLast = keepLast;
    }

    /** Writes the checkpoint of {@code step}; returns its folder. */
    public Path write(long step, Map<String, Map<String, NDArray>> tensorGroups, ObjectNode state) throws IOException {
        var copies = new LinkedHashMap<String, Map<String, SafetensorsWriter.Tensor>>();
        tensorGroups.forEach((group, arrays) -> {
            var tensors = new LinkedHashMap<String, SafetensorsWriter.Tensor>();
            arrays.forEach((name, array) -> tensors.put(name,
                    new SafetensorsWriter.Tensor(array.getShape().getShape(), array.toFloatArray())));
            copies.put(group, tensors);
        });
        return writeTensors(step, copies, state);
    }

    /** Writes the checkpoint of {@code step} from tensors already copied out of native memory; returns its folder. */
    public Path writeTensors(long step, Map<String, Map<String, SafetensorsWriter.Tensor>> tensorGroups,
            ObjectNode state) throws IOException {
        Files.createDirectories(root);
        Path target = folderOf(step);
        Path temporary = Files.createTempDirectory(root, ".writing-");
        try {
            ObjectNode manifest = mapper.createObjectNode();
            ObjectNode files = manifest.putObject("files");
            for (var group : tensorGroups.entrySet()) {
                String file = groupFile(group.getKey());
                SafetensorsWriter.write(temporary.resolve(file), group.getValue());
                record(files, temporary.resolve(file));
            }
            ObjectNode fullState = state.deepCopy();
            fullState.put("step", step);
            writeSynced(temporary.resolve(STATE), mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(fullState));
            record(files, temporary.resolve(STATE));
            manifest.put("step", step);
            writeSynced(temporary.resolve(MANIFEST), mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
            AtomicFiles.publishFolder(temporary, target);
            syncDirectory(root);
        } finally {
            AtomicFiles.deleteTree(temporary);
        }
        prune();
        return target;
    }

    /** The newest checkpoint that verifies, with the newer ones that did not. */
    public Optional<Checkpoint> latestValid() throws IOException {
        var problems = new ArrayList<String>();
        for (Path dir : checkpointsNewestFirst()) {
            Optional<String> problem = verify(dir);
            if (problem.isEmpty()) {
                JsonNode state = mapper.readTree(dir.resolve(STATE).toFile());
                return Optional.of(new Checkpoint(dir, state.path("step").asLong(), (ObjectNode) state, List.copyOf(problems)));
            }
            problems.add(dir.getFileName() + ": " + problem.get());
        }
        return Optional.empty();
    }

    /** The checkpoint of {@code step}, when it is kept and verifies. */
    public Optional<Checkpoint> validAt(long step) throws IOException {
        Path dir = folderOf(step);
        if (!Files.isDirectory(dir) || verify(dir).isPresent()) {
            return Optional.empty();
        }
        JsonNode state = mapper.readTree(dir.resolve(STATE).toFile());
        return Optional.of(new Checkpoint(dir, state.path("step").asLong(), (ObjectNode) state, List.of()));
    }

    /** The newest {@code count} checkpoints at or before {@code step} that verify, newest first. */
    public List<Checkpoint> validUpTo(long step, int count) throws IOException {
        var chosen = new ArrayList<Checkpoint>();
        for (Path dir : checkpointsNewestFirst()) {
            var matcher = NAME.matcher(dir.getFileName().toString());
            if (chosen.size() < count && matcher.matches() && Long.parseLong(matcher.group(1)) <= step) {
                validAt(Long.parseLong(matcher.group(1))).ifPresent(chosen::add);
            }
        }
        return chosen;
    }

    /** Checkpoint folders, newest step first (temporary folders excluded). */
    public List<Path> checkpointsNewestFirst() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
                    .toList();
        }
    }

    private Optional<String> verify(Path dir) {
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            return Optional.of("no manifest (incomplete)");
        }
        try {
            JsonNode files = mapper.readTree(manifestFile.toFile()).path("files");
            if (!files.isObject() || files.isEmpty()) {
                return Optional.of("manifest lists no files");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                Path file = dir.resolve(entry.getKey());
                if (!Files.isRegularFile(file)) {
                    return Optional.of(entry.getKey() + " is missing");
                }
                if (Files.size(file) != entry.getValue().path("size").asLong()) {
                    return Optional.of(entry.getKey() + " has " + Files.size(file) + " bytes, the manifest says "
                            + entry.getValue().path("size").asLong() + " (truncated?)");
                }
                if (!sha256(file).equals(entry.getValue().path("sha256").asText())) {
                    return Optional.of(entry.getKey() + " fails its SHA-256 checksum (corrupt)");
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("unreadable: " + e.getMessage());
        }
    }

    private void prune() throws IOException {
        List<Path> all = checkpointsNewestFirst();
        for (int i = keepLast; i < all.size(); i++) {
            AtomicFiles.deleteTree(all.get(i));
        }
    }

    private static void record(ObjectNode files, Path file) throws IOException {
        ObjectNode node = files.putObject(file.getFileName().toString());
        node.put("size", Files.size(file));
        node.put("sha256", sha256(file));
    }

    private static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            try (InputStream in = Files.newInputStream(file)) {
                int read;
                while ((read = in.read(buffer)) > 0) {
                    digest.update(buffer, 0, read);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    private static void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(bytes));
            channel.force(true);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the rename itself is still atomic.
        }
    }

    /** Opens one tensor group of a verified checkpoint. */
    static SafetensorsFile open(Path dir, String group) {
        return SafetensorsFile.open(dir.resolve(groupFile(group)));
    }

    /** The file a checkpoint holds tensor group {@code group} in. */
    public static String groupFile(String group) {
        return group + ".safetensors";
    }

    private Path folderOf(long step) {
        return root.resolve(String.format("step-%08d", step));
    }

    /**
     * Tensor group {@code group} of step {@code step}'s checkpoint as its manifest records it, when that checkpoint is
     * complete (the manifest is written last) and holds the group's file at the recorded size; empty otherwise. Its
     * hash is not checked here: whoever reads the bytes checks them.
     */
    public Optional<Checkpoint.FileDigest> recorded(long step, String group) throws IOException {
        Optional<Checkpoint.FileDigest> digest = recordedIn(folderOf(step), group);
        if (digest.isEmpty() || !Files.isRegularFile(digest.get().path())
                || Files.size(digest.get().path()) != digest.get().size()) {
            return Optional.empty();
        }
        return digest;
    }

    /** The manifest's record of tensor group {@code group} in checkpoint folder {@code dir}; empty if it has none. */
    static Optional<Checkpoint.FileDigest> recordedIn(Path dir, String group) throws IOException {
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return Optional.empty();
        }
        String file = groupFile(group);
        JsonNode entry = JsonMapping.mapper().readTree(manifest.toFile()).path("files").path(file);
        if (!entry.isObject()) {
            return Optional.empty();
        }
        return Optional.of(new Checkpoint.FileDigest(dir.resolve(file), entry.path("sha256").asText(),
                entry.path("size").asLong()));
    }
}
