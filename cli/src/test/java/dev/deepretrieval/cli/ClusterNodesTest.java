package dev.deepretrieval.cli;

import static dev.deepretrieval.cli.LocalCluster.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
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

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void nodesJoinWithTheirRolesAndLeaveWhenKilledOrStopped(@TempDir Path temp) throws Exception {
        int seedPort = freePort();
        int rolloutPort = freePort();
        int envPort = freePort();
        int httpPort = freePort();
        String seed = "127.0.0.1:" + seedPort;
        try (var cluster = new LocalCluster(temp)) {
            Process learner = cluster.node("learner", "learner,http", seedPort, seed, "--http-port",
                    String.valueOf(httpPort));
            Process rollout = cluster.node("rollout", "rollout,env", rolloutPort, seed);
            Process env = cluster.node("env", "env", envPort, seed);
            String members = "http://127.0.0.1:" + httpPort + "/v1/cluster";

            JsonNode all = cluster.await(() -> cluster.get(members), c -> statuses(c).size() == 3
                    && !statuses(c).containsValue("joining"), "three members", "learner");
            assertEquals(Map.of(address(seedPort), "up", address(rolloutPort), "up", address(envPort), "up"),
                    statuses(all));
            assertEquals(address(seedPort), all.path("self").asText());
            var roles = new TreeMap<String, String>();
            all.path("members").forEach(m -> roles.put(m.path("address").asText(), m.path("roles").toString()));
            assertEquals(Map.of(address(seedPort), "[\"http\",\"learner\"]", address(rolloutPort),
                    "[\"env\",\"rollout\"]", address(envPort), "[\"env\"]"), roles);

            env.destroyForcibly(); // SIGKILL: no leaving, the others must notice and down it
            assertEquals(Map.of(address(seedPort), "up", address(rolloutPort), "up"), statuses(cluster.await(
                    () -> cluster.get(members), c -> statuses(c).size() == 2, "the killed node removed", "learner")));

            assertEquals(0, new ProcessBuilder("kill", "-TERM", String.valueOf(rollout.pid())).start().waitFor());
            assertTrue(rollout.waitFor(2, TimeUnit.MINUTES), "the rollout node exited after SIGTERM");
            assertEquals(SIGTERM_EXIT, rollout.exitValue(), cluster.log("rollout"));
            assertEquals(Map.of(address(seedPort), "up"), statuses(cluster.await(() -> cluster.get(members),
                    c -> statuses(c).size() == 1, "the stopped node removed", "learner")));
            assertTrue(cluster.log("rollout").contains("node stopped"), cluster.log("rollout"));

            assertEquals(0, new ProcessBuilder("kill", "-TERM", String.valueOf(learner.pid())).start().waitFor());
            assertTrue(learner.waitFor(2, TimeUnit.MINUTES), "the learner node exited after SIGTERM");
            assertEquals(SIGTERM_EXIT, learner.exitValue(), cluster.log("learner"));
            String said = cluster.log("learner");
            assertTrue(said.contains("stopping: the service finishes its requests; training runs checkpoint...")
                    && said.contains("node stopped"), said);
        }
    }

    /** Each member's address and status. */
    private static Map<String, String> statuses(JsonNode cluster) {
        var statuses = new TreeMap<String, String>();
        cluster.path("members").forEach(m -> statuses.put(m.path("address").asText(), m.path("status").asText()));
        return statuses;
    }

    private static String address(int port) {
        return "pekko://deepretrieval@127.0.0.1:" + port;
    }
}
