package dev.deepretrieval.cluster;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.deepretrieval.io.JsonMapping;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /v1/cluster}: the members this node sees, with their roles and status ({@link ClusterMembers}). */
public final class ClusterRoutes extends AllDirectives {

    private final ActorSystem<?> system;

    public ClusterRoutes(ActorSystem<?> system) {
        this.system = system;
    }

    /** The read-only route (guarded like the service's other reads). */
    public Route reads() {
        return path(segment("v1").slash("cluster"), () -> get(() -> {
            try {
                byte[] body = JsonMapping.mapper().writeValueAsBytes(ClusterMembers.of(system).toJson());
                return complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }));
    }
}
