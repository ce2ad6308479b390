package io.ciphertalk.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ciphertalk.server.internal.OriginPolicy;
import io.ciphertalk.server.internal.ServiceException;
import io.ciphertalk.server.internal.auth.AccountService;
import io.ciphertalk.server.internal.blobs.BlobService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blob routes ({@code /api/blobs...}, docs/protocol.md "Blob store (REST)"), which stream
 * bodies instead of buffering them: an upload part goes from the socket to the {@code BlobStore}
 * and a download from the store to the socket, through a 64 KiB buffer. They run on the HTTP
 * request pool (a slow client holds a thread at most until the idle timeout). JSON bodies (create,
 * references) follow the same strict rules as the other REST routes, and browsers are answered by
 * the same origin policy ({@link Cors}). Thread-safe.
 */
final class BlobEndpoints {
  private static final Logger LOG = LoggerFactory.getLogger(BlobEndpoints.class);
  private static final Pattern BLOB = Pattern.compile("/api/blobs/([0-9a-f]{32})(/upload|/finish|/refs|/refs/([0-9a-fA-F-]{36}))?");
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d{0,19})-(\\d{0,19})");

  private final BlobService blobs;
  private final AccountService accounts;
  private final ObjectMapper json;
  private final int maxJsonBytes;
  private final OriginPolicy origins;

  BlobEndpoints(BlobService blobs, AccountService accounts, ObjectMapper json, int maxJsonBytes,
      OriginPolicy origins) {
    this.origins = origins;
    this.blobs = blobs;
    this.accounts = accounts;
    this.json = json;
    this.maxJsonBytes = maxJsonBytes;
  }

  static boolean handles(String path) {
    return path.equals("/api/blobs") || path.equals("/api/blobs/") || path.startsWith("/api/blobs/");
  }

  /** Serves one request on the calling (pool) thread and completes {@code callback}. */
  void handle(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getPath();
    String method = request.getMethod();
    try {
      // The same origin policy as the JSON routes, answered before authentication: a browser's
      // preflight carries no token.
      Cors.Verdict cors = Cors.apply(origins, Cors.BLOBS, method, request.getHeaders()::get,
          response.getHeaders()::put, response.getHeaders()::add);
      if (cors == Cors.Verdict.PREFLIGHT_REFUSED) {
        throw new ServiceException("origin_not_allowed", 403, "origin not allowed");
      }
      if (cors == Cors.Verdict.PREFLIGHT_ALLOWED) {
        response.setStatus(204);
        response.write(true, null, callback);
        return;
      }
      route(request, response, callback, method, path);
    } catch (ServiceException e) {
      error(response, callback, e);
    } catch (IOException e) {
      // Usually the client went away mid-body; nothing was recorded for an incomplete part.
      LOG.debug("blob request {} {} failed: {}", method, path, e.toString());
      error(response, callback, new ServiceException("incomplete_body", 400, "the request body could not be read"));
    } catch (RuntimeException e) {
      LOG.warn("blob request {} {} failed", method, path, e);
      error(response, callback, new ServiceException("server_error", 500, "internal error"));
    }
  }

  private void route(Request request, Response response, Callback callback, String method, String path)
      throws IOException {
    if (path.equals("/api/blobs") || path.equals("/api/blobs/")) {
      require(method, "POST");
      String user = auth(request);
      JsonNode b = jsonBody(request);
      String room = RestInput.text(b, "room", true, 128);
      long size = RestInput.integer(b, "size", 1, Long.MAX_VALUE, 0);
      if (!b.hasNonNull("size")) {
        throw RestInput.missing("size");
      }
      String messageId = messageId(b);
      Long expiresAt = b.hasNonNull("expiresAt") ? RestInput.integer(b, "expiresAt", 0, Long.MAX_VALUE, 0) : null;
      BlobService.Blob blob = blobs.create(user, room, size, messageId, expiresAt);
      send(response, callback, 201, state(blob).put("maxPartBytes", blobs.limits().maxPartBytes()));
      return;
    }
    Matcher m = BLOB.matcher(path);
    if (!m.matches()) {
      throw ServiceException.notFound("no such endpoint");
    }
    String id = m.group(1);
    String sub = m.group(2) == null ? "" : m.group(2);
    String user = auth(request);
    if (sub.isEmpty() && method.equals("PUT")) {
      long offset = offset(request);
      long length = request.getLength();
      if (length < 0) {
        throw new ServiceException("length_required", 411, "send Content-Length with each part");
      }
      long received = blobs.append(user, id, offset, length, Content.Source.asInputStream(request));
      send(response, callback, 200, json.createObjectNode().put("id", id).put("offset", received));
    } else if (sub.isEmpty() && (method.equals("GET") || method.equals("HEAD"))) {
      download(request, response, callback, user, id, method.equals("HEAD"));
    } else if (sub.equals("/upload")) {
      require(method, "GET");
      send(response, callback, 200, state(blobs.status(user, id)));
    } else if (sub.equals("/finish")) {
      require(method, "POST");
      send(response, callback, 200, state(blobs.finish(user, id)));
    } else if (sub.equals("/refs")) {
      require(method, "POST");
      JsonNode b = jsonBody(request);
      Long expiresAt = b.hasNonNull("expiresAt") ? RestInput.integer(b, "expiresAt", 0, Long.MAX_VALUE, 0) : null;
      blobs.addReference(user, id, messageId(b), expiresAt);
      send(response, callback, 201, json.createObjectNode().put("id", id));
    } else if (m.group(3) != null) {
      require(method, "DELETE");
      blobs.dropReference(user, id, canonical(m.group(3), "messageId"));
      response.setStatus(204);
      response.getHeaders().put("Cache-Control", "no-store");
      response.write(true, null, callback);
    } else {
      throw new ServiceException("method_not_allowed", 405, "use PUT, GET or HEAD");
    }
  }

  private void download(Request request, Response response, Callback callback, String user, String id, boolean head)
      throws IOException {
    BlobService.Blob b = blobs.readable(user, id);
    long size = b.size();
    long from = 0;
    long to = size - 1;
    String range = request.getHeaders().get("Range");
    boolean partial = false;
    if (range != null) {
      Matcher r = RANGE.matcher(range.strip());
      long[] span = r.matches() ? span(r.group(1), r.group(2), size) : null;
      if (span == null) {
        response.getHeaders().put("Content-Range", "bytes */" + size);
        throw new ServiceException("range_not_satisfiable", 416, "use one range within 0-" + (size - 1));
      }
      from = span[0];
      to = span[1];
      partial = true;
    }
    long length = to - from + 1;
    response.setStatus(partial ? 206 : 200);
    response.getHeaders().put("Content-Type", "application/octet-stream");
    response.getHeaders().put("Accept-Ranges", "bytes");
    response.getHeaders().put("Cache-Control", "private, no-store");
    response.getHeaders().put("Content-Length", length);
    if (partial) {
      response.getHeaders().put("Content-Range", "bytes " + from + "-" + to + "/" + size);
    }
    if (head) {
      response.write(true, null, callback);
      return;
    }
    try (InputStream in = blobs.open(b, from, length); OutputStream out = Content.Sink.asOutputStream(response)) {
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      LOG.debug("blob download {} cut: {}", id, e.toString());
      callback.failed(e);
      return;
    }
    callback.succeeded();
  }

  /** {@code [from, to]} for "a-b", "a-" or "-suffix", or null if unsatisfiable. */
  private static long[] span(String a, String b, long size) {
    try {
      if (a.isEmpty()) {
        if (b.isEmpty()) {
          return null;
        }
        long suffix = Long.parseLong(b);
        return suffix == 0 ? null : new long[] {Math.max(0, size - suffix), size - 1};
      }
      long from = Long.parseLong(a);
      long to = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
      return from >= size || to < from ? null : new long[] {from, to};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static long offset(Request request) {
    String q = request.getHttpURI().getQuery();
    String header = request.getHeaders().get("Upload-Offset");
    String v = header;
    if (q != null) {
      for (String kv : q.split("&")) {
        if (kv.startsWith("offset=")) {
          v = kv.substring(7);
        }
      }
    }
    if (v == null) {
      throw RestInput.missing("offset");
    }
    try {
      long o = Long.parseLong(v);
      if (o < 0) {
        throw new NumberFormatException();
      }
      return o;
    } catch (NumberFormatException e) {
      throw RestInput.invalid("offset", "must be a non-negative integer");
    }
  }

  private ObjectNode state(BlobService.Blob b) {
    return json.createObjectNode().put("id", b.id()).put("room", b.roomId()).put("size", b.size())
        .put("offset", b.received()).put("complete", b.complete());
  }

  private static String messageId(JsonNode b) {
    return canonical(RestInput.text(b, "messageId", true, 64), "messageId");
  }

  private static String canonical(String s, String field) {
    try {
      return io.ciphertalk.core.model.MessageId.parse(s).toString();
    } catch (IllegalArgumentException e) {
      throw RestInput.invalid(field, "must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
    }
  }

  private String auth(Request request) {
    String h = request.getHeaders().get("Authorization");
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw ServiceException.unauthorized("expected Authorization: Bearer token");
    }
    return accounts.authenticate(h.substring(7).strip());
  }

  private static void require(String method, String expected) {
    if (!method.equals(expected)) {
      throw new ServiceException("method_not_allowed", 405, "use " + expected);
    }
  }

  private JsonNode jsonBody(Request request) throws IOException {
    String ct = request.getHeaders().get("Content-Type");
    if (ct != null && !ct.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new ServiceException("unsupported_media_type", 415, "send application/json");
    }
    if (request.getLength() > maxJsonBytes) {
      throw new ServiceException("payload_too_large", 413, "body larger than " + maxJsonBytes + " bytes");
    }
    byte[] data;
    try (InputStream in = Content.Source.asInputStream(request)) {
      data = in.readNBytes(maxJsonBytes + 1);
    }
    if (data.length > maxJsonBytes) {
      throw new ServiceException("payload_too_large", 413, "body larger than " + maxJsonBytes + " bytes");
    }
    try {
      JsonNode n = json.readTree(data);
      if (n == null || !n.isObject()) {
        throw ServiceException.badRequest("body must be a JSON object");
      }
      return n;
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      if (String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")) {
        throw new ServiceException("duplicate_field", 400, "a key appears twice in the JSON body");
      }
      throw new ServiceException("invalid_json", 400, "malformed JSON body");
    }
  }

  private void send(Response response, Callback callback, int status, JsonNode body) throws IOException {
    byte[] data = json.writeValueAsBytes(body);
    response.setStatus(status);
    response.getHeaders().put("Content-Type", "application/json");
    response.getHeaders().put("Cache-Control", "no-store");
    response.write(true, ByteBuffer.wrap(data), callback);
  }

  private void error(Response response, Callback callback, ServiceException e) {
    if (response.isCommitted()) {
      callback.failed(e);
      return;
    }
    try {
      send(response, callback, e.httpStatus(), json.createObjectNode().put("error", e.code()).put("message", e.getMessage()));
    } catch (IOException io) {
      callback.failed(io);
    }
  }
}
