package dev.keyguard.examples;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Looks for a secret value in text, in the forms it could take on its way out: as is, URL-encoded,
 * base64 (standard and URL-safe, with and without padding) and hex. The demo uses it to check its
 * own output; it never prints a form, only whether one was found.
 */
final class LeakScan {

  private LeakScan() {}

  /** The forms a value may take in a log line, a header, a URL or a body. */
  static Set<String> forms(String value) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    Set<String> forms = new LinkedHashSet<>();
    forms.add(value);
    forms.add(URLEncoder.encode(value, StandardCharsets.UTF_8));
    forms.add(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
    forms.add(Base64.getEncoder().encodeToString(utf8));
    forms.add(Base64.getEncoder().withoutPadding().encodeToString(utf8));
    forms.add(Base64.getUrlEncoder().encodeToString(utf8));
    forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(utf8));
    forms.add(HexFormat.of().formatHex(utf8));
    forms.add(HexFormat.of().withUpperCase().formatHex(utf8));
    return forms;
  }

  /**
   * Names the forms of the value found in the text (empty if none), such as {@code ["as is",
   * "base64"]}; never the value.
   */
  static List<String> find(CharSequence text, String value) {
    String haystack = text.toString();
    List<String> found = new ArrayList<>();
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    check(found, haystack, value, "as is");
    check(found, haystack, URLEncoder.encode(value, StandardCharsets.UTF_8), "URL-encoded");
    check(
        found,
        haystack,
        URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"),
        "URL-encoded");
    check(found, haystack, Base64.getEncoder().withoutPadding().encodeToString(utf8), "base64");
    check(
        found, haystack, Base64.getUrlEncoder().withoutPadding().encodeToString(utf8), "base64url");
    check(
        found, haystack.toLowerCase(java.util.Locale.ROOT), HexFormat.of().formatHex(utf8), "hex");
    return found;
  }

  private static void check(List<String> found, String haystack, String form, String name) {
    if (haystack.contains(form) && !found.contains(name)) {
      found.add(name);
    }
  }
}
