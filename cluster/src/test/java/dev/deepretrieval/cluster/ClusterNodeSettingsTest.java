package dev.deepretrieval.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.deepretrieval.tasks.Settings;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A node's cluster settings: read from configuration, checked, and turned into Pekko's. */
class ClusterNodeSettingsTest {

    private static Settings settings(String overrides) {
        return new Settings(ConfigFactory.parseString(overrides).withFallback(ConfigFactory.parseString("""
                deepretrieval.cluster {
                  roles = ["learner", "http"]
                  host = "127.0.0.1"
                  port = 2551
                  seed-nodes = ["127.0.0.1:2551"]
                  allow-non-loopback = false
                }
                """)).resolve());
    }

    @Test
    void becomesPekkoClusterConfiguration() {
        ClusterNodeSettings node = ClusterNodeSettings.from(settings(""))
                .withRoles(ClusterNodeSettings.parseRoles("env, rollout"))
                .withSeedNodes(List.of("127.0.0.1:2551", "pekko://deepretrieval@localhost:2552")).withPort(2553);
        assertEquals(EnumSet.of(NodeRole.ROLLOUT, NodeRole.ENV), node.roles());
        Config pekko = node.pekkoConfig();
        assertEquals("cluster", pekko.getString("pekko.actor.provider"));
        assertEquals("127.0.0.1", pekko.getString("pekko.remote.artery.canonical.hostname"));
        assertEquals(2553, pekko.getInt("pekko.remote.artery.canonical.port"));
        assertEquals(List.of("pekko://deepretrieval@127.0.0.1:2551", "pekko://deepretrieval@localhost:2552"),
                pekko.getStringList("pekko.cluster.seed-nodes"));
        assertEquals(List.of("rollout", "env"), pekko.getStringList("pekko.cluster.roles"));
    }

    @Test
    void refusesWhatWouldNotWork() {
        var role = assertThrows(IllegalArgumentException.class, () -> ClusterNodeSettings.parseRoles("env,gpu"));
        assertEquals("unknown node role 'gpu' (known: learner, rollout, env, http)", role.getMessage());

        var inConfig = assertThrows(ConfigException.class, () -> ClusterNodeSettings.from(
                settings("deepretrieval.cluster.roles = [\"learner\", \"trainer\"]")));
        assertEquals(true, inConfig.getMessage().contains("deepretrieval.cluster.roles"), inConfig.getMessage());
        assertEquals(true, inConfig.getMessage().contains("unknown node role 'trainer'"), inConfig.getMessage());

        ClusterNodeSettings node = ClusterNodeSettings.from(settings(""));
        var seed = assertThrows(IllegalArgumentException.class, () -> node.withSeedNodes(List.of("127.0.0.1")));
        assertEquals("seed node '127.0.0.1' is not host:port", seed.getMessage());
        var none = assertThrows(IllegalArgumentException.class, () -> node.withSeedNodes(List.of()));
        assertEquals("no seed nodes: give at least one host:port (this node's own to start a cluster)",
                none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> node.withRoles(Set.of()));
        assertThrows(IllegalArgumentException.class, () -> node.withPort(70_000));

        var open = assertThrows(IllegalArgumentException.class, () -> node.withHost("0.0.0.0"));
        assertEquals("host 0.0.0.0 is not loopback: cluster traffic is not authenticated; set"
                + " deepretrieval.cluster.allow-non-loopback (and Artery TLS) to span machines", open.getMessage());
        ClusterNodeSettings allowed = ClusterNodeSettings.from(settings("deepretrieval.cluster.allow-non-loopback = true"))
                .withHost("0.0.0.0");
        assertEquals("0.0.0.0", allowed.host());
    }
}
