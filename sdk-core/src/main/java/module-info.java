/**
 * KeyGuard core: the {@link dev.keyguard.Secret} type and its vocabulary, the key path ({@link
 * dev.keyguard.key.KeyManager} over a {@link dev.keyguard.key.KeyProvider}), the local providers,
 * the authentication schemes, the HTTPS-only {@link dev.keyguard.client.KeyGuardClient} and the
 * logging integrations. {@code dev.keyguard.internal} is not exported: it is not API.
 */
module dev.keyguard.core {
  // the API exposes these types (OkHttp interceptors and clients, Jackson type references and
  // mappers, SLF4J loggers), so a module that reads KeyGuard reads them too
  requires transitive okhttp3;
  requires transitive com.fasterxml.jackson.databind;
  requires transitive org.slf4j;

  // logging integrations: compiled against, never required at run time; an application that
  // configures dev.keyguard.logging.logback or .log4j brings that backend itself. Not transitive,
  // although those classes extend the backend's types: javac would then require both backends on
  // the module path of every consumer's compilation (the exports lint is off for this reason)
  requires static ch.qos.logback.classic;
  requires static ch.qos.logback.core;
  requires static org.apache.logging.log4j;
  requires static org.apache.logging.log4j.core;
  // @NullMarked on every package: annotations only, not needed at run time
  requires static org.jspecify;

  exports dev.keyguard;
  exports dev.keyguard.key;
  exports dev.keyguard.provider;
  exports dev.keyguard.auth;
  exports dev.keyguard.client;
  exports dev.keyguard.logging;
  exports dev.keyguard.logging.logback;
  // Log4j finds its plugins through the Log4j2Plugins.dat index in this jar (META-INF is not
  // encapsulated) and calls their public static factories, which this export allows: no opens is
  // needed (module-check proves both). A builder-style plugin with private @PluginBuilderAttribute
  // fields would need: opens dev.keyguard.logging.log4j to org.apache.logging.log4j.core
  exports dev.keyguard.logging.log4j;

  // Jackson instantiates the refusing serializer named by @JsonSerialize on Secret,
  // VersionedCredential and the providers (and makes its constructor accessible): deep reflection
  // into this one package, for Jackson only; nothing is exported
  opens dev.keyguard.internal to
      com.fasterxml.jackson.databind;
}
