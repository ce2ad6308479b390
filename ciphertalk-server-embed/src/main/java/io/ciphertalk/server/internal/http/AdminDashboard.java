package io.ciphertalk.server.internal.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ciphertalk.server.internal.ServiceException;
import io.ciphertalk.server.internal.auth.AccountService;
import io.ciphertalk.server.internal.metrics.AdminStats;
import io.ciphertalk.server.internal.metrics.MinuteSeries;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The administrators' statistics: {@code GET /api/admin/stats} (aggregate figures only, for an
 * administrator's bearer token; docs/server-guide.md, "Administrators' statistics") and the
 * dashboard page that draws them, a fixed set of files under {@code /admin/} read from this jar
 * and from the uPlot webjar, served with a strict Content-Security-Policy. Not a general static
 * file server. Thread-safe.
 */
final class AdminDashboard {
  private static final Logger LOG = LoggerFactory.getLogger(AdminDashboard.class);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final String STATS = "/api/admin/stats";
  /**
   * The dashboard's policy: scripts, styles and requests from this origin only (no inline script or
   * style element, no eval), nothing framed or framing, forms posting nowhere (the page signs in
   * with fetch; without its script a submit must not put the password in a URL).
   */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
      + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final String PAGES = "/io/ciphertalk/server/internal/http/admin/";
  private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

  /** A file of the page: its type and bytes. */
  record Asset(String contentType, byte[] body) {}

  private final AccountService accounts;
  private final AdminStats stats;
  private final Map<String, Asset> assets;

  AdminDashboard(AccountService accounts, AdminStats stats) {
    this.accounts = accounts;
    this.stats = stats;
    this.assets = loadAssets();
  }

  private static Map<String, Asset> loadAssets() {
    Map<String, Asset> m = new LinkedHashMap<>();
    m.put("/admin/", new Asset("text/html; charset=utf-8", own("index.html")));
    m.put("/admin/admin.js", new Asset("text/javascript; charset=utf-8", own("admin.js")));
    m.put("/admin/admin.css", new Asset("text/css; charset=utf-8", own("admin.css")));
    m.put("/admin/favicon.svg", new Asset("image/svg+xml", own("favicon.svg")));
    String version = uplotVersion();
    if (version == null) {
      LOG.warn("the uPlot webjar is not on the class path: the admin dashboard draws no charts");
      return Map.copyOf(m);
    }
    String dir = "META-INF/resources/webjars/uplot/" + version + "/";
    byte[] js = webjar(dir + "dist/uPlot.iife.min.js");
    byte[] css = webjar(dir + "dist/uPlot.min.css");
    byte[] license = webjar(dir + "LICENSE");
    if (js != null && css != null && license != null) {
      m.put("/admin/vendor/uPlot.iife.min.js", new Asset("text/javascript; charset=utf-8", js));
      m.put("/admin/vendor/uPlot.min.css", new Asset("text/css; charset=utf-8", css));
      m.put("/admin/vendor/uPlot.LICENSE.txt", new Asset("text/plain; charset=utf-8", license));
    }
    return Map.copyOf(m);
  }

  private static byte[] own(String name) {
    try (InputStream in = AdminDashboard.class.getResourceAsStream(PAGES + name)) {
      if (in == null) {
        throw new IllegalStateException("missing dashboard resource " + PAGES + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] webjar(String path) {
    try (InputStream in = AdminDashboard.class.getClassLoader().getResourceAsStream(path)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String uplotVersion() {
    byte[] pom = webjar(UPLOT_POM);
    if (pom == null) {
      return null;
    }
    Properties p = new Properties();
    try {
      p.load(new java.io.ByteArrayInputStream(pom));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version");
  }

  static boolean handles(String path) {
    return path.equals(STATS) || path.equals("/admin") || path.startsWith("/admin/");
  }

  /** The page file for {@code path}, or null (404). {@code /admin} itself redirects to {@code /admin/}. */
  Asset asset(String path) {
    return assets.get(path);
  }

  /** The statistics for the holder of {@code bearer}: 401 without a valid token, 403 unless an administrator. */
  ObjectNode stats(Supplier<String> bearer) {
    String user = accounts.authenticate(bearer.get());
    if (!accounts.isAdmin(user)) {
      throw ServiceException.forbidden("forbidden", "administrators only");
    }
    return json(stats.snapshot());
  }

  /** The documented shape (docs/server-guide.md): counts, sizes and durations, nothing else. */
  static ObjectNode json(AdminStats.Snapshot s) {
    ObjectNode out = F.objectNode();
    out.put("generatedAt", s.generatedAt());
    out.put("connections", s.connections());
    MinuteSeries.Snapshot m = s.minutes();
    ObjectNode minutes = out.putObject("perMinute");
    minutes.put("start", m.startMillis());
    minutes.put("stepMillis", 60_000);
    longs(minutes.putArray("messages"), m.messages());
    longs(minutes.putArray("deliveries"), m.deliveries());
    nullable(minutes.putArray("latencyP50Millis"), m.p50Millis());
    nullable(minutes.putArray("latencyP99Millis"), m.p99Millis());
    ObjectNode latency = out.putObject("deliveryLatency");
    long deliveries = 0;
    for (long d : m.deliveries()) {
      deliveries += d;
    }
    latency.put("deliveries", deliveries);
    latency.put("p50Millis", m.overallP50Millis());
    latency.put("p99Millis", m.overallP99Millis());
    ObjectNode active = out.putObject("activeUsersPerDay");
    active.put("firstDay", s.activeUsers().firstDay().toString());
    longs(active.putArray("counts"), s.activeUsers().perDay());
    ObjectNode storage = out.putObject("storage");
    storage.put("databaseBytes", s.storage().databaseBytes());
    storage.put("blobBytes", s.storage().blobBytes());
    return out;
  }

  private static void longs(ArrayNode a, long[] values) {
    for (long v : values) {
      a.add(v);
    }
  }

  private static void nullable(ArrayNode a, Long[] values) {
    for (Long v : values) {
      if (v == null) {
        a.addNull();
      } else {
        a.add(v);
      }
    }
  }
}
