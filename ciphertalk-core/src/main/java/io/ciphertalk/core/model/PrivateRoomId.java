package io.ciphertalk.core.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * The canonical id of the private room of two users (docs/protocol.md, "Private room ids"). With
 * {@code lo} and {@code hi} the two user ids in {@link String#compareTo} order:
 *
 * <ul>
 *   <li>{@code "p-" + lo + "-" + hi} when neither id contains {@code '-'} and the result is at most
 *       64 characters (readable; unambiguous because the only dashes are the two separators);
 *   <li>otherwise {@code "p-"} + the first 20 bytes of SHA-256({@code lo + "\0" + hi}) in lower-case
 *       hex (one dash, so never equal to a readable id).
 * </ul>
 *
 * The server creates a private room only under this id and with exactly these two members, and
 * reserves the {@code p-} prefix for private rooms; the client checks the id, kind and members of
 * a private room before it uses one. Stateless and thread-safe.
 */
public final class PrivateRoomId {
  /** Prefix of every private room id; group room ids never start with it. */
  public static final String PREFIX = "p-";

  private PrivateRoomId() {}

  /** The canonical private room id of {@code a} and {@code b} (order does not matter). */
  public static String of(String a, String b) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    if (a.equals(b)) {
      throw new IllegalArgumentException("a private room needs two different users: " + a);
    }
    String lo = a.compareTo(b) < 0 ? a : b;
    String hi = lo.equals(a) ? b : a;
    String readable = PREFIX + lo + "-" + hi;
    if (readable.length() <= 64 && lo.indexOf('-') < 0 && hi.indexOf('-') < 0) {
      return readable;
    }
    try {
      byte[] h = MessageDigest.getInstance("SHA-256")
          .digest((lo + "\0" + hi).getBytes(StandardCharsets.UTF_8));
      return PREFIX + HexFormat.of().formatHex(h, 0, 20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required on every Java platform", e);
    }
  }

  /**
   * Whether a room with this id, kind and member user ids is the genuine private room of {@code
   * self} and {@code other}: kind private, members exactly the two, id canonical.
   */
  public static boolean isPrivateRoomOf(String roomId, RoomKind kind,
      java.util.Collection<String> members, String self, String other) {
    return kind == RoomKind.PRIVATE && members.size() == 2 && members.contains(self)
        && members.contains(other) && !self.equals(other) && of(self, other).equals(roomId);
  }

  /** As {@link #isPrivateRoomOf} for any pair: a private room whose id matches its two members. */
  public static boolean isCanonical(String roomId, RoomKind kind, Map<String, ?> members) {
    if (kind != RoomKind.PRIVATE || members.size() != 2) {
      return false;
    }
    var it = members.keySet().iterator();
    String a = it.next();
    String b = it.next();
    return of(a, b).equals(roomId);
  }
}
