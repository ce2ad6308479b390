package io.ciphertalk.server;

/** Placeholder replaced below. */
public final class CipherTalkServer {
  private CipherTalkServer() {}
}
