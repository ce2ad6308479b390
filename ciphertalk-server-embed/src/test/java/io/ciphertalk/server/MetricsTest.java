package io.ciphertalk.server;

import static io.ciphertalk.server.TestServers.http;
import static io.ciphertalk.server.TestServers.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The server's meters through Micrometer: its own Prometheus registry behind {@code GET /metrics}
 * (what the standalone server runs), or the host's registry.
 */
class MetricsTest {
  private static final Pattern DOC_ROW = Pattern.compile("^\\| `(ciphertalk_[a-z_]+)` \\| (counter|gauge|summary) \\|");
  private static final Pattern TYPE = Pattern.compile("(?m)^# TYPE (ciphertalk_[a-z_]+) (\\w+)$");
  private static final Pattern SAMPLE = Pattern.compile("(?m)^(ciphertalk_[a-z_]+) (\\S+)$");

  /** The meters documented in docs/server-guide.md, "Metrics": name to type. */
  static Map<String, String> documentedMeters() throws Exception {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("mvnw"))) {
      p = p.getParent();
    }
    assertThat(p).as("repository root").isNotNull();
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(p.resolve("docs/server-guide.md"))) {
      Matcher m = DOC_ROW.matcher(line);
      if (m.find()) {
        out.put(m.group(1), m.group(2));
      }
    }
    assertThat(out).as("meters in the server guide's table").hasSizeGreaterThanOrEqualTo(13);
    return out;
  }

  /** Parses Prometheus text: sample name to value, and the types its TYPE lines declare. */
  record Scrape(Map<String, Double> samples, Map<String, String> types) {
    static Scrape parse(String text) {
      Map<String, Double> samples = new HashMap<>();
      Matcher s = SAMPLE.matcher(text);
      while (s.find()) {
        samples.put(s.group(1), Double.parseDouble(s.group(2)));
      }
      Map<String, String> types = new HashMap<>();
      Matcher t = TYPE.matcher(text);
      while (t.find()) {
        types.put(t.group(1), t.group(2));
      }
      return new Scrape(samples, types);
    }

    String typeOf(String sample) {
      // The Prometheus text format names a counter's family without the _total of its sample.
      return types.getOrDefault(sample, types.get(sample.replaceFirst("_total$", "")));
    }
  }

  @Test
  void metricsEndpoint_servesEveryDocumentedMeter_withItsType_andCounts() throws Exception {
    try (CipherTalkServer server = TestServers.builder().build().start()) {
      TestServers.account(server, "alice");
      assertThat(http(server, "POST", "/api/login", null, json("username", "alice", "password", "wrong"))
          .status()).isEqualTo(401);
      TestServers.Response r = http(server, "GET", "/metrics", null, null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
      Scrape scrape = Scrape.parse(r.body().asText());
      documentedMeters().forEach((name, type) -> {
        if (type.equals("summary")) {
          // A summary's samples are its _count and _sum (and the quantiles, which carry labels).
          assertThat(scrape.samples()).as("samples of " + name).containsKeys(name + "_count", name + "_sum");
          assertThat(r.body().asText()).as("quantiles of " + name)
              .contains(name + "{quantile=\"0.5\"}", name + "{quantile=\"0.99\"}");
        } else {
          assertThat(scrape.samples()).as("sample of " + name).containsKey(name);
        }
        assertThat(scrape.typeOf(name)).as("type of " + name).isEqualTo(type);
      });
      assertThat(scrape.samples().get("ciphertalk_auth_failures_total")).isEqualTo(1.0);
      assertThat(scrape.samples().get("ciphertalk_direct_queue_depth")).isEqualTo(0.0);
      // nothing undocumented slips in either
      assertThat(scrape.samples().keySet()).allSatisfy(n -> assertThat(documentedMeters())
          .containsKey("summary".equals(documentedMeters().get(n.replaceFirst("_(count|sum)$", "")))
              ? n.replaceFirst("_(count|sum)$", "") : n));
      assertThat(server.metricsText()).contains("ciphertalk_auth_failures_total 1");
    }
  }

  @Test
  void hostRegistry_getsTheServersMeters_andLosesThemOnClose() throws Exception {
    SimpleMeterRegistry host = new SimpleMeterRegistry();
    try (CipherTalkServer server = TestServers.builder().meterRegistry(host).build().start()) {
      TestServers.account(server, "alice");
      assertThat(http(server, "POST", "/api/login", null, json("username", "alice", "password", "wrong"))
          .status()).isEqualTo(401);
      assertThat(host.get("ciphertalk.auth.failures").counter().count()).isEqualTo(1.0);
      assertThat(host.get("ciphertalk.direct.queue.depth").gauge().value()).isEqualTo(0.0);
      assertThat(host.get("ciphertalk.ws.open.sockets").gauge().value()).isGreaterThanOrEqualTo(0.0);
      // Not a Prometheus registry: the host exposes the meters itself.
      assertThat(http(server, "GET", "/metrics", null, null).status()).isEqualTo(404);
      assertThatThrownBy(server::metricsText).isInstanceOf(IllegalStateException.class);
    }
    assertThat(host.getMeters()).extracting(Meter::getId).extracting(Meter.Id::getName)
        .noneMatch(n -> n.startsWith("ciphertalk."));
  }

  @Test
  void hostPrometheusRegistry_isServedOnMetrics() throws Exception {
    PrometheusMeterRegistry host = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    host.counter("host_requests").increment();
    try (CipherTalkServer server = TestServers.builder().meterRegistry(host).build().start()) {
      TestServers.Response r = http(server, "GET", "/metrics", null, null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body().asText()).contains("ciphertalk_messages_routed_total", "host_requests_total");
    }
  }
}
