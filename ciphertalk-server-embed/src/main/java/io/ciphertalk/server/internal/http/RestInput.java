package io.ciphertalk.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.ciphertalk.server.internal.ServiceException;

/**
 * Strict field rules for REST bodies, with the same error codes as the wire codec's
 * ({@code missing_field}, {@code invalid_field}, {@code field_too_large}; 400, naming the field):
 * no type coercion (a number is not a string, {@code 1.5} or {@code 4294967297} is not an int),
 * text within a length limit and free of control and bidirectional-override characters. Stateless.
 */
final class RestInput {
  private RestInput() {}

  static ServiceException missing(String field) {
    return new ServiceException("missing_field", 400, field + " is required");
  }

  static ServiceException invalid(String field, String rule) {
    return new ServiceException("invalid_field", 400, field + " " + rule);
  }

  /** A string field of at most {@code maxChars} characters, or null if absent and not required. */
  static String text(JsonNode b, String field, boolean required, int maxChars) {
    JsonNode n = b.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw missing(field);
      }
      return null;
    }
    if (!n.isTextual()) {
      throw invalid(field, "must be a string");
    }
    String s = n.textValue();
    if (s.length() > maxChars) {
      throw new ServiceException("field_too_large", 400, field + " is longer than " + maxChars + " characters");
    }
    return s;
  }

  /**
   * Display text (room names, descriptions, nicknames): as {@link #text}, and refused if it holds
   * control characters (NUL, line breaks) or bidirectional formatting characters (U+202A-U+202E,
   * U+2066-U+2069, U+200E/F), which let a name render as something else.
   */
  static String displayText(JsonNode b, String field, boolean required, int maxChars) {
    String s = text(b, field, required, maxChars);
    if (s != null) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (Character.isISOControl(c) || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')
            || c == '\u200E' || c == '\u200F' || c == '\u061C') {
          throw invalid(field, "must not contain control or bidirectional formatting characters");
        }
      }
    }
    return s;
  }

  /** A JSON integer in {@code [min, max]} (no fractions, no strings, no silent truncation), or {@code dflt}. */
  static long integer(JsonNode b, String field, long min, long max, long dflt) {
    JsonNode n = b.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
      throw invalid(field, "must be an integer between " + min + " and " + max);
    }
    return n.longValue();
  }

  static boolean bool(JsonNode b, String field, boolean dflt) {
    JsonNode n = b.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isBoolean()) {
      throw invalid(field, "must be true or false");
    }
    return n.booleanValue();
  }
}
