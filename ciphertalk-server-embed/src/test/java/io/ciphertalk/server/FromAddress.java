package io.ciphertalk.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 requests from a chosen loopback source address (127.0.0.2, 127.0.0.3, ...), so tests can
 * play clients on different addresses (the JDK HttpClient of Java 17 cannot pick its local address).
 */
final class FromAddress {
  private FromAddress() {}

  record Reply(int status, Map<String, String> headers, JsonNode body) {}

  static Reply post(CipherTalkServer s, String from, String path, String token, String body) throws Exception {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
      socket.connect(new InetSocketAddress("127.0.0.1", s.httpPort()), 5000);
      socket.setSoTimeout(10_000);
      byte[] data = body.getBytes(StandardCharsets.UTF_8);
      StringBuilder req = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/json\r\nConnection: close\r\nContent-Length: " + data.length + "\r\n");
      if (token != null) {
        req.append("Authorization: Bearer ").append(token).append("\r\n");
      }
      req.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
      out.write(data);
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String text = all.toString(StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      String[] head = text.substring(0, split).split("\r\n");
      int status = Integer.parseInt(head[0].split(" ")[1]);
      Map<String, String> headers = new TreeMap<>();
      for (int i = 1; i < head.length; i++) {
        int c = head[i].indexOf(':');
        headers.put(head[i].substring(0, c).strip().toLowerCase(Locale.ROOT), head[i].substring(c + 1).strip());
      }
      String rest = text.substring(split + 4);
      if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        rest = dechunk(rest);
      }
      return new Reply(status, headers, TestServers.JSON.readTree(rest));
    }
  }

  private static String dechunk(String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (true) {
      int nl = s.indexOf("\r\n", i);
      int len = Integer.parseInt(s.substring(i, nl).strip(), 16);
      if (len == 0) {
        return out.toString();
      }
      out.append(s, nl + 2, nl + 2 + len);
      i = nl + 2 + len + 2;
    }
  }
}
