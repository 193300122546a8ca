package dev.deepretrieval.cluster;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a cluster node does; a node holds one or several roles (Pekko Cluster roles, by {@link #label()}). */
public enum NodeRole {
    /** Holds the run manager and the learner (cluster singletons). */
    LEARNER("learner"),
    /** Generates rollouts: policy actors that pull batches. */
    ROLLOUT("rollout"),
    /** Scores rollouts: the environments' sharded entities. */
    ENV("env"),
    /** Serves the HTTP API and the dashboard. */
    HTTP("http");

    private final String label;

    NodeRole(String label) {
        this.label = label;
    }

    /** The role's name in configuration, on the command line and in Pekko's member roles. */
    public String label() {
        return label;
    }

    /** The role named {@code text} (case-insensitive); an unknown name fails listing the known ones. */
    public static NodeRole parse(String text) {
        String wanted = text.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(r -> r.label.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown node role '" + text + "' (known: "
                        + Arrays.stream(values()).map(NodeRole::label).collect(Collectors.joining(", ")) + ")"));
    }
}
