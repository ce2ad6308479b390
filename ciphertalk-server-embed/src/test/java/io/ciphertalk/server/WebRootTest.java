package io.ciphertalk.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The static web root ({@code Builder.webRoot}, {@code --web-root}): files with their content
 * types and security headers, revalidated caching, the generated {@code /config.json}, and an
 * attacker's requests for files outside the root (raw request lines, so no client library tidies
 * the path first) that must never return them.
 */
class WebRootTest {
  private static final String SECRET = "secret-outside-the-web-root";

  @TempDir
  Path dir;
  private Path root;
  private CipherTalkServer server;

  @BeforeEach
  void start() throws Exception {
    root = Files.createDirectories(dir.resolve("web"));
    Files.writeString(dir.resolve("secret.txt"), SECRET);
    Files.writeString(root.resolve("index.html"), "<!doctype html><title>t</title>");
    Files.writeString(root.resolve("app.js"), "export const a = 1;");
    Files.writeString(root.resolve("style.css"), "body{}");
    Files.writeString(root.resolve(".hidden"), SECRET);
    Files.createDirectories(root.resolve("sub"));
    Files.writeString(root.resolve("sub/index.html"), "sub index");
    Files.createDirectories(root.resolve("api"));
    Files.writeString(root.resolve("api/login"), SECRET);
    Files.createDirectories(root.resolve("admin"));
    Files.writeString(root.resolve("admin/index.html"), SECRET);
    Files.createSymbolicLink(root.resolve("link.txt"), dir.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("linkdir"), dir);
    server = TestServers.builder().webRoot(root).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
        .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return TestServers.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends one request line as given (no normalisation) and returns the whole answer. */
  private String raw(String target) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      in.transferTo(answer);
      return answer.toString(StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void indexAndFiles_areServed_withTheirContentTypes_andStrictSecurityHeaders() throws Exception {
    HttpResponse<String> index = get("GET", "/");
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.body()).contains("<title>t</title>");
    assertThat(index.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    String csp = index.headers().firstValue("Content-Security-Policy").orElseThrow();
    // blob: only for images: the web app shows verified attachments from object URLs.
    assertThat(csp).contains("default-src 'none'", "script-src 'self';", "style-src 'self';", "frame-ancestors 'none'",
        "img-src 'self' data: blob:;", "connect-src 'self' ws://127.0.0.1:" + server.wsPort());
    assertThat(csp).doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
    assertThat(index.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(index.headers().firstValue("Referrer-Policy")).contains("no-referrer");

    assertThat(get("GET", "/app.js").headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
    assertThat(get("GET", "/style.css").headers().firstValue("Content-Type")).contains("text/css; charset=utf-8");
    assertThat(get("GET", "/sub/").body()).isEqualTo("sub index");
    assertThat(get("GET", "/sub").body()).isEqualTo("sub index");
    assertThat(get("GET", "/missing.js").statusCode()).isEqualTo(404);
  }

  @Test
  void caching_revalidatesWithAnETag_andHeadHasNoBody() throws Exception {
    HttpResponse<String> first = get("GET", "/app.js");
    assertThat(first.headers().firstValue("Cache-Control")).contains("no-cache");
    String etag = first.headers().firstValue("ETag").orElseThrow();
    assertThat(get("GET", "/app.js", "If-None-Match", etag).statusCode()).isEqualTo(304);
    Files.writeString(root.resolve("app.js"), "export const a = 22;");
    HttpResponse<String> changed = get("GET", "/app.js", "If-None-Match", etag);
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(changed.body()).isEqualTo("export const a = 22;");

    HttpResponse<String> head = get("HEAD", "/app.js");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("Content-Length")).contains("20");
  }

  @Test
  void configJson_namesTheWebSocketPort() throws Exception {
    HttpResponse<String> config = get("GET", "/config.json");
    assertThat(config.statusCode()).isEqualTo(200);
    assertThat(config.body()).isEqualTo("{\"wsPort\":" + server.wsPort() + ",\"wsPath\":\"/ws\"}");
    assertThat(config.headers().firstValue("Cache-Control")).contains("no-store");
  }

  @Test
  void traversal_encodedDots_backslashes_hiddenFiles_andLinksOutOfTheRoot_neverReturnAFileOutsideIt() throws Exception {
    for (String target : List.of("/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/..%2fsecret.txt",
        "/..%2Fsecret.txt", "/sub/../../secret.txt", "/sub/%2e%2e/%2e%2e/secret.txt", "/..%5csecret.txt",
        "/sub/..%5c..%5csecret.txt", "/.hidden", "/%2ehidden", "/link.txt", "/linkdir/secret.txt",
        "//secret.txt", "/./../secret.txt", "/%00/../secret.txt", "/web/../secret.txt",
        "http://127.0.0.1/../secret.txt", dir.resolve("secret.txt").toString())) {
      String answer = raw(target);
      assertThat(answer).as(target).doesNotContain(SECRET);
      assertThat(answer).as(target).matches("(?s)HTTP/1\\.1 (400|404) .*");
    }
  }

  @Test
  void apiPaths_stayTheApi_andOtherMethods_areRefused() throws Exception {
    // A file named like an API route is never served in its place.
    HttpResponse<String> login = get("GET", "/api/login");
    assertThat(login.body()).doesNotContain(SECRET);
    assertThat(login.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    assertThat(get("GET", "/health").statusCode()).isEqualTo(200);
    // The built-in administrators' dashboard is the server's own, never a web-root file.
    HttpResponse<String> admin = get("GET", "/admin/");
    assertThat(admin.statusCode()).isEqualTo(200);
    assertThat(admin.body()).doesNotContain(SECRET).contains("admin.js");
    assertThat(get("GET", "/admin/index.html").body()).doesNotContain(SECRET);

    HttpResponse<String> post = get("POST", "/index.html");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
  }

  @Test
  void start_refusesAWebRootThatIsNotADirectory() {
    assertThatThrownBy(() -> TestServers.builder().webRoot(dir.resolve("secret.txt")).build().start())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("secret.txt");
    assertThatThrownBy(() -> TestServers.builder().webRoot(dir.resolve("none")).build().start())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("none");
  }

  @Test
  void withoutAWebRoot_theListenerServesOnlyTheApi() throws Exception {
    try (CipherTalkServer plain = TestServers.builder().build().start()) {
      HttpResponse<String> r = TestServers.HTTP.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + plain.httpPort() + "/index.html")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.headers().firstValue("Content-Security-Policy")).isEmpty();
    }
  }
}
