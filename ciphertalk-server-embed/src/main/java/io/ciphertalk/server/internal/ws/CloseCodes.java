package io.ciphertalk.server.internal.ws;

/** WebSocket close codes the server uses (4000-4999 are application-defined per RFC 6455 7.4.2). */
public final class CloseCodes {
  private CloseCodes() {}

  public static final int NORMAL = 1000;
  public static final int GOING_AWAY = 1001;
  /** A frame broke RFC 6455 (unmasked, reserved bits, bad continuation, bad control frame). */
  public static final int PROTOCOL_ERROR = 1002;
  /** Binary messages: the protocol is text only. */
  public static final int UNSUPPORTED_DATA = 1003;
  /** A text message or close reason that is not UTF-8. */
  public static final int INVALID_PAYLOAD = 1007;
  public static final int POLICY = 1008;
  public static final int TOO_BIG = 1009;
  /** The server's inbound buffer budget is exhausted; retry later. */
  public static final int TRY_AGAIN_LATER = 1013;
  /** Authentication failed or not completed in time; the client should not retry with the same token. */
  public static final int AUTH_FAILED = 4001;
  /** Authentication timeout: no valid hello in time. */
  public static final int AUTH_TIMEOUT = 4002;
  /** Origin not allowed. */
  public static final int FORBIDDEN_ORIGIN = 4003;
  /** Unknown endpoint path. */
  public static final int NOT_FOUND = 4004;
  /** Too many connections for this user (or for the server). */
  public static final int TOO_MANY_CONNECTIONS = 4029;
  /** The device was revoked by its account (a signed device revocation). */
  public static final int DEVICE_REVOKED = 4011;
  /** The client did not read fast enough: its outbound buffer exceeded the limit. */
  public static final int SLOW_CONSUMER = 4008;
  /** Persistent flooding beyond the rate limit. */
  public static final int RATE_LIMITED = 4009;
}
