package io.ciphertalk.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The address of one device of one user: {@code (userId, deviceId)}. Sessions, sender keys and
 * delivery queues are all per device.
 *
 * <p>A user id is 1 to 64 characters from {@code [A-Za-z0-9._-]}; a device id is 1 to
 * 2,147,483,647. Immutable and thread-safe.
 *
 * @param userId the user's id
 * @param deviceId the device's number within that user's account
 */
public record DeviceAddress(String userId, int deviceId) implements Comparable<DeviceAddress> {
  private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  public DeviceAddress {
    Objects.requireNonNull(userId, "userId");
    if (!USER_ID.matcher(userId).matches()) {
      throw new IllegalArgumentException("user id must match [A-Za-z0-9._-]{1,64}: '" + userId + "'");
    }
    if (deviceId < 1) {
      throw new IllegalArgumentException("device id must be positive: " + deviceId);
    }
  }

  /** Shorthand for the constructor. */
  public static DeviceAddress of(String userId, int deviceId) {
    return new DeviceAddress(userId, deviceId);
  }

  /**
   * Canonical binary encoding used inside associated data and signatures: one length byte, the
   * user id in UTF-8 (ASCII by construction), then the device id as 4 big-endian bytes.
   */
  public byte[] encode() {
    byte[] user = userId.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(user.length + 5);
    out.write(user.length);
    out.write(user, 0, user.length);
    out.write(deviceId >>> 24);
    out.write(deviceId >>> 16);
    out.write(deviceId >>> 8);
    out.write(deviceId);
    return out.toByteArray();
  }

  @Override
  public int compareTo(DeviceAddress o) {
    int c = userId.compareTo(o.userId);
    return c != 0 ? c : Integer.compare(deviceId, o.deviceId);
  }

  /** {@code userId.deviceId}, e.g. {@code alice.1}. */
  @Override
  public String toString() {
    return userId + "." + deviceId;
  }
}
