package dev.deepretrieval.environments.lucene;

import dev.deepretrieval.environments.CacheFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Identifies an index's inputs: the SHA-256 of the corpus file's bytes plus the analysis chain and layout versions.
 * Any change to the corpus or to how it is indexed yields a new fingerprint, and so a rebuild.
 */
final class CorpusFingerprint {

    /** Bumped when the document layout (fields, contents) changes. */
    static final String LAYOUT_VERSION = "flat-contents/2-sorted-by-id";

    private CorpusFingerprint() {}

    static String of(Path corpusFile) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((PorterEnglishAnalyzer.VERSION + '\n' + LAYOUT_VERSION + '\n').getBytes(java.nio.charset.StandardCharsets.UTF_8));
            CacheFiles.digest(digest, corpusFile);
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + corpusFile, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
