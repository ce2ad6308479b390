package io.ciphertalk.examples.springboot;

import io.ciphertalk.server.CipherTalkServer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a user the application has already authenticated a CipherTalk bearer token, creating their
 * chat account on first use. The chat account's password is derived from the bridge secret and the
 * user name (HMAC-SHA256) and never leaves this class: users know only their application password.
 * The server still holds no key that reads messages; the token lets a device log in, and devices
 * of an account still join only by linking (docs/protocol.md). Thread-safe.
 */
public final class ChatAccountBridge {
  private static final Logger LOG = LoggerFactory.getLogger(ChatAccountBridge.class);
  private final CipherTalkServer server;
  private final byte[] secret;

  ChatAccountBridge(CipherTalkServer server, String bridgeSecret) {
    this.server = server;
    if (bridgeSecret == null || bridgeSecret.isBlank()) {
      LOG.warn("ciphertalk.bridge-secret is not set: using a random one, so chat accounts stored in a "
          + "lasting database cannot get tokens after a restart");
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      this.secret = random;
    } else {
      this.secret = bridgeSecret.getBytes(StandardCharsets.UTF_8);
    }
  }

  /**
   * A new bearer token for {@code username}, whom the caller has authenticated.
   *
   * @throws IllegalArgumentException if the chat account exists but was not made by this bridge
   *     (its password differs), or the server refuses (the message starts with its error code)
   */
  public synchronized String tokenFor(String username) {
    char[] password = password(username);
    try {
      return server.login(username, password, null);
    } catch (IllegalArgumentException firstLogin) {
      if (!firstLogin.getMessage().startsWith("invalid_credentials")) {
        throw firstLogin;
      }
      // No such account yet (or one made elsewhere: createAccount then refuses the name).
      server.createAccount(username, password, false);
      LOG.info("created the chat account of {}", username);
      return server.login(username, password, null);
    }
  }

  private char[] password(String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] tag = mac.doFinal(username.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(tag).toCharArray();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
