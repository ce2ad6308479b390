/**
 * The server load generator: {@link io.ciphertalk.benchmarks.load.LoadGenerator} (command line, run by
 * {@code benchmarks/load.sh}) drives simulated clients over real WebSockets on 127.0.0.1 against
 * CipherTalk's embedded server and against {@link io.ciphertalk.benchmarks.load.ReferenceRelay}, a bare
 * broadcast relay that stands for the machine's practical limit, and reports both side by side.
 *
 * <p>Pieces: a minimal NIO WebSocket client ({@code WsLoop}, {@code WsConnection}), per-server client
 * protocols ({@code RelayProtocol}, {@code CipherTalkProtocol}), server placements ({@code Servers}:
 * in this JVM, a child JVM running {@link io.ciphertalk.benchmarks.load.ServerHost}, or an external
 * URL), exactly-once accounting ({@link io.ciphertalk.benchmarks.load.DeliveryLedger}) and latency
 * percentiles ({@link io.ciphertalk.benchmarks.load.LatencyHistogram}). Never shipped.
 */
package io.ciphertalk.benchmarks.load;
