package io.ciphertalk.server;

import org.junit.jupiter.api.Assumptions;

/**
 * The Redis the build hands to the cluster tests ({@code scripts/test.sh} starts a throwaway one and
 * passes {@code -Dciphertalk.test.redisUrl=redis://127.0.0.1:PORT}). Without the property a test
 * that calls {@link #require()} is skipped with {@link #SKIPPED}, except when {@code CI=true}: there
 * it fails, so a broken CI setup cannot silently skip the cluster suites.
 */
final class RedisTestUrl {
  static final String URL_PROPERTY = "ciphertalk.test.redisUrl";
  static final String SKIPPED = "needs PostgreSQL and Redis: run scripts/test.sh, or pass -D"
      + PostgresTestSchema.URL_PROPERTY + "=jdbc:postgresql://... and -D" + URL_PROPERTY + "=redis://HOST:PORT";

  private RedisTestUrl() {}

  /** The Redis URL; skips the calling test (fails it when {@code CI=true}) if none was given. */
  static String require() {
    String url = System.getProperty(URL_PROPERTY, "").trim();
    if (url.isEmpty()) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("CI=true but no Redis was given; " + SKIPPED);
      }
      Assumptions.abort(SKIPPED);
    }
    if (!url.startsWith("redis://")) {
      throw new AssertionError(URL_PROPERTY + " is not a redis:// URL; " + SKIPPED);
    }
    return url;
  }
}
