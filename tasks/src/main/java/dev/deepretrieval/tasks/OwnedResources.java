package dev.deepretrieval.tasks;

import java.util.ArrayList;
import java.util.List;

/** What a training problem opened, closed in reverse order; the first failure is thrown after all were tried. */
public final class OwnedResources implements AutoCloseable {

    private final List<AutoCloseable> owned = new ArrayList<>();

    <R extends AutoCloseable> R add(R resource) {
        owned.add(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        owned.clear();
        if (first != null) {
            throw first;
        }
    }
}
