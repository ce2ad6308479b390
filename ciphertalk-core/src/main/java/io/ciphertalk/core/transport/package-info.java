/**
 * Client transports: the {@link io.ciphertalk.core.transport.Transport} SPI that carries protocol
 * text frames between a client and a server, a WebSocket implementation with automatic reconnect,
 * and an in-memory implementation that connects to a server in the same JVM without sockets.
 */
package io.ciphertalk.core.transport;
