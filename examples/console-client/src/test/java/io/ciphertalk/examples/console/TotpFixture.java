package io.ciphertalk.examples.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns on TOTP for an account through the server's REST API, as an authenticator app user would,
 * and computes codes independently of the server (RFC 6238: HMAC-SHA1, 30 s, 6 digits).
 */
final class TotpFixture {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TotpFixture() {}

  static byte[] enroll(URI http, String user, String password) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    JsonNode login = post(client, http.resolve("/api/login"), null,
        JSON.createObjectNode().put("username", user).put("password", password).toString());
    String token = login.get("token").textValue();
    JsonNode enrol = post(client, http.resolve("/api/totp/enroll"), token,
        JSON.createObjectNode().put("password", password).toString());
    byte[] secret = base32(enrol.get("secret").textValue());
    post(client, http.resolve("/api/totp/confirm"), token, JSON.createObjectNode()
        .put("code", code(secret, System.currentTimeMillis() / 1000)).toString());
    return secret;
  }

  private static JsonNode post(HttpClient client, URI uri, String token, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError(uri + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** RFC 6238 TOTP with RFC 4226 dynamic truncation. */
  static String code(byte[] secret, long epochSeconds) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(secret, "HmacSHA1"));
    byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(epochSeconds / 30).array());
    int o = h[h.length - 1] & 0x0f;
    int bin = ((h[o] & 0x7f) << 24) | ((h[o + 1] & 0xff) << 16) | ((h[o + 2] & 0xff) << 8)
        | (h[o + 3] & 0xff);
    return String.format("%06d", bin % 1_000_000);
  }

  private static byte[] base32(String text) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    ByteBuffer out = ByteBuffer.allocate(text.length() * 5 / 8);
    int buffer = 0;
    int bits = 0;
    for (char c : text.toUpperCase().toCharArray()) {
      buffer = (buffer << 5) | alphabet.indexOf(c);
      bits += 5;
      if (bits >= 8) {
        out.put((byte) (buffer >> (bits - 8)));
        bits -= 8;
      }
    }
    return java.util.Arrays.copyOf(out.array(), out.position());
  }

}
