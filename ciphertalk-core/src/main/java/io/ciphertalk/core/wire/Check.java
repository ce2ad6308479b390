package io.ciphertalk.core.wire;

import io.ciphertalk.crypto.DeviceAddress;
import java.util.List;

/** Validation helpers shared by the frame records. Every failure is a {@link FieldViolation}. */
final class Check {
  private Check() {}

  static <T> T present(T value, String field) {
    if (value == null) {
      throw new FieldViolation(ErrorCode.MISSING_FIELD, field, "required");
    }
    return value;
  }

  /** A frame id: 1-64 characters of {@code [A-Za-z0-9._:-]}. */
  static String frameId(String value) {
    present(value, "id");
    if (!isIdText(value, true)) {
      throw new FieldViolation(
          ErrorCode.INVALID_FIELD, "id", "must be 1-64 characters of [A-Za-z0-9._:-]");
    }
    return value;
  }

  /** A user or room id: 1-64 characters of {@code [A-Za-z0-9._-]}. */
  static String name(String value, String field) {
    present(value, field);
    if (!isIdText(value, false)) {
      throw new FieldViolation(
          ErrorCode.INVALID_FIELD, field, "must be 1-64 characters of [A-Za-z0-9._-]");
    }
    return value;
  }

  static String nameOrNull(String value, String field) {
    return value == null ? null : name(value, field);
  }

  static boolean isIdText(String s, boolean allowColon) {
    int n = s.length();
    if (n == 0 || n > Limits.MAX_ID_CHARS) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-'
              || (allowColon && c == ':');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static String text(String value, String field, int maxChars) {
    present(value, field);
    return textOrNull(value, field, maxChars);
  }

  static String textOrNull(String value, String field, int maxChars) {
    if (value != null && value.length() > maxChars) {
      throw new FieldViolation(
          ErrorCode.FIELD_TOO_LARGE, field, "longer than " + maxChars + " characters");
    }
    return value;
  }

  static Bytes bytes(Bytes value, String field, int minBytes, int maxBytes) {
    present(value, field);
    if (value.length() > maxBytes) {
      throw new FieldViolation(ErrorCode.FIELD_TOO_LARGE, field, "longer than " + maxBytes + " bytes");
    }
    if (value.length() < minBytes) {
      throw new FieldViolation(ErrorCode.INVALID_FIELD, field, "shorter than " + minBytes + " bytes");
    }
    return value;
  }

  static <T> List<T> list(List<T> value, String field, int min, int max) {
    present(value, field);
    if (value.size() > max) {
      throw new FieldViolation(ErrorCode.FIELD_TOO_LARGE, field, "more than " + max + " entries");
    }
    if (value.size() < min) {
      throw new FieldViolation(ErrorCode.INVALID_FIELD, field, "fewer than " + min + " entries");
    }
    for (int i = 0; i < value.size(); i++) {
      if (value.get(i) == null) {
        throw new FieldViolation(ErrorCode.MISSING_FIELD, field + "[" + i + "]", "null entry");
      }
    }
    return List.copyOf(value);
  }

  static List<String> names(List<String> value, String field, int min, int max) {
    List<String> copy = list(value, field, min, max);
    for (int i = 0; i < copy.size(); i++) {
      name(copy.get(i), field + "[" + i + "]");
    }
    return copy;
  }

  static long nonNegative(long value, String field) {
    if (value < 0) {
      throw new FieldViolation(ErrorCode.INVALID_FIELD, field, "must not be negative");
    }
    return value;
  }

  static Long nonNegativeOrNull(Long value, String field) {
    if (value != null) {
      nonNegative(value, field);
    }
    return value;
  }

  static int range(int value, String field, int min, int max) {
    if (value < min || value > max) {
      throw new FieldViolation(
          ErrorCode.INVALID_FIELD, field, "must be between " + min + " and " + max);
    }
    return value;
  }

  static DeviceAddress address(DeviceAddress value, String field) {
    return present(value, field);
  }
}
