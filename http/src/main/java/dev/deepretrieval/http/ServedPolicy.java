package dev.deepretrieval.http;

import dev.deepretrieval.policy.Policy;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The policy being served, swappable while requests run: each request holds a {@link Lease} on the version it
 * started with, and a replaced policy is closed only when its last lease ends.
 */
public final class ServedPolicy implements AutoCloseable {

    /** One loaded policy and the version it is served as. */
    private static final class Entry {
        final Policy policy;
        final String version;
        final AtomicInteger holders = new AtomicInteger(1); // the served slot itself holds one
        private boolean closed;

        Entry(Policy policy, String version) {
            this.policy = policy;
            this.version = version;
        }

        boolean tryHold() {
            int now;
            do {
                now = holders.get();
                if (now == 0) {
                    return false;
                }
            } while (!holders.compareAndSet(now, now + 1));
            return true;
        }

        void release() {
            if (holders.decrementAndGet() == 0) {
                synchronized (this) {
                    if (!closed) {
                        closed = true;
                        policy.close();
                    }
                }
            }
        }
    }

    /** A request's hold on one policy version; closing it lets a replaced version be freed. */
    public static final class Lease implements AutoCloseable {
        private final Entry entry;
        private boolean released;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        public Policy policy() {
            return entry.policy;
        }

        public String version() {
            return entry.version;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                entry.release();
            }
        }
    }

    private final AtomicReference<Entry> current;

    public ServedPolicy(Policy policy, String version) {
        this.current = new AtomicReference<>(new Entry(Objects.requireNonNull(policy), Objects.requireNonNull(version)));
    }

    /** The version served now. */
    public String version() {
        return current.get().version;
    }

    /** Holds the current version for one request. */
    public Lease acquire() {
        while (true) {
            Entry entry = current.get();
            if (entry == null) {
                throw new IllegalStateException("the served policy is closed");
            }
            if (entry.tryHold()) {
                return new Lease(entry);
            }
        }
    }

    /** Serves {@code policy} as {@code version} from now on; the previous one closes after its last request. */
    public void swap(Policy policy, String version) {
        Entry previous = current.getAndSet(new Entry(Objects.requireNonNull(policy), Objects.requireNonNull(version)));
        if (previous != null) {
            previous.release();
        }
    }

    @Override
    public void close() {
        Entry previous = current.getAndSet(null);
        if (previous != null) {
            previous.release();
        }
    }
}
