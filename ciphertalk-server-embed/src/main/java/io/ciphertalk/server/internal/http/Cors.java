package io.ciphertalk.server.internal.http;

import io.ciphertalk.server.internal.OriginPolicy;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * CORS (Fetch standard) for every REST route, buffered ({@link HttpApi}) or streaming
 * ({@link BlobEndpoints}), so both answer browsers by one {@link OriginPolicy}: an allowed
 * cross-origin page gets {@code Access-Control-Allow-Origin} on every answer (errors included), and
 * its preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) is allowed; a preflight
 * from any other origin is refused ({@code 403 origin_not_allowed}, no CORS headers). Requests from
 * other origins are still served (a browser then hides the answer from the page; tokens are never
 * ambient cookies, so there is nothing to forge), and same-origin pages need no headers. Stateless.
 */
final class Cors {
  /** What the caller does next. */
  enum Verdict {
    /** Not a preflight: serve the request (CORS headers, if any, are already set). */
    SERVE,
    /** An allowed preflight: answer 204 with no body (the headers are set). */
    PREFLIGHT_ALLOWED,
    /** A preflight from an origin that is not allowed: answer 403 {@code origin_not_allowed}. */
    PREFLIGHT_REFUSED
  }

  /** The methods, request headers and exposed response headers of one family of routes. */
  record Routes(String methods, String allowHeaders, String exposeHeaders) {}

  /** The JSON routes: GET and POST with a bearer token and a JSON body. */
  static final Routes JSON = new Routes("GET, POST", "Authorization, Content-Type", "Retry-After");
  /** The blob routes: parts are PUT with an offset, downloads are ranged, references deleted. */
  static final Routes BLOBS = new Routes("GET, HEAD, POST, PUT, DELETE",
      "Authorization, Content-Type, Range, Upload-Offset", "Retry-After, Content-Range, Accept-Ranges");

  private Cors() {}

  /**
   * Sets the CORS response headers for a request and says whether it was a preflight.
   *
   * @param requestHeader the request's header by name (null when absent)
   * @param setHeader sets a response header (replacing)
   * @param addHeader adds a response header value
   */
  static Verdict apply(OriginPolicy origins, Routes routes, String method, UnaryOperator<String> requestHeader,
      BiConsumer<String, String> setHeader, BiConsumer<String, String> addHeader) {
    String origin = requestHeader.apply("Origin");
    if (origin == null) {
      return Verdict.SERVE;
    }
    boolean allowed = origins.allowsCrossOrigin(origin);
    boolean preflight = method.equals("OPTIONS") && requestHeader.apply("Access-Control-Request-Method") != null;
    if (allowed) {
      setHeader.accept("Access-Control-Allow-Origin", origin);
      setHeader.accept("Access-Control-Expose-Headers", routes.exposeHeaders());
    }
    addHeader.accept("Vary", "Origin");
    if (!preflight) {
      return Verdict.SERVE;
    }
    if (!allowed && !origins.isOwnPage(origin, requestHeader.apply("Host"))) {
      return Verdict.PREFLIGHT_REFUSED;
    }
    setHeader.accept("Access-Control-Allow-Methods", routes.methods());
    setHeader.accept("Access-Control-Allow-Headers", routes.allowHeaders());
    setHeader.accept("Access-Control-Max-Age", "600");
    return Verdict.PREFLIGHT_ALLOWED;
  }
}
