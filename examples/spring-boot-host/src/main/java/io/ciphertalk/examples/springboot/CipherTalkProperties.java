package io.ciphertalk.examples.springboot;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code ciphertalk.*} settings of the host.
 *
 * @param wsPort the CipherTalk WebSocket port (0 = any free port)
 * @param httpPort CipherTalk's own REST port (0 = any free port, -1 = off); the application's web
 *     server keeps its port
 * @param bindAddress address both CipherTalk listeners bind to
 * @param bridgeSecret secret from which the bridge derives each chat account's password; set it
 *     (e.g. from the environment) when the database outlives the process, or users cannot get a
 *     token after a restart
 */
@ConfigurationProperties("ciphertalk")
public record CipherTalkProperties(Integer wsPort, Integer httpPort, String bindAddress, String bridgeSecret) {
  public CipherTalkProperties {
    wsPort = wsPort == null ? 8000 : wsPort;
    httpPort = httpPort == null ? 8081 : httpPort;
    bindAddress = bindAddress == null ? "127.0.0.1" : bindAddress;
  }
}
