package dev.deepretrieval.http;

import dev.deepretrieval.tasks.Settings;
import java.util.Optional;

/**
 * How the service serves (deepretrieval.serve in application.conf).
 *
 * @param modelName the name {@code /v1/models} lists and chat completions answer as
 * @param defaultTask the prompt template of a rewrite request that names no task
 * @param maxConcurrent generations decoding together in the served policy's shared decode loop (its batch)
 * @param maxQueued requests waiting to join the batch; beyond them a request is answered 503
 * @param maxBodyBytes the largest request body; larger is answered 413
 * @param maxQueryChars the longest query a rewrite request may carry
 * @param defaultMaxTokens new tokens of a request that sets none
 * @param maxTokensLimit the most new tokens a request may ask for
 * @param authToken the bearer token for state-changing endpoints; empty = no authentication
 * @param protectReads whether rewrites and reads need the token too
 * @param requestsPerSecond per-client rate (bearer token, else address); beyond the burst a request is answered 429
 * @param burst requests a client may send at once
 * @param kvCacheTokens the decode loop's KV cache bound, in positions over all its sequences (rows × width)
 * @param sharedPrefixes prompt-template heads whose keys and values the decode loop keeps (prefix caching; 0 = off)
 * @param decodeThreads torch intra-op threads of the decode loop's thread (0 = the process's, one per core)
 */
public record ServeSettings(String modelName, String defaultTask, int maxConcurrent, int maxQueued, long maxBodyBytes,
        int maxQueryChars, int defaultMaxTokens, int maxTokensLimit, Optional<String> authToken, boolean protectReads,
        double requestsPerSecond, int burst, long kvCacheTokens, int sharedPrefixes,
        int decodeThreads) {

    public ServeSettings {
        if (maxConcurrent < 1 || maxQueued < 0 || maxBodyBytes < 1 || maxQueryChars < 1 || defaultMaxTokens < 1
                || maxTokensLimit < defaultMaxTokens || requestsPerSecond <= 0 || burst < 1 || kvCacheTokens < 1
                || sharedPrefixes < 0 || decodeThreads < 0) {
            throw new IllegalArgumentException("serve settings out of range: " + this);
        }
    }

    private static final String PREFIX = "deepretrieval.serve.";

    /** The settings under {@code deepretrieval.serve}; a value out of range fails naming the section. */
    public static ServeSettings from(Settings settings) {
        String token = settings.text(PREFIX + "auth-token");
        try {
            return new ServeSettings(settings.text(PREFIX + "model-name"), settings.text(PREFIX + "default-task"),
                    settings.positiveInt(PREFIX + "max-concurrent"), settings.raw().getInt(PREFIX + "max-queued"),
                    settings.raw().getBytes(PREFIX + "max-body-size"), settings.positiveInt(PREFIX + "max-query-chars"),
                    settings.positiveInt(PREFIX + "default-max-tokens"), settings.positiveInt(PREFIX + "max-tokens-limit"),
                    token.isEmpty() ? Optional.empty() : Optional.of(token), settings.flag(PREFIX + "protect-reads"),
                    settings.number(PREFIX + "rate-limit.requests-per-second"),
                    settings.positiveInt(PREFIX + "rate-limit.burst"), settings.positiveInt(PREFIX + "kv-cache-tokens"),
                    settings.raw().getInt(PREFIX + "shared-prefixes"), settings.raw().getInt(PREFIX + "decode-threads"));
        } catch (IllegalArgumentException e) {
            throw settings.bad(PREFIX.substring(0, PREFIX.length() - 1), e.getMessage());
        }
    }

}
