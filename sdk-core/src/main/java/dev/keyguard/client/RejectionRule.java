package dev.keyguard.client;

import dev.keyguard.VersionedCredential;
import dev.keyguard.key.ManagedKey;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * How an API says that it refused the credential: by HTTP status (401 and 403 by default), and, for
 * APIs that do not say it with a status, by one of its error codes in a top-level JSON field of the
 * response body (Kraken answers HTTP 200 with {@code {"error":["EAPI:Invalid key"]}}). On such a
 * response a {@link KeyGuardClient} reports the key to {@link
 * ManagedKey#rejected(VersionedCredential)} and retries once with a different version, if there is
 * one. One rule is shared by an {@link ApiPreset} and the client built from it.
 *
 * <p>Error codes without a {@linkplain #errorField() field} are informational (the API documents
 * them, the status decides); with a field the client peeks at the first 16 KiB of 2xx and
 * non-retryable 4xx bodies for them, without consuming the body. List only codes with which the API
 * refuses the credential <em>before processing the request</em>: such a request is retried once
 * with the other version even if it is a POST.
 *
 * <p>Immutable and thread-safe; the {@code with…} methods return a new rule.
 *
 * <pre>{@code
 * RejectionRule kraken = RejectionRule.defaults()
 *     .withErrorField("error")
 *     .withErrorCodes("EAPI:Invalid key", "EAPI:Invalid signature");
 * }</pre>
 */
public final class RejectionRule {

  private static final RejectionRule DEFAULTS = new RejectionRule(Set.of(401, 403), null, Set.of());

  private static final RejectionRule NONE = new RejectionRule(Set.of(), null, Set.of());

  private final Set<Integer> statuses;
  private final @Nullable String errorField;
  private final Set<String> errorCodes;

  private RejectionRule(
      Set<Integer> statuses, @Nullable String errorField, Set<String> errorCodes) {
    this.statuses = Collections.unmodifiableSet(new TreeSet<>(statuses));
    this.errorField = errorField;
    this.errorCodes = Collections.unmodifiableSet(new LinkedHashSet<>(errorCodes));
  }

  /**
   * The default rule: statuses 401 and 403, no error codes.
   *
   * @return the rule
   */
  public static RejectionRule defaults() {
    return DEFAULTS;
  }

  /**
   * A rule that recognises no rejection: rotation-aware retry off.
   *
   * @return the rule
   */
  public static RejectionRule none() {
    return NONE;
  }

  /**
   * This rule with other rejection statuses.
   *
   * @param statuses HTTP statuses from 400 to 499; none for an API that never signals a rejection
   *     by status
   * @return the new rule
   * @throws IllegalArgumentException if a status is outside 400 to 499
   */
  public RejectionRule withStatuses(int... statuses) {
    Objects.requireNonNull(statuses, "statuses");
    Set<Integer> checked = new TreeSet<>();
    for (int status : statuses) {
      if (status < 400 || status > 499) {
        throw new IllegalArgumentException(
            "a rejection status must be a 4xx client error (400 to 499), was " + status);
      }
      checked.add(status);
    }
    return new RejectionRule(checked, errorField, errorCodes);
  }

  /**
   * This rule with other error codes, as the API writes them (such as {@code -2015} or {@code
   * EAPI:Invalid key}); acted on only with an {@linkplain #withErrorField(String) error field}.
   *
   * @param codes the codes; none removes them (and with them body matching)
   * @return the new rule
   * @throws IllegalArgumentException if a code is blank
   */
  public RejectionRule withErrorCodes(String... codes) {
    Objects.requireNonNull(codes, "codes");
    Set<String> checked = new LinkedHashSet<>();
    for (String code : codes) {
      checked.add(notBlank(code, "rejection error code"));
    }
    return new RejectionRule(statuses, errorField, checked);
  }

  /**
   * This rule with the top-level JSON field in which the API reports its error codes, so that a
   * response whose field holds one of the {@linkplain #errorCodes() codes} (as a string or number,
   * or as an element of an array) counts as a rejection.
   *
   * @param field the field name, such as {@code error}
   * @return the new rule
   * @throws IllegalArgumentException if the name is blank
   */
  public RejectionRule withErrorField(String field) {
    return new RejectionRule(statuses, notBlank(field, "rejection error field"), errorCodes);
  }

  /**
   * This rule without an error field: rejections are recognised by status only, the codes stay
   * informational.
   *
   * @return the new rule
   */
  public RejectionRule withoutErrorField() {
    return new RejectionRule(statuses, null, errorCodes);
  }

  /**
   * The statuses that mean the credential was refused.
   *
   * @return an unmodifiable, sorted set
   */
  public Set<Integer> statuses() {
    return statuses;
  }

  /**
   * The API's error codes that mean the credential was refused.
   *
   * @return an unmodifiable set in the order given, possibly empty
   */
  public Set<String> errorCodes() {
    return errorCodes;
  }

  /**
   * The top-level JSON field the client looks for the error codes in.
   *
   * @return the field, or empty when rejections are recognised by status only
   */
  public Optional<String> errorField() {
    return Optional.ofNullable(errorField);
  }

  /**
   * Whether a status means the credential was refused.
   *
   * @param status an HTTP status
   * @return true if it is one of {@link #statuses()}
   */
  public boolean isRejectionStatus(int status) {
    // every rejection status is a 4xx (withStatuses checks): a 2xx is answered without boxing
    return status >= 400 && status <= 499 && statuses.contains(status);
  }

  /** Whether bodies are looked at: a field and at least one code. */
  boolean inspectsBodies() {
    return errorField != null && !errorCodes.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RejectionRule r
        && statuses.equals(r.statuses)
        && Objects.equals(errorField, r.errorField)
        && errorCodes.equals(r.errorCodes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(statuses, errorField, errorCodes);
  }

  /** Shows the statuses, field and codes (none of them secret). */
  @Override
  public String toString() {
    return "RejectionRule[statuses="
        + statuses
        + (errorField == null ? "" : ", errorField=" + errorField)
        + (errorCodes.isEmpty() ? "" : ", errorCodes=" + errorCodes)
        + "]";
  }

  private static String notBlank(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isBlank()) {
      throw new IllegalArgumentException("a " + what + " must not be blank");
    }
    return value;
  }
}
