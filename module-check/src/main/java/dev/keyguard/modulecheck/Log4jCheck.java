package dev.keyguard.modulecheck;

import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.util.PluginManager;
import org.apache.logging.log4j.core.config.plugins.util.PluginType;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.core.pattern.PatternFormatter;
import org.apache.logging.log4j.core.pattern.PatternParser;
import org.apache.logging.log4j.message.SimpleMessage;

/**
 * The Log4j integration on the module path: Log4j finds {@code %redactedMsg} through the plugin
 * index in the KeyGuard jar and creates the converter by reflection, which needs the qualified
 * {@code opens dev.keyguard.logging.log4j to org.apache.logging.log4j.core}.
 */
final class Log4jCheck {

  private Log4jCheck() {}

  /**
   * Looks up the rewrite policy plugin the way a Log4j configuration does.
   *
   * @return the class the {@code KeyGuardRedaction} element resolves to, if found
   */
  static Optional<Class<?>> rewritePolicyPluginClass() {
    PluginManager core = new PluginManager(Node.CATEGORY);
    core.collectPlugins();
    return Optional.ofNullable(core.getPluginType("KeyGuardRedaction"))
        .map(PluginType::getPluginClass);
  }

  /**
   * Formats a message holding a live secret with {@code %redactedMsg}.
   *
   * @param liveSecret a value registered with the process-wide redactor
   * @return the formatted line
   */
  static String formatWithRedactedMessage(String liveSecret) {
    List<PatternFormatter> formatters =
        new PatternParser(null, PatternLayout.KEY, null).parse("[%redactedMsg]");
    LogEvent event =
        Log4jLogEvent.newBuilder()
            .setLoggerName("module-check")
            .setMessage(new SimpleMessage("calling with key=" + liveSecret))
            .build();
    StringBuilder line = new StringBuilder();
    for (PatternFormatter formatter : formatters) {
      formatter.format(event, line);
    }
    return line.toString();
  }
}
