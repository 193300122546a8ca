package dev.deepretrieval.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.io.JsonMapping;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * What one node sees of the cluster at a moment: every member with its roles and status, which are unreachable, the
 * leader, and which member is this node.
 */
public record ClusterMembers(String self, Optional<String> leader, List<Member> members) {

    /** A member: its address, its roles, its status ({@code up}, {@code leaving}, ...) and whether it is reachable. */
    public record Member(String address, Set<String> roles, String status, boolean reachable) {}

    /** The membership as this node's actor system sees it now. */
    public static ClusterMembers of(ActorSystem<?> system) {
        Cluster cluster = Cluster.get(system);
        ClusterEvent.CurrentClusterState state = cluster.state();
        Set<org.apache.pekko.cluster.Member> unreachable = new HashSet<>();
        state.getUnreachable().forEach(unreachable::add);
        var members = new ArrayList<Member>();
        for (org.apache.pekko.cluster.Member m : state.getMembers()) {
            Set<String> roles = new TreeSet<>(m.getRoles());
            roles.removeIf(r -> r.startsWith("dc-")); // Pekko's data-centre marker, not one of ours
            members.add(new Member(m.address().toString(), roles, m.status().toString().toLowerCase(Locale.ROOT),
                    !unreachable.contains(m)));
        }
        return new ClusterMembers(cluster.selfMember().address().toString(),
                Optional.ofNullable(state.getLeader()).map(Object::toString), List.copyOf(members));
    }

    /** The members holding {@code role} with status up. */
    public List<Member> up(NodeRole role) {
        return members.stream().filter(m -> m.status().equals("up") && m.roles().contains(role.label())).toList();
    }

    /** {@code {"self": ..., "leader": ..., "members": [{"address", "roles", "status", "reachable"}]}}. */
    public ObjectNode toJson() {
        ObjectNode json = JsonMapping.mapper().createObjectNode();
        json.put("self", self);
        leader.ifPresentOrElse(l -> json.put("leader", l), () -> json.putNull("leader"));
        ArrayNode list = json.putArray("members");
        for (Member m : members) {
            ObjectNode node = list.addObject();
            node.put("address", m.address());
            m.roles().forEach(node.putArray("roles")::add);
            node.put("status", m.status());
            node.put("reachable", m.reachable());
        }
        return json;
    }
}
