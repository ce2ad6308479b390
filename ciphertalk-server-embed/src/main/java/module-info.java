/**
 * CipherTalk embeddable server: accounts, key directory, rooms, durable store-and-forward routing
 * over WebSocket, REST API and metrics.
 */
module io.ciphertalk.server {
  // Public API types: InMemoryEndpoint (core), RandomSource (crypto, transitive through core), DataSource.
  requires transitive io.ciphertalk.core;
  requires io.ciphertalk.crypto;
  requires org.bouncycastle.provider;
  requires com.fasterxml.jackson.databind;
  requires org.java_websocket;
  requires org.jdbi.v3.core;
  requires com.h2database;
  requires transitive java.sql;
  requires org.slf4j;
  requires transitive micrometer.core; // CipherTalkServer.Builder#meterRegistry
  requires micrometer.registry.prometheus;
  requires jdk.httpserver; // the HttpExchange type the REST routes are written against
  requires org.eclipse.jetty.server;
  requires org.eclipse.jetty.http;
  requires org.eclipse.jetty.io;
  requires org.eclipse.jetty.util;
  // Compile-time only: the tests (patched into this module by javac) drive the REST API with java.net.http.
  requires static java.net.http;
  // Optional: the pool for a non-H2 JDBC URL (Database.HikariPool, loaded only when present).
  requires static com.zaxxer.hikari;

  exports io.ciphertalk.server;
}
