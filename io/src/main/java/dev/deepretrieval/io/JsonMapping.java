package dev.deepretrieval.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * The project's one Jackson mapper. An {@link ObjectMapper} is thread-safe once configured and costly to build, so
 * every reader and writer of JSON shares this one (configure nothing on it: derive readers and writers instead).
 */
public final class JsonMapping {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    private JsonMapping() {}

    /** The shared mapper. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A writer that indents (files people read: summaries, manifests, configs). */
    public static ObjectWriter pretty() {
        return PRETTY;
    }
}
