package dev.keyguard.client;

import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;

/**
 * A request was refused before it was sent: its key's daily budget of requests or credits ({@link
 * UsageOptions.Builder#dailyBudget(long)} with {@link
 * UsageOptions.Builder#refuseOverBudget(boolean)}) is used up. The budget starts again at midnight
 * UTC; raise it, or find the loop that used it.
 *
 * <p>{@link #isRetryable()} is {@code false}: retrying today gives the same answer.
 */
public class UsageBudgetExceededException extends KeyGuardException {

  private static final long serialVersionUID = 1L;

  /** The daily budget that was used up. */
  private final long budget;

  /**
   * Creates the exception.
   *
   * @param message what was refused and what to do; never a secret value
   * @param keyId the key whose budget is used up
   * @param budget the daily budget
   */
  public UsageBudgetExceededException(String message, KeyId keyId, long budget) {
    super(message, null, keyId, null, false);
    this.budget = budget;
  }

  /**
   * The daily budget that was used up.
   *
   * @return the budget, in requests or credits
   */
  public long budget() {
    return budget;
  }
}
