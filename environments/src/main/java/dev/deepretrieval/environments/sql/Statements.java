package dev.deepretrieval.environments.sql;

import io.r2dbc.spi.Connection;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Runs plain statements (DDL, settings) one after another on a connection, discarding their results. */
final class Statements {

    private Statements() {}

    static Mono<Void> run(Connection connection, List<String> sql) {
        return Flux.fromIterable(sql)
                .concatMap(statement -> Flux.from(connection.createStatement(statement).execute())
                        .concatMap(result -> result.getRowsUpdated()))
                .then();
    }
}
