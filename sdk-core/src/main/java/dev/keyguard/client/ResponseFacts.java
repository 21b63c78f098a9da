package dev.keyguard.client;

import dev.keyguard.KeyId;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link ApiResponseException} carries about a response, extracted by {@link
 * ResponseFailures}: printable URL, request ids, rate-limit headers and the redacted excerpt, and
 * the key version the request was signed with ({@code keyId} and {@code version} null for an
 * unsigned request, {@code errorCode} null unless the body carried a rejection code).
 */
record ResponseFacts(
    int status,
    String method,
    String url,
    Map<String, String> requestIds,
    Map<String, String> rateLimitHeaders,
    @Nullable Duration retryAfter,
    String bodyExcerpt,
    @Nullable KeyId keyId,
    @Nullable String version,
    @Nullable String errorCode) {}
