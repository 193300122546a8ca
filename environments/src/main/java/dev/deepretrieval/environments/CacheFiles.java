package dev.deepretrieval.environments;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The two file operations the on-disk caches (BM25 indexes, embeddings, HNSW graphs) share: hashing their inputs
 * into a cache key, and deleting superseded or temporary folders.
 */
public final class CacheFiles {

    private CacheFiles() {}

    /** Feeds a file's bytes into {@code digest}. */
    public static void digest(MessageDigest digest, Path file) throws IOException {
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int read;
            while ((read = in.read(buffer)) > 0) {
                digest.update(buffer, 0, read);
            }
        }
    }

    /** Deletes a file or folder and everything under it; nothing happens when it does not exist. */
    public static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
