package io.ciphertalk.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.ciphertalk.server.internal.ServiceException;

/**
 * Strict field rules for REST bodies, with the same error codes as the wire codec's
 * ({@code missing_field}, {@code invalid_field}, {@code field_too_large}; 400, naming the field):
 * no type coercion (a number is not a string, {@code 1.5} or {@code 4294967297} is not an int),
 * text within a length limit. Display text (names) is checked once, in the service, for both paths. Stateless.
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
