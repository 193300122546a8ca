package dev.deepretrieval.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A streamed chat completion on the wire exactly as OpenAI's servers and vLLM send it: each chunk one event
 * {@code data: <json>\n\n} (a space after the colon), the stream closed by {@code data: [DONE]\n\n}. Pekko's own
 * server-sent-event rendering writes {@code data:} without the space, which decoders following the SSE specification
 * accept but scripts that match {@code data: [DONE]} byte for byte do not.
 */
final class OpenAiEventStream {

    static final String DONE = "data: [DONE]\n\n";

    private OpenAiEventStream() {}

    /** The event-stream entity for {@code chunks}, ending with the {@code [DONE]} event. */
    static HttpEntity.Chunked of(Source<JsonNode, NotUsed> chunks) {
        Source<ByteString, NotUsed> bytes = chunks
                .map(chunk -> ByteString.fromString("data: " + ServiceRoutes.text(chunk) + "\n\n", StandardCharsets.UTF_8))
                .concat(Source.single(ByteString.fromString(DONE, StandardCharsets.UTF_8)));
        return HttpEntities.create(MediaTypes.TEXT_EVENT_STREAM.toContentType(), bytes);
    }
}
