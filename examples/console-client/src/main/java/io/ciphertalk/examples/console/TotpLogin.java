package io.ciphertalk.examples.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ciphertalk.client.AuthenticationException;
import io.ciphertalk.client.CipherTalkException;
import io.ciphertalk.client.RequestFailedException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Login with a TOTP second factor through the server's REST API ({@code POST /api/login} with
 * {@code username}, {@code password} and {@code totp}); the token it returns is handed to the SDK
 * with {@code CipherTalkClient.useToken}. The SDK's own {@code login} has no second-factor
 * parameter, so the console does this step itself. Thread-safe; never logs the password, code or
 * token.
 */
final class TotpLogin {
  /** The prefix of the SDK's AuthenticationException message when the server wants a code. */
  static final String TOTP_REQUIRED = "totp_required";

  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI http;
  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  TotpLogin(URI http) {
    this.http = Objects.requireNonNull(http, "http");
  }

  /** Logs in with a one-time code; returns the bearer token. */
  String login(String user, String password, String code) throws CipherTalkException {
    String body = JSON.createObjectNode().put("username", user).put("password", password)
        .put("totp", code).toString();
    HttpRequest req = HttpRequest.newBuilder(http.resolve("/api/login"))
        .timeout(Duration.ofSeconds(15))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .build();
    try {
      HttpResponse<String> resp = client.send(req,
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      JsonNode json = resp.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(resp.body());
      if (resp.statusCode() == 200 && json.path("token").isTextual()) {
        return json.get("token").textValue();
      }
      String error = json.path("error").asText("http_" + resp.statusCode());
      if (resp.statusCode() == 401 || resp.statusCode() == 400) {
        throw new AuthenticationException(error + ": " + json.path("message").asText(""));
      }
      throw new RequestFailedException(error, "login answered HTTP " + resp.statusCode());
    } catch (IOException e) {
      throw new RequestFailedException("not_connected", "cannot reach " + http + ": "
          + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RequestFailedException("not_connected", "interrupted");
    }
  }
}
