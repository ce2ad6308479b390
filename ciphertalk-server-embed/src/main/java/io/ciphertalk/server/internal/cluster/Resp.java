package io.ciphertalk.server.internal.cluster;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One blocking connection speaking RESP2, the Redis wire protocol: commands are arrays of bulk
 * strings, replies are simple strings, errors, integers, bulk strings and arrays. Only what the
 * cluster bus needs (PUBLISH, SUBSCRIBE, a few set and key commands, PING); see
 * docs/architecture.md for why this is not Jedis or Lettuce.
 *
 * <p>Replies are read with limits checked before allocation (a bulk string of at most
 * {@link #MAX_BULK} bytes, arrays of at most {@link #MAX_ARRAY} elements, nesting depth 2), so a
 * misbehaving peer cannot make the node allocate without bound. Not thread-safe: the caller
 * serializes use.
 */
final class Resp implements AutoCloseable {
  static final int MAX_BULK = 1 << 20;
  static final int MAX_ARRAY = 100_000;

  /** A reply of type error ({@code -ERR ...}). */
  record Error(String message) {}

  /** Thrown for a reply that breaks the protocol or the limits, and for I/O failures. */
  static final class RespException extends IOException {
    private static final long serialVersionUID = 1L;

    RespException(String message) {
      super(message);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private Resp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
  }

  /** Connects with a timeout; {@code readTimeoutMillis} 0 means reads block without limit. */
  static Resp connect(String host, int port, int connectTimeoutMillis, int readTimeoutMillis) throws IOException {
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.setKeepAlive(true);
      s.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
      s.setSoTimeout(readTimeoutMillis);
      return new Resp(s);
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  /**
   * Connects to {@code endpoint}: TLS for {@code rediss} (certificate checked against the JVM's
   * trust store and the host name), then {@code AUTH} when it carries a password.
   *
   * @throws RespException if Redis refuses the credentials (the message never holds them)
   */
  static Resp connect(RedisEndpoint endpoint, int connectTimeoutMillis, int readTimeoutMillis) throws IOException {
    Resp r = connect(endpoint.host(), endpoint.port(), connectTimeoutMillis, readTimeoutMillis);
    try {
      if (endpoint.tls()) {
        javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) ((javax.net.ssl.SSLSocketFactory)
            javax.net.ssl.SSLSocketFactory.getDefault()).createSocket(r.socket, endpoint.host(), endpoint.port(), true);
        javax.net.ssl.SSLParameters params = tls.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(params);
        tls.setSoTimeout(Math.max(connectTimeoutMillis, readTimeoutMillis));
        tls.startHandshake();
        tls.setSoTimeout(readTimeoutMillis);
        r = new Resp(tls);
      }
      if (endpoint.password() != null) {
        Object ok = endpoint.user() == null ? r.call("AUTH", endpoint.password())
            : r.call("AUTH", endpoint.user(), endpoint.password());
        if (!"OK".equals(ok)) {
          String why = ok instanceof Error e ? e.message().split(" ", 2)[0] : "unexpected reply";
          throw new RespException("Redis refused AUTH (" + why + "): check the user and password");
        }
      }
      return r;
    } catch (IOException e) {
      r.close();
      throw e;
    }
  }

  /** Queues one command (flushed by {@link #flush} or {@link #call}). */
  void write(String... args) throws IOException {
    out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (String a : args) {
      byte[] b = a.getBytes(StandardCharsets.UTF_8);
      out.write(('$' + Integer.toString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(b);
      out.write('\r');
      out.write('\n');
    }
  }

  void flush() throws IOException {
    out.flush();
  }

  /** Sends one command and returns its reply. */
  Object call(String... args) throws IOException {
    write(args);
    flush();
    return read();
  }

  /**
   * Reads one reply: a {@code String} (simple or bulk; null for a null bulk), {@code Long},
   * {@link Error}, or {@code List<Object>} (null for a null array).
   */
  Object read() throws IOException {
    return read(0);
  }

  private Object read(int depth) throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new RespException("connection closed by Redis");
    }
    String line = line();
    switch (type) {
      case '+':
        return line;
      case '-':
        return new Error(line);
      case ':':
        return parseLong(line);
      case '$': {
        long n = parseLong(line);
        if (n < 0) {
          return null;
        }
        if (n > MAX_BULK) {
          throw new RespException("bulk string of " + n + " bytes exceeds " + MAX_BULK);
        }
        byte[] b = in.readNBytes((int) n);
        if (b.length != n || in.read() != '\r' || in.read() != '\n') {
          throw new RespException("truncated bulk string");
        }
        return new String(b, StandardCharsets.UTF_8);
      }
      case '*': {
        long n = parseLong(line);
        if (n < 0) {
          return null;
        }
        if (n > MAX_ARRAY || depth >= 2) {
          throw new RespException("array of " + n + " elements at depth " + depth + " exceeds the limits");
        }
        List<Object> items = new ArrayList<>((int) n);
        for (int i = 0; i < n; i++) {
          items.add(read(depth + 1));
        }
        return items;
      }
      default:
        throw new RespException("unknown reply type " + type);
    }
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new RespException("connection closed by Redis");
      }
      if (c == '\r') {
        if (in.read() != '\n') {
          throw new RespException("malformed line ending");
        }
        return sb.toString();
      }
      if (sb.length() >= 4096) {
        throw new RespException("reply line too long");
      }
      sb.append((char) c);
    }
  }

  private static long parseLong(String s) throws RespException {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new RespException("not an integer: " + s);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
