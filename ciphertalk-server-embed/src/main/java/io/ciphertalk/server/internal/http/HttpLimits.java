package io.ciphertalk.server.internal.http;

import java.time.Duration;

/**
 * The REST listener's limits (docs/server-guide.md, "Limits"). Immutable.
 *
 * @param maxBodyBytes largest request body (413 beyond it)
 * @param maxHeaderBytes largest request line plus headers (431 beyond it)
 * @param idleTimeout a connection with no bytes moving for this long is closed
 * @param requestTimeout the body must have arrived this long after the headers (408 otherwise)
 * @param maxConnections open connections in total; at the cap the listener stops accepting
 * @param maxConnectionsPerAddress open connections from one client address; more are closed at once
 */
public record HttpLimits(
    int maxBodyBytes, int maxHeaderBytes, Duration idleTimeout, Duration requestTimeout, int maxConnections,
    int maxConnectionsPerAddress) {}
