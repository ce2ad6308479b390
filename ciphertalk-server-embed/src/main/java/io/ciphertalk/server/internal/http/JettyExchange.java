package io.ciphertalk.server.internal.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One Jetty request presented as the JDK's {@link HttpExchange}, which the REST routes are written
 * against: the body has already been read in full (without holding a thread), and the response is
 * buffered and written by {@link #close}. Used by one handler thread at a time.
 */
final class JettyExchange extends HttpExchange {
  private final Request request;
  private final Response response;
  private final Callback callback;
  private final byte[] body;
  private final Headers requestHeaders = new Headers();
  private final Headers responseHeaders = new Headers();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final Map<String, Object> attributes = new HashMap<>();
  private int status = -1;
  private boolean done;

  JettyExchange(Request request, Response response, Callback callback, byte[] body) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.body = body;
    for (HttpField f : request.getHeaders()) {
      requestHeaders.add(f.getName(), f.getValue());
    }
  }

  @Override
  public Headers getRequestHeaders() {
    return requestHeaders;
  }

  @Override
  public Headers getResponseHeaders() {
    return responseHeaders;
  }

  @Override
  public URI getRequestURI() {
    return request.getHttpURI().toURI();
  }

  @Override
  public String getRequestMethod() {
    return request.getMethod();
  }

  @Override
  public HttpContext getHttpContext() {
    throw new UnsupportedOperationException("no HttpContext behind Jetty");
  }

  @Override
  public InputStream getRequestBody() {
    return new ByteArrayInputStream(body);
  }

  @Override
  public OutputStream getResponseBody() {
    return out;
  }

  @Override
  public void sendResponseHeaders(int code, long length) {
    if (status != -1) {
      throw new IllegalStateException("headers already sent");
    }
    status = code;
  }

  /** Writes the status, headers and buffered body, and completes Jetty's callback. Idempotent. */
  @Override
  public void close() {
    if (done) {
      return;
    }
    done = true;
    response.setStatus(status == -1 ? 500 : status);
    for (Map.Entry<String, List<String>> h : responseHeaders.entrySet()) {
      for (String v : h.getValue()) {
        response.getHeaders().add(h.getKey(), v);
      }
    }
    response.write(true, ByteBuffer.wrap(out.toByteArray()), callback);
  }

  @Override
  public InetSocketAddress getRemoteAddress() {
    SocketAddress a = request.getConnectionMetaData().getRemoteSocketAddress();
    return a instanceof InetSocketAddress isa ? isa : new InetSocketAddress(Request.getRemoteAddr(request), 0);
  }

  @Override
  public int getResponseCode() {
    return status;
  }

  @Override
  public InetSocketAddress getLocalAddress() {
    SocketAddress a = request.getConnectionMetaData().getLocalSocketAddress();
    return a instanceof InetSocketAddress isa ? isa : null;
  }

  @Override
  public String getProtocol() {
    return request.getConnectionMetaData().getProtocol();
  }

  @Override
  public Object getAttribute(String name) {
    return attributes.get(name);
  }

  @Override
  public void setAttribute(String name, Object value) {
    attributes.put(name, value);
  }

  @Override
  public void setStreams(InputStream i, OutputStream o) {
    throw new UnsupportedOperationException("filters are not used");
  }

  @Override
  public HttpPrincipal getPrincipal() {
    return null;
  }
}
