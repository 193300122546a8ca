package dev.deepretrieval.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;

class NodeSystemTest {

    @Test
    void oneSystemPerJvmUntilItsCommandEndsIt() {
        int before = NodeSystem.created();
        ActorSystem<Void> first = NodeSystem.obtain(ConfigFactory.empty());
        assertSame(first, NodeSystem.obtain(ConfigFactory.parseString("pekko.loglevel = DEBUG")),
                "a later caller shares it, whatever its configuration");
        assertEquals(before + 1, NodeSystem.created());
        NodeSystem.terminate(30);
        assertEquals(true, first.getWhenTerminated().toCompletableFuture().isDone());
        ActorSystem<Void> next = NodeSystem.obtain(ConfigFactory.empty());
        assertNotSame(first, next);
        assertEquals(before + 2, NodeSystem.created());
        NodeSystem.terminate(30);
    }
}
