package dev.deepretrieval.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.deepretrieval.io.Addresses;
import dev.deepretrieval.tasks.Settings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node of the cluster: its roles, the address its Artery TCP transport binds, and the seed nodes it joins
 * through ({@code deepretrieval.cluster} in {@code application.conf}, the {@code node} command's options on top).
 *
 * @param seedNodes {@code host:port} of each seed node (this node's own address among them makes it able to start
 *     the cluster alone), in order: the first starts the cluster
 * @param allowNonLoopback Artery's TCP carries no authentication: an address other than loopback must be asked for
 */
public record ClusterNodeSettings(Set<NodeRole> roles, String host, int port, List<String> seedNodes,
        boolean allowNonLoopback) {

    /** The actor system's name, the same on every node (Pekko joins only systems of one name). */
    public static final String SYSTEM_NAME = "deepretrieval";

    private static final String PREFIX = "deepretrieval.cluster.";
    private static final Pattern HOST_PORT = Pattern.compile("(?:pekko://" + SYSTEM_NAME + "@)?([^:/@\\s]+):(\\d{1,5})");

    public ClusterNodeSettings {
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("a node needs at least one role");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is not between 0 and 65535");
        }
        if (seedNodes.isEmpty()) {
            throw new IllegalArgumentException("no seed nodes: give at least one host:port (this node's own to start"
                    + " a cluster)");
        }
        for (String seed : seedNodes) {
            Matcher m = HOST_PORT.matcher(seed.strip());
            if (!m.matches() || Integer.parseInt(m.group(2)) > 65_535 || Integer.parseInt(m.group(2)) == 0) {
                throw new IllegalArgumentException("seed node '" + seed + "' is not host:port");
            }
            if (!allowNonLoopback && !Addresses.isLoopback(m.group(1))) {
                throw new IllegalArgumentException("seed node " + seed + " is not on loopback: cluster traffic is not"
                        + " authenticated; set deepretrieval.cluster.allow-non-loopback (and Artery TLS) to span machines");
            }
        }
        if (!allowNonLoopback && !Addresses.isLoopback(host)) {
            throw new IllegalArgumentException("host " + host + " is not loopback: cluster traffic is not"
                    + " authenticated; set deepretrieval.cluster.allow-non-loopback (and Artery TLS) to span machines");
        }
        roles = Collections.unmodifiableSet(EnumSet.copyOf(roles));
        seedNodes = List.copyOf(seedNodes);
    }

    /** The settings under {@code deepretrieval.cluster}; a bad value fails naming its key. */
    public static ClusterNodeSettings from(Settings settings) {
        Set<NodeRole> roles = EnumSet.noneOf(NodeRole.class);
        try {
            settings.texts(PREFIX + "roles").forEach(r -> roles.add(NodeRole.parse(r)));
        } catch (IllegalArgumentException e) {
            throw settings.bad(PREFIX + "roles", e.getMessage());
        }
        try {
            return new ClusterNodeSettings(roles, settings.text(PREFIX + "host"), settings.raw().getInt(PREFIX + "port"),
                    settings.texts(PREFIX + "seed-nodes"), settings.flag(PREFIX + "allow-non-loopback"));
        } catch (IllegalArgumentException e) {
            throw settings.bad(PREFIX.substring(0, PREFIX.length() - 1), e.getMessage());
        }
    }

    /** Roles given as a comma-separated list ({@code learner,env}). */
    public static Set<NodeRole> parseRoles(String list) {
        Set<NodeRole> roles = EnumSet.noneOf(NodeRole.class);
        for (String part : list.split(",")) {
            if (!part.isBlank()) {
                roles.add(NodeRole.parse(part));
            }
        }
        return roles;
    }

    public ClusterNodeSettings withRoles(Set<NodeRole> newRoles) {
        return new ClusterNodeSettings(newRoles, host, port, seedNodes, allowNonLoopback);
    }

    public ClusterNodeSettings withPort(int newPort) {
        return new ClusterNodeSettings(roles, host, newPort, seedNodes, allowNonLoopback);
    }

    public ClusterNodeSettings withHost(String newHost) {
        return new ClusterNodeSettings(roles, newHost, port, seedNodes, allowNonLoopback);
    }

    public ClusterNodeSettings withSeedNodes(List<String> newSeeds) {
        return new ClusterNodeSettings(roles, host, port, newSeeds, allowNonLoopback);
    }

    /** Whether this node holds {@code role}. */
    public boolean has(NodeRole role) {
        return roles.contains(role);
    }

    /** Each seed node's Pekko address ({@code pekko://deepretrieval@host:port}). */
    public List<String> seedAddresses() {
        var addresses = new ArrayList<String>();
        for (String seed : seedNodes) {
            Matcher m = HOST_PORT.matcher(seed.strip());
            m.matches();
            addresses.add("pekko://" + SYSTEM_NAME + "@" + m.group(1) + ":" + m.group(2));
        }
        return addresses;
    }

    /**
     * The Pekko settings that make this JVM's actor system a member: the cluster provider, Artery's canonical
     * address, the seed nodes and the roles; to be laid over the rest of the configuration.
     */
    public Config pekkoConfig() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("pekko.actor.provider", "cluster");
        values.put("pekko.remote.artery.canonical.hostname", host);
        values.put("pekko.remote.artery.canonical.port", port);
        values.put("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seedAddresses()));
        values.put("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles.stream().map(NodeRole::label).toList()));
        return ConfigFactory.parseMap(values, "the node's cluster settings");
    }
}
