package dev.deepretrieval.environments;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * Hashing the on-disk caches' inputs (BM25 indexes, embeddings, HNSW graphs) into a cache key. Writing and deleting
 * their folders is {@link dev.deepretrieval.io.AtomicFiles}'s.
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
}
