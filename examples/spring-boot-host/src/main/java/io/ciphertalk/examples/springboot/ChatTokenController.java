package io.ciphertalk.examples.springboot;

import io.ciphertalk.server.CipherTalkServer;
import java.security.Principal;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /chat/token}: the signed-in application user gets a CipherTalk token and the
 * addresses to connect to; the SDK then calls {@code useToken(user, token)} and {@code connect()}.
 */
@RestController
public class ChatTokenController {
  private final ChatAccountBridge bridge;
  private final CipherTalkServer server;

  ChatTokenController(ChatAccountBridge bridge, CipherTalkServer server) {
    this.bridge = bridge;
    this.server = server;
  }

  @PostMapping("/chat/token")
  ResponseEntity<Map<String, Object>> token(Principal user) {
    String name = user.getName().toLowerCase(java.util.Locale.ROOT);
    try {
      return ResponseEntity.ok(Map.of("user", name, "token", bridge.tokenFor(name),
          "wsPort", server.wsPort(), "httpPort", server.httpPort()));
    } catch (IllegalArgumentException e) {
      String code = e.getMessage().split(":", 2)[0];
      return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", code));
    }
  }
}
