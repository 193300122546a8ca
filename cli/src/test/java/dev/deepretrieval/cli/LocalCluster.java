package dev.deepretrieval.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.deepretrieval.io.JsonMapping;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code ./deepretrieval node} processes on 127.0.0.1 for a test, each logging to {@code <name>.log} in the test's
 * folder, and what the tests ask of them over HTTP. Closing it kills every node still running.
 */
final class LocalCluster implements AutoCloseable {

    /** Settings every test node shares: a quick split-brain decision, runs in the test's folder. */
    private final List<String> common;
    private final Path folder;
    private final List<Process> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    LocalCluster(Path folder, String... settings) {
        this.folder = folder;
        this.common = new ArrayList<>(List.of("-Dpekko.cluster.split-brain-resolver.stable-after=2s",
                "-Ddeepretrieval.serve.runs-dir=" + folder.resolve("runs")));
        this.common.addAll(List.of(settings));
    }

    /** Starts node {@code name} with {@code roles} on {@code port}, joining through {@code seeds}. */
    Process node(String name, String roles, int port, String seeds, String... more) throws IOException {
        var args = new ArrayList<>(List.of("node", "--roles", roles, "--port", String.valueOf(port), "--seed-nodes",
                seeds, "-Ddeepretrieval.cache-dir=" + folder.resolve("cache-" + name)));
        args.addAll(common);
        args.addAll(List.of(more));
        Process process = Launcher.command(args.toArray(String[]::new))
                .redirectErrorStream(true).redirectOutput(folder.resolve(name + ".log").toFile()).start();
        started.add(process);
        return process;
    }

    /** What node {@code name} has printed so far. */
    String log(String name) throws IOException {
        Path file = folder.resolve(name + ".log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** The folder of run {@code id} (the nodes share it). */
    Path run(String id) {
        return folder.resolve("runs").resolve(id);
    }

    interface Read {
        JsonNode get() throws IOException, InterruptedException;
    }

    /**
     * Polls until {@code done} holds (at most five minutes; a read that fails, a node still starting, counts as not
     * yet); returns what satisfied it, or fails with the last thing seen and {@code logged}'s output.
     */
    JsonNode await(Read read, Predicate<JsonNode> done, String what, String logged) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = read.get();
                if (done.test(last)) {
                    return last;
                }
            } catch (IOException notServingYet) {
                // the http node is still starting
            }
            TimeUnit.MILLISECONDS.sleep(250); // polling interval, not synchronisation: the loop ends on the condition
        }
        throw new AssertionError(what + " never happened; last seen " + last + "\n" + log(logged));
    }

    /** Waits until the http node at {@code base} lists {@code count} members, every one up. */
    void awaitMembersUp(String base, int count, String logged) throws Exception {
        await(() -> get(base + "/v1/cluster").path("members"), m -> m.size() == count
                && m.findValuesAsText("status").stream().allMatch("up"::equals), count + " members up", logged);
    }

    /** GET {@code uri} as JSON; anything but 200 is an IOException. */
    JsonNode get(String uri) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(uri))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return JsonMapping.mapper().readTree(response.body());
    }

    /** POST {@code body} to {@code uri}. */
    HttpResponse<String> post(String uri, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        started.forEach(Process::destroyForcibly);
    }
}
