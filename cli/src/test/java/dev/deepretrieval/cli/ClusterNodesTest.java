package dev.deepretrieval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code ./deepretrieval node} processes on 127.0.0.1 form one cluster, each with its roles; a node killed with
 * {@code kill -9} is downed by the split-brain resolver and removed; a node sent SIGTERM leaves the cluster and exits.
 * The membership is read where a user reads it: {@code GET /v1/cluster} on the http node.
 */
class ClusterNodesTest {

    /** A JVM ended by SIGTERM exits 128 + 15 once its shutdown hooks (here: leaving the cluster) have run. */
    private static final int SIGTERM_EXIT = 143;

    private final List<Process> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void nodesJoinWithTheirRolesAndLeaveWhenKilledOrStopped(@TempDir Path temp) throws Exception {
        int seedPort = freePort();
        int rolloutPort = freePort();
        int envPort = freePort();
        int httpPort = freePort();
        String seed = "127.0.0.1:" + seedPort;
        Process learner = node(temp, "learner", "learner,http", seedPort, seed, "--http-port", String.valueOf(httpPort));
        Process rollout = node(temp, "rollout", "rollout,env", rolloutPort, seed);
        Process env = node(temp, "env", "env", envPort, seed);
        URI members = URI.create("http://127.0.0.1:" + httpPort + "/v1/cluster");

        Map<String, String> all = awaitMembers(members, m -> m.size() == 3 && !m.containsValue("joining"), temp);
        assertEquals(Map.of(address(seedPort), "up", address(rolloutPort), "up", address(envPort), "up"), all);
        JsonNode cluster = read(members);
        assertEquals(address(seedPort), cluster.path("self").asText());
        var roles = new TreeMap<String, String>();
        cluster.path("members").forEach(m -> roles.put(m.path("address").asText(), m.path("roles").toString()));
        assertEquals(Map.of(address(seedPort), "[\"http\",\"learner\"]", address(rolloutPort), "[\"env\",\"rollout\"]",
                address(envPort), "[\"env\"]"), roles);

        env.destroyForcibly(); // SIGKILL: no leaving, the others must notice and down it
        assertEquals(Map.of(address(seedPort), "up", address(rolloutPort), "up"),
                awaitMembers(members, m -> m.size() == 2, temp));

        assertEquals(0, new ProcessBuilder("kill", "-TERM", String.valueOf(rollout.pid())).start().waitFor());
        assertTrue(rollout.waitFor(2, TimeUnit.MINUTES), "the rollout node exited after SIGTERM");
        assertEquals(SIGTERM_EXIT, rollout.exitValue(), log(temp, "rollout"));
        assertEquals(Map.of(address(seedPort), "up"), awaitMembers(members, m -> m.size() == 1, temp));
        assertTrue(log(temp, "rollout").contains("node stopped"), log(temp, "rollout"));

        assertEquals(0, new ProcessBuilder("kill", "-TERM", String.valueOf(learner.pid())).start().waitFor());
        assertTrue(learner.waitFor(2, TimeUnit.MINUTES), "the learner node exited after SIGTERM");
        assertEquals(SIGTERM_EXIT, learner.exitValue(), log(temp, "learner"));
        String said = log(temp, "learner");
        assertTrue(said.contains("stopping: the service finishes its requests; training runs checkpoint...")
                && said.contains("node stopped"), said);
    }

    private Process node(Path temp, String name, String roles, int port, String seeds, String... more)
            throws IOException {
        var args = new ArrayList<>(List.of("node", "--roles", roles, "--port", String.valueOf(port), "--seed-nodes",
                seeds, "-Dpekko.cluster.split-brain-resolver.stable-after=2s",
                "-Ddeepretrieval.serve.runs-dir=" + temp.resolve("runs")));
        args.addAll(List.of(more));
        Process process = Launcher.command(args.toArray(String[]::new))
                .redirectErrorStream(true).redirectOutput(temp.resolve(name + ".log").toFile()).start();
        started.add(process);
        return process;
    }

    /** Polls the membership until {@code done} holds for its address-to-status map (at most three minutes). */
    private Map<String, String> awaitMembers(URI members, Predicate<Map<String, String>> done, Path temp)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        Map<String, String> last = Map.of();
        while (System.nanoTime() < deadline) {
            try {
                var statuses = new TreeMap<String, String>();
                read(members).path("members").forEach(m -> statuses.put(m.path("address").asText(),
                        m.path("status").asText()));
                last = statuses;
                if (done.test(statuses)) {
                    return statuses;
                }
            } catch (IOException notServingYet) {
                // the http node is still starting
            }
            TimeUnit.MILLISECONDS.sleep(250); // polling interval, not synchronisation: the loop ends on the condition
        }
        throw new AssertionError("membership never matched; last seen " + last + "\n" + log(temp, "learner"));
    }

    private JsonNode read(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JsonMapping.mapper().readTree(response.body());
    }

    private static String address(int port) {
        return "pekko://deepretrieval@127.0.0.1:" + port;
    }

    private static String log(Path temp, String name) throws IOException {
        Path file = temp.resolve(name + ".log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
