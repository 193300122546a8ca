package dev.deepretrieval.http;

import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.Route;

/** Guards a state-changing route, applied inside its path and method so other requests are never refused for it. */
@FunctionalInterface
interface Authentication {

    /** {@code inner} when the request may change state, else a 401. */
    Route authenticated(Supplier<Route> inner);
}
