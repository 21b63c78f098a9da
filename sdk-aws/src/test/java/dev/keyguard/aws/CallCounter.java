package dev.keyguard.aws;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts the Secrets Manager calls that got an HTTP response (what AWS bills), per operation, and
 * the attempts that were sent (including those that found the endpoint down). Thread-safe.
 */
final class CallCounter implements ExecutionInterceptor {

  private final Map<String, AtomicInteger> responses = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes attributes) {
    attempts.computeIfAbsent(operation(attributes), k -> new AtomicInteger()).incrementAndGet();
  }

  @Override
  public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
    responses.computeIfAbsent(operation(attributes), k -> new AtomicInteger()).incrementAndGet();
  }

  private static String operation(ExecutionAttributes attributes) {
    return attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
  }

  /** Calls of an operation that got a response. */
  int calls(String operation) {
    AtomicInteger n = responses.get(operation);
    return n == null ? 0 : n.get();
  }

  /** Calls of all operations that got a response. */
  int totalCalls() {
    return responses.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** Attempts of an operation, answered or not. */
  int attempts(String operation) {
    AtomicInteger n = attempts.get(operation);
    return n == null ? 0 : n.get();
  }

  void reset() {
    responses.clear();
    attempts.clear();
  }

  @Override
  public String toString() {
    Map<String, Integer> snapshot = new TreeMap<>();
    responses.forEach((k, v) -> snapshot.put(k, v.get()));
    return "calls" + snapshot;
  }
}
