package dev.keyguard.client;

/** What a client does with its key hygiene audit ({@link KeyGuardClient.Builder#keyAudit}). */
public enum KeyAuditMode {
  /** No audit (the default): no request is sent that the application did not make. */
  OFF,
  /**
   * Audit each key at {@link KeyGuardClient#auditKeys()} and each new version a request meets;
   * findings fire {@code KeyTooPowerful} / {@code KeyNotIpRestricted} and a warning, and never stop
   * the application. An audit endpoint that fails is logged and ignored.
   */
  WARN,
  /**
   * As {@link #WARN}, and {@link KeyGuardClient#auditKeys()} throws {@link KeyHygieneException} on
   * a finding or when the audit endpoint fails, so that the application refuses to start.
   */
  REFUSE_TO_START
}
