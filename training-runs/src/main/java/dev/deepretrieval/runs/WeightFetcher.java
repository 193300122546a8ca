package dev.deepretrieval.runs;

import dev.deepretrieval.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Brings a {@link WeightVersion}'s bytes to this node: into {@code <cache>/<run>/<version>/actor.safetensors}, read
 * from the learner over HTTP or from a shared checkpoint store, hashed as they stream and kept only when size and
 * SHA-256 match (the file appears whole or not at all). A version already here is not fetched again. Blocking: call
 * it on a thread that may block.
 */
public final class WeightFetcher {

    private final Path cache;
    private final HttpClient http;
    private final Duration timeout;

    /** @param timeout the longest a fetch over HTTP may take, headers to last byte */
    public WeightFetcher(Path cache, Duration timeout) {
        this.cache = cache;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** The version's weights file here, fetched now if it is not yet. */
    public Path fetch(WeightVersion version) throws IOException, InterruptedException {
        Path target = cache.resolve(version.runId()).resolve(String.valueOf(version.version()))
                .resolve(WeightVersion.ACTOR_FILE);
        if (Files.isRegularFile(target) && Files.size(target) == version.size()) {
            return target; // written only after its hash matched, and a version's bytes never change
        }
        if (version.location().getScheme().equals("file")) {
            try (InputStream in = Files.newInputStream(Path.of(version.location()))) {
                copyVerified(in, target, version);
            }
            return target;
        }
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(version.location()).timeout(timeout)
                .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("weights version " + version.version() + " of run " + version.runId() + ": "
                        + version.location() + " answered " + response.statusCode());
            }
            copyVerified(in, target, version);
        }
        return target;
    }

    private static void copyVerified(InputStream in, Path target, WeightVersion version) throws IOException {
        AtomicFiles.write(target, out -> {
            MessageDigest digest = sha256();
            long copied;
            try (OutputStream hashed = new DigestOutputStream(out, digest)) {
                copied = in.transferTo(hashed);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (copied != version.size() || !actual.equals(version.sha256())) {
                throw new IOException("weights version " + version.version() + " of run " + version.runId() + " from "
                        + version.location() + " arrived as " + copied + " bytes with SHA-256 " + actual + ", not the "
                        + "published " + version.size() + " bytes with " + version.sha256() + ": not kept");
            }
        });
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
