package io.ciphertalk.server.internal.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves a directory of static files (the web app) on the REST listener, for every path outside
 * the API ({@link #handles}). Only {@code GET} and {@code HEAD}.
 *
 * <p>Safe by construction: the decoded request path is split into segments, and a segment that is
 * empty, {@code .}, {@code ..}, starts with a dot (hidden files), or holds a backslash, a colon or a
 * control character is refused (404, the same answer as a missing file, so nothing about the
 * directory leaks); the resolved file must then still be under the root after symbolic links are
 * followed ({@link Path#toRealPath}), so a link out of the root is not served either. A directory
 * serves its {@code index.html}. Files up to {@link #MAX_FILE_BYTES} only.
 *
 * <p>Every answer carries a strict Content-Security-Policy (scripts, styles, images and fonts only
 * from this origin, no inline script or style, no eval, no framing, network access only to this
 * origin and this server's WebSocket port), {@code X-Content-Type-Options: nosniff},
 * {@code Referrer-Policy: no-referrer} and {@code Cross-Origin-Opener-Policy: same-origin}.
 * Caching: {@code Cache-Control: no-cache} with a weak ETag (size and modification time), so a
 * browser revalidates (304) and never runs a stale SDK after an upgrade. {@code /config.json} is
 * generated: {@code {"wsPort": N, "wsPath": "/ws"}}, where the page finds the WebSocket.
 *
 * <p>Thread-safe (stateless apart from the root).
 */
final class StaticFiles {
  /** Larger files are not served (413 is not right for a GET; 404 with a log line at debug). */
  static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

  private static final Map<String, String> TYPES = Map.ofEntries(
      Map.entry("html", "text/html; charset=utf-8"),
      Map.entry("js", "text/javascript; charset=utf-8"),
      Map.entry("mjs", "text/javascript; charset=utf-8"),
      Map.entry("css", "text/css; charset=utf-8"),
      Map.entry("json", "application/json"),
      Map.entry("map", "application/json"),
      Map.entry("webmanifest", "application/manifest+json"),
      Map.entry("svg", "image/svg+xml"),
      Map.entry("png", "image/png"),
      Map.entry("ico", "image/x-icon"),
      Map.entry("woff2", "font/woff2"),
      Map.entry("txt", "text/plain; charset=utf-8"));
  private static final Pattern BAD_SEGMENT = Pattern.compile("^$|^\\..*|.*[\\\\:\\x00-\\x1f\\x7f].*");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]");

  private final Path root;
  private final IntSupplier wsPort;

  /**
   * @param root an existing directory
   * @throws IllegalArgumentException naming {@code root} when it is not one
   * @param wsPort the WebSocket listener's port, or -1 when there is none
   */
  StaticFiles(Path root, IntSupplier wsPort) {
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("web root is not a directory: " + root);
    }
    try {
      this.root = root.toRealPath();
    } catch (IOException e) {
      throw new IllegalArgumentException("web root " + root + " cannot be read: " + e.getMessage(), e);
    }
    this.wsPort = wsPort;
  }

  /** True for the paths this serves: everything but the REST API, health and metrics. */
  static boolean handles(String path) {
    return path != null && !path.equals("/api") && !path.startsWith("/api/") && !path.equals("/metrics")
        && !path.equals("/health") && !path.startsWith("/health/")
        && !path.equals("/admin") && !path.startsWith("/admin/"); // the built-in dashboard
  }

  /** Answers one request (blocking file I/O: run it on a pool thread). */
  void handle(Request request, Response response, Callback callback) {
    try {
      String method = request.getMethod();
      HttpFields.Mutable h = response.getHeaders();
      String host = Request.getServerName(request);
      securityHeaders(h, host);
      if (!method.equals("GET") && !method.equals("HEAD")) {
        h.put("Allow", "GET, HEAD");
        text(response, callback, 405, "method not allowed");
        return;
      }
      boolean head = method.equals("HEAD");
      String path = request.getHttpURI().getDecodedPath();
      if ("/config.json".equals(path)) {
        byte[] body = ("{\"wsPort\":" + wsPort.getAsInt() + ",\"wsPath\":\"/ws\"}").getBytes(StandardCharsets.UTF_8);
        h.put("Content-Type", "application/json");
        h.put("Cache-Control", "no-store");
        send(response, callback, 200, head ? null : body, body.length);
        return;
      }
      Path file = resolve(path);
      if (file == null) {
        text(response, callback, 404, "not found");
        return;
      }
      BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
      String etag = "W/\"" + Long.toHexString(attrs.size()) + "-" + Long.toHexString(attrs.lastModifiedTime().toMillis()) + "\"";
      h.put("Content-Type", type(file));
      h.put("Cache-Control", "no-cache");
      h.put("ETag", etag);
      String inm = request.getHeaders().get("If-None-Match");
      if (inm != null && (inm.equals(etag) || inm.equals(etag.substring(2)))) {
        send(response, callback, 304, null, -1);
        return;
      }
      byte[] body = head ? null : Files.readAllBytes(file);
      send(response, callback, 200, body, attrs.size());
    } catch (IOException | RuntimeException e) {
      callback.failed(e);
    }
  }

  /**
   * The file a decoded request path names, or null when it names nothing servable (missing,
   * refused segment, outside the root after links, not a regular file, too large).
   */
  Path resolve(String decodedPath) throws IOException {
    if (decodedPath == null || !decodedPath.startsWith("/")) {
      return null;
    }
    String rel = decodedPath.substring(1);
    if (rel.isEmpty() || rel.endsWith("/")) {
      rel = rel + "index.html";
    }
    Path p = root;
    for (String segment : rel.split("/", -1)) {
      if (BAD_SEGMENT.matcher(segment).matches()) {
        return null;
      }
      p = p.resolve(segment);
    }
    if (!p.normalize().startsWith(root) || !Files.exists(p)) {
      return null;
    }
    if (Files.isDirectory(p)) {
      p = p.resolve("index.html");
      if (!Files.exists(p)) {
        return null;
      }
    }
    Path real = p.toRealPath();
    if (!real.startsWith(root) || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)
        || Files.size(real) > MAX_FILE_BYTES) {
      return null;
    }
    return real;
  }

  private void securityHeaders(HttpFields.Mutable h, String host) {
    int port = wsPort.getAsInt();
    StringBuilder connect = new StringBuilder("'self'");
    if (port > 0 && host != null && HOST.matcher(host).matches()) {
      connect.append(" ws://").append(host).append(':').append(port)
          .append(" wss://").append(host).append(':').append(port);
    }
    h.put("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        + "font-src 'self'; connect-src " + connect + "; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
        + "frame-ancestors 'none'");
    h.put("X-Content-Type-Options", "nosniff");
    h.put("Referrer-Policy", "no-referrer");
    h.put("Cross-Origin-Opener-Policy", "same-origin");
    h.put("X-Frame-Options", "DENY");
  }

  private static String type(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    return TYPES.getOrDefault(ext, "application/octet-stream");
  }

  private static void text(Response response, Callback callback, int status, String message) {
    byte[] body = message.getBytes(StandardCharsets.UTF_8);
    response.getHeaders().put("Content-Type", "text/plain; charset=utf-8");
    response.getHeaders().put("Cache-Control", "no-store");
    send(response, callback, status, body, body.length);
  }

  private static void send(Response response, Callback callback, int status, byte[] body, long length) {
    response.setStatus(status);
    if (length >= 0 && status != 304) {
      response.getHeaders().put("Content-Length", length);
    }
    response.write(true, body == null ? null : ByteBuffer.wrap(body), callback);
  }
}
