package io.ciphertalk.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ciphertalk.server.internal.ServiceException;
import io.ciphertalk.server.internal.auth.AccountService;
import io.ciphertalk.server.internal.auth.Totp;
import io.ciphertalk.server.internal.routing.AccountRemoval;
import io.ciphertalk.server.internal.routing.ChatService;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The account endpoints of the REST API (register, login, logout, sessions, password, TOTP,
 * account disable/delete, invites, admin account commands), independent of the HTTP server: the
 * caller hands in the method, path, a supplier of the bearer token and of the parsed body, and the
 * client address. Field rules are {@link RestInput}'s. Thread-safe; blocking.
 */
final class AccountEndpoints {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Pattern ADMIN_ACCOUNT = Pattern.compile("/api/admin/accounts/([a-z0-9._-]{1,32})/(disable|enable|delete)");
  private static final Set<String> PATHS = Set.of("/api/register", "/api/login", "/api/logout",
      "/api/sessions/revoke-all", "/api/password", "/api/account/disable", "/api/account/delete", "/api/totp/enroll",
      "/api/totp/confirm", "/api/totp/disable", "/api/invites");
  static final Duration MAX_INVITE_TTL = Duration.ofDays(30);

  private final AccountService accounts;
  private final ChatService chat;

  AccountEndpoints(AccountService accounts, ChatService chat) {
    this.accounts = accounts;
    this.chat = chat;
  }

  /** A JSON answer with its HTTP status. */
  record Reply(int status, ObjectNode body) {}

  static boolean handles(String path) {
    return PATHS.contains(path) || ADMIN_ACCOUNT.matcher(path).matches();
  }

  Reply handle(String method, String path, Supplier<String> bearer, Supplier<JsonNode> body, String address) {
    if (!method.equals("POST")) {
      throw new ServiceException("method_not_allowed", 405, "use POST");
    }
    Matcher admin = ADMIN_ACCOUNT.matcher(path);
    if (admin.matches()) {
      String actor = accounts.authenticate(bearer.get());
      if (!accounts.isAdmin(actor)) {
        throw ServiceException.forbidden("forbidden", "administrators only");
      }
      String target = admin.group(1);
      switch (admin.group(2)) {
        case "disable" -> accounts.setDisabled(target, true);
        case "enable" -> accounts.setDisabled(target, false);
        default -> AccountRemoval.delete(accounts, chat, target);
      }
      return ok(200, F.objectNode().put("username", target).put("status", admin.group(2) + "d"));
    }
    switch (path) {
      case "/api/register" -> {
        JsonNode b = body.get();
        String user = accounts.registerFrom(RestInput.text(b, "username", true, 64), chars(b, "password"),
            RestInput.text(b, "invite", false, 64), address);
        return ok(201, F.objectNode().put("username", user));
      }
      case "/api/login" -> {
        JsonNode b = body.get();
        AccountService.Session s = accounts.login(RestInput.text(b, "username", true, 64), chars(b, "password"),
            RestInput.text(b, "totp", false, 64), address);
        return ok(200, F.objectNode().put("token", s.token()).put("username", s.userId())
            .put("expiresAt", s.expiresAt()));
      }
      case "/api/logout" -> {
        String token = bearer.get();
        String user = accounts.authenticate(token);
        accounts.logout(user, token);
        return ok(200, F.objectNode().put("status", "logged_out"));
      }
      case "/api/sessions/revoke-all" -> {
        String token = bearer.get();
        String user = accounts.authenticate(token);
        boolean includeCurrent = RestInput.bool(body.get(), "includeCurrent", false);
        int n = accounts.revokeOthers(user, includeCurrent ? null : token);
        return ok(200, F.objectNode().put("status", "revoked").put("revoked", n));
      }
      case "/api/password" -> {
        String token = bearer.get();
        String user = accounts.authenticate(token);
        JsonNode b = body.get();
        int n = accounts.changePassword(user, chars(b, "currentPassword"), chars(b, "newPassword"),
            RestInput.text(b, "totp", false, 64), address, token);
        return ok(200, F.objectNode().put("status", "password_changed").put("revoked", n));
      }
      case "/api/account/disable", "/api/account/delete" -> {
        String user = accounts.authenticate(bearer.get());
        JsonNode b = body.get();
        accounts.reauthenticate(user, chars(b, "password"), RestInput.text(b, "totp", false, 64), address);
        if (path.endsWith("disable")) {
          accounts.setDisabled(user, true);
          return ok(200, F.objectNode().put("status", "disabled"));
        }
        AccountRemoval.delete(accounts, chat, user);
        return ok(200, F.objectNode().put("status", "deleted"));
      }
      case "/api/totp/enroll" -> {
        String user = accounts.authenticate(bearer.get());
        JsonNode b = body.get();
        byte[] secret = accounts.beginTotp(user, chars(b, "password"), RestInput.text(b, "totp", false, 64), address);
        return ok(200, F.objectNode().put("secret", Totp.base32(secret))
            .put("uri", Totp.uri("CipherTalk", user, secret)));
      }
      case "/api/totp/confirm" -> {
        String user = accounts.authenticate(bearer.get());
        List<String> codes = accounts.confirmTotp(user, RestInput.text(body.get(), "code", true, 16));
        ObjectNode out = F.objectNode().put("status", "totp_enabled");
        ArrayNode list = out.putArray("recoveryCodes");
        codes.forEach(list::add);
        return ok(200, out);
      }
      case "/api/totp/disable" -> {
        String user = accounts.authenticate(bearer.get());
        JsonNode b = body.get();
        accounts.disableTotp(user, chars(b, "password"), RestInput.text(b, "totp", true, 64), address);
        return ok(200, F.objectNode().put("status", "totp_disabled"));
      }
      case "/api/invites" -> {
        String user = accounts.authenticate(bearer.get());
        if (!accounts.isAdmin(user)) {
          throw ServiceException.forbidden("forbidden", "administrators only");
        }
        long hours = RestInput.integer(body.get(), "ttlHours", 1, MAX_INVITE_TTL.toHours(), 72);
        String code = accounts.createInvite(user, Duration.ofHours(hours));
        return ok(201, F.objectNode().put("invite", code).put("ttlHours", hours));
      }
      default -> throw ServiceException.notFound("no such endpoint");
    }
  }

  private static char[] chars(JsonNode b, String field) {
    return RestInput.text(b, field, true, AccountService.MAX_PASSWORD).toCharArray();
  }

  private static Reply ok(int status, ObjectNode body) {
    return new Reply(status, body);
  }
}
