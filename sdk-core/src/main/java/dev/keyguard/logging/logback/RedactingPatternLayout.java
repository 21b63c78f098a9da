package dev.keyguard.logging.logback;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;
import ch.qos.logback.core.pattern.Converter;
import ch.qos.logback.core.pattern.ConverterUtil;
import ch.qos.logback.core.pattern.DynamicConverter;
import ch.qos.logback.core.pattern.FormatInfo;
import ch.qos.logback.core.pattern.FormattingConverter;
import ch.qos.logback.core.pattern.ReplacingCompositeConverter;
import ch.qos.logback.core.pattern.SpacePadder;
import ch.qos.logback.core.pattern.parser.Node;
import ch.qos.logback.core.pattern.parser.Parser;
import ch.qos.logback.core.spi.ScanException;
import dev.keyguard.Redactor;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A {@link PatternLayout} in which each conversion's output is redacted before the pattern's format
 * modifiers pad or cut it: {@code %.-30msg} cuts the redacted message, never a raw one. Cutting
 * first would keep the start of a secret that crosses the cut, which whole-value redaction of the
 * finished line cannot recognise any more.
 *
 * <p>A composite ({@code %(...)}, {@code %highlight(...)}) is redacted as a whole before its own
 * modifiers apply. Two things inside a composite would still act on raw text, so a pattern that has
 * them is refused at start (fail closed): a conversion with a maximum width inside a composite (put
 * the modifier on the composite instead), and {@code %replace}, whose regular expression could
 * rewrite a secret into a form the redactor does not know.
 */
final class RedactingPatternLayout extends PatternLayout {

  private List<Converter<ILoggingEvent>> conversions = List.of();

  @Override
  public void start() {
    super.start();
    if (!isStarted()) {
      return;
    }
    try {
      Parser<ILoggingEvent> parser = new Parser<>(getPattern());
      parser.setContext(getContext());
      Node tree = parser.parse();
      Converter<ILoggingEvent> head = parser.compile(tree, getEffectiveConverterMap());
      if (postCompileProcessor != null) {
        postCompileProcessor.process(getContext(), head);
      }
      ConverterUtil.setContextForConverters(getContext(), head);
      ConverterUtil.startConverters(head);
      String unsafe = unsafeInsideComposites(head, false);
      if (unsafe != null) {
        addError(
            "KeyGuard's RedactingEncoder refuses the pattern \""
                + getPattern()
                + "\": "
                + unsafe
                + " would act on text before it is redacted");
        stop();
        return;
      }
      List<Converter<ILoggingEvent>> list = new ArrayList<>();
      for (Converter<ILoggingEvent> c = head; c != null; c = c.getNext()) {
        list.add(c);
      }
      conversions = List.copyOf(list);
    } catch (ScanException | IllegalArgumentException e) {
      addError("Failed to parse pattern \"" + getPattern() + "\".", e);
      stop();
    }
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    if (!isStarted()) {
      return "";
    }
    StringBuilder line = new StringBuilder(256);
    for (Converter<ILoggingEvent> c : conversions) {
      if (c instanceof DynamicConverter<ILoggingEvent> conversion) {
        String redacted = Redactor.global().redact(conversion.convert(event));
        format(line, redacted, conversion.getFormattingInfo());
      } else {
        c.write(line, event); // a literal of the pattern
      }
    }
    return line.toString();
  }

  /** Pads or cuts as {@link FormattingConverter#write} does, on text already redacted. */
  private static void format(StringBuilder line, String s, FormatInfo modifiers) {
    if (modifiers == null) {
      line.append(s);
      return;
    }
    int min = modifiers.getMin();
    int max = modifiers.getMax();
    if (s == null) {
      if (0 < min) {
        SpacePadder.spacePad(line, min);
      }
      return;
    }
    int len = s.length();
    if (len > max) {
      line.append(modifiers.isLeftTruncate() ? s.substring(len - max) : s.substring(0, max));
    } else if (len < min) {
      if (modifiers.isLeftPad()) {
        SpacePadder.leftPad(line, s, min);
      } else {
        SpacePadder.rightPad(line, s, min);
      }
    } else {
      line.append(s);
    }
  }

  /** Names the first conversion that would see raw text inside a composite, or null. */
  private static @Nullable String unsafeInsideComposites(
      @Nullable Converter<ILoggingEvent> first, boolean inside) {
    for (Converter<ILoggingEvent> c = first; c != null; c = c.getNext()) {
      if (c instanceof ReplacingCompositeConverter) {
        return "%replace";
      }
      if (inside
          && c instanceof FormattingConverter<ILoggingEvent> f
          && f.getFormattingInfo() != null
          && f.getFormattingInfo().getMax() != Integer.MAX_VALUE) {
        return "a maximum width (" + f.getFormattingInfo() + ") inside a composite";
      }
      if (c instanceof CompositeConverter<ILoggingEvent> composite) {
        String inner = unsafeInsideComposites(composite.getChildConverter(), true);
        if (inner != null) {
          return inner;
        }
      }
    }
    return null;
  }
}
