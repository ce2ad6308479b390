package io.ciphertalk.server.internal.cluster;

import java.net.URI;
import java.util.Objects;

/**
 * Where the cluster's Redis is and how to log in: {@code redis://[[USER]:PASSWORD@]HOST[:PORT]},
 * or {@code rediss://...} for TLS (the server's certificate is checked against the JVM's trust
 * store, {@code javax.net.ssl.trustStore}, and its name against HOST). With a password every
 * connection sends {@code AUTH [USER] PASSWORD} first (Redis 6 ACL users, or {@code requirepass}
 * without a user). {@link #toString()} never shows the credentials. Immutable.
 */
public final class RedisEndpoint {
  private static final String FORM = "redis URI must be redis://[[USER]:PASSWORD@]HOST[:PORT] or rediss://...,"
      + " without database number or options";

  private final String host;
  private final int port;
  private final boolean tls;
  private final String user;
  private final String password;

  private RedisEndpoint(String host, int port, boolean tls, String user, String password) {
    this.host = host;
    this.port = port;
    this.tls = tls;
    this.user = user;
    this.password = password;
  }

  /**
   * Parses and checks a Redis URI. The message of the exception never repeats the URI (it may
   * carry a password).
   *
   * @throws IllegalArgumentException for anything but the forms above
   */
  public static RedisEndpoint parse(String uri) {
    Objects.requireNonNull(uri, "redis");
    URI u;
    try {
      u = new URI(uri);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(FORM + " (not a valid URI)");
    }
    boolean tls = "rediss".equals(u.getScheme());
    if (!tls && !"redis".equals(u.getScheme()) || u.getHost() == null
        || (u.getPath() != null && !u.getPath().isEmpty() && !u.getPath().equals("/"))
        || u.getQuery() != null || u.getFragment() != null) {
      throw new IllegalArgumentException(FORM);
    }
    String user = null;
    String password = null;
    String info = u.getUserInfo(); // percent-escapes decoded
    if (info != null) {
      int colon = info.indexOf(':');
      if (colon < 0 || colon == info.length() - 1) {
        throw new IllegalArgumentException(FORM + " (a user needs a password)");
      }
      user = colon == 0 ? null : info.substring(0, colon);
      password = info.substring(colon + 1);
    }
    return new RedisEndpoint(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort(), tls, user, password);
  }

  /** The same endpoint with {@code password} (and no user unless the URI named one). */
  public RedisEndpoint withPassword(String password) {
    Objects.requireNonNull(password, "password");
    if (password.isEmpty()) {
      throw new IllegalArgumentException("redis password must not be empty");
    }
    return new RedisEndpoint(host, port, tls, user, password);
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public boolean tls() {
    return tls;
  }

  /** The ACL user, or null (the default user, or {@code requirepass}). */
  String user() {
    return user;
  }

  /** The password, or null for none. */
  String password() {
    return password;
  }

  /** {@code redis[s]://HOST:PORT}, plus a note that credentials are set; never the credentials. */
  @Override
  public String toString() {
    return (tls ? "rediss://" : "redis://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port
        + (password != null ? " (with AUTH)" : "");
  }
}
