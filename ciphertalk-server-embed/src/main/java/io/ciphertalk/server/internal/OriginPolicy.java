package io.ciphertalk.server.internal;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;

/**
 * Which browser origins may use the server: the server's own pages (an origin with the same host
 * as the request's {@code Host} header and the REST listener's port, so a page served by this
 * server's HTTP listener may open its WebSocket on the other port), and the origins configured
 * with {@code allowedOrigins} ({@code *} = any). A request without an {@code Origin} header is not
 * from a browser page and is not judged here. Immutable and thread-safe.
 *
 * <p>Bearer tokens are sent explicitly, never as cookies, so an allowed cross-origin page still
 * needs a token; the policy keeps other sites' pages from reading REST answers (CORS) and from
 * opening WebSockets in a user's browser.
 */
public final class OriginPolicy {
  /** {@code scheme://host[:port]} as browsers send it: no path, no trailing slash. */
  private static final Pattern ORIGIN =
      Pattern.compile("https?://(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?");

  private final Set<String> allowed;
  private final boolean any;
  private final IntSupplier ownHttpPort;

  /**
   * @param allowed origins allowed besides the server's own pages, each {@code *} or
   *     {@code http(s)://host[:port]}
   * @param ownHttpPort the bound REST port (read when needed: ports are known after start), or a
   *     value {@code <= 0} when there is no REST listener
   * @throws IllegalArgumentException if an origin is not of that form
   */
  public OriginPolicy(Set<String> allowed, IntSupplier ownHttpPort) {
    for (String o : allowed) {
      check(o);
    }
    this.allowed = Set.copyOf(allowed);
    this.any = allowed.contains("*");
    this.ownHttpPort = Objects.requireNonNull(ownHttpPort, "ownHttpPort");
  }

  /** Throws {@link IllegalArgumentException} naming {@code origin} unless it is {@code *} or an origin. */
  public static String check(String origin) {
    Objects.requireNonNull(origin, "origin");
    if (!origin.equals("*") && !ORIGIN.matcher(origin).matches()) {
      throw new IllegalArgumentException("not an origin (scheme://host[:port], or *): " + origin);
    }
    return origin;
  }

  /** True if {@code origin} is in the configured list (or the list holds {@code *}). */
  public boolean allowsCrossOrigin(String origin) {
    return origin != null && (any || allowed.contains(origin));
  }

  /**
   * True if {@code origin} is a page of this server: same host as {@code hostHeader} (the
   * request's {@code Host}), and the REST listener's port.
   */
  public boolean isOwnPage(String origin, String hostHeader) {
    int port = ownHttpPort.getAsInt();
    if (origin == null || hostHeader == null || port <= 0 || !ORIGIN.matcher(origin).matches()) {
      return false;
    }
    URI o;
    URI h;
    try {
      o = new URI(origin);
      h = new URI("http://" + hostHeader.trim());
    } catch (java.net.URISyntaxException e) {
      return false;
    }
    if (o.getHost() == null || h.getHost() == null) {
      return false;
    }
    int originPort = o.getPort() != -1 ? o.getPort() : o.getScheme().equals("https") ? 443 : 80;
    return originPort == port
        && o.getHost().toLowerCase(Locale.ROOT).equals(h.getHost().toLowerCase(Locale.ROOT));
  }

  /** Whether a WebSocket handshake with these headers is accepted (no Origin: not a browser, yes). */
  public boolean allowsWebSocket(String origin, String hostHeader) {
    return origin == null || origin.isEmpty() || allowsCrossOrigin(origin) || isOwnPage(origin, hostHeader);
  }
}
