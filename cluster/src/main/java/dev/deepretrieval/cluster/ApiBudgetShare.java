package dev.deepretrieval.cluster;

import dev.deepretrieval.environments.search.ApiBudgets;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Keeps this node's external-API budgets ({@link ApiBudgets}) to its share of each API's rate: the rate divided by
 * the members that call the APIs — env nodes score rollouts with them, learner nodes evaluate validation and held-out
 * queries — from the moment they join until they are removed (an unreachable member may still be sending, so it
 * counts). Every such node divides by the same count, so together they stay within the rate without asking one
 * another per request; the cost is that a node keeps to its share even while the others are idle. While membership
 * changes, nodes see it within a gossip round or two of one another, and a node joining starts at a share that
 * already counts every member it knows.
 */
final class ApiBudgetShare {

    private ApiBudgetShare() {}

    static Behavior<ClusterEvent.MemberEvent> create() {
        return Behaviors.setup(context -> {
            Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(context.getSelf(),
                    ClusterEvent.MemberEvent.class));
            ApiBudgets budgets = ApiBudgets.get(context.getSystem().classicSystem());
            Map<Address, Member> callers = new HashMap<>();
            return Behaviors.receiveMessage(event -> {
                Member member = event.member();
                if (callsApis(member)) {
                    callers.put(member.address(), member);
                } else {
                    callers.remove(member.address());
                }
                budgets.shareAmong(Math.max(1, callers.size()));
                return Behaviors.same();
            });
        });
    }

    /** Whether {@code member} may call an external API now: an env or learner node, not yet down or removed. */
    static boolean callsApis(Member member) {
        MemberStatus status = member.status();
        boolean gone = status == MemberStatus.down() || status == MemberStatus.removed();
        return !gone && (member.hasRole(NodeRole.ENV.label()) || member.hasRole(NodeRole.LEARNER.label()));
    }
}
