/** A consumer of KeyGuard on the module path; see {@link dev.keyguard.modulecheck.ModuleCheck}. */
module dev.keyguard.modulecheck {
  // okhttp3, Jackson and SLF4J come through requires transitive; nothing else is named here
  requires dev.keyguard.core;
  // present for the Log4j integration check only: keyguard-core requires it static
  requires org.apache.logging.log4j.core;
}
