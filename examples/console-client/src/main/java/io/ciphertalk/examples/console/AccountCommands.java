package io.ciphertalk.examples.console;

import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.CipherTalkException;
import java.util.Objects;

/**
 * The identity and device commands of a {@link ChatSession}: {@code /verify}, {@code /trust},
 * {@code /link}, {@code /approve}, {@code /devices} and {@code /revoke}. ({@code /login},
 * {@code /passwd} and {@code /logout} ask for secrets and live in {@link ConsoleApp}, which owns the
 * input.) Thread-safe (no state of its own).
 */
final class AccountCommands {
  private final ConsoleView view;
  private final Renderer renderer;
  private final ConsoleOutput out;

  AccountCommands(ConsoleView view, Renderer renderer, ConsoleOutput out) {
    this.view = Objects.requireNonNull(view, "view");
    this.renderer = Objects.requireNonNull(renderer, "renderer");
    this.out = Objects.requireNonNull(out, "out");
  }

  /** Runs {@code c} if it is an account command; returns false if it is not one. */
  boolean run(Command c) throws CipherTalkException {
    CipherTalkClient client = view.client();
    if (c instanceof Command.Safety s) {
      out.println(renderer.safetyNumber(s.userId(), client.safetyNumber(s.userId())));
      String payload = client.safetyNumberPayload(s.userId());
      out.println(renderer.info("or scan this QR code on " + s.userId() + "'s device (payload: "
          + payload + "):"));
      qr(payload);
    } else if (c instanceof Command.Trust t) {
      if (client.trustIdentity(t.userId(), t.safetyNumber())) {
        out.println(renderer.info("you now trust " + t.userId() + "'s new key; held messages follow"));
      } else {
        out.println(renderer.info("that is not " + t.userId() + "'s new safety number: nothing"
            + " changed"));
      }
    } else if (c instanceof Command.Link) {
      io.ciphertalk.crypto.account.LinkingCode code = client.startLinking();
      out.println(renderer.info("linking code for this device (enter it on a linked device with"
          + " /approve):"));
      out.println("  " + code.text());
      out.println(renderer.info("or scan this QR code (payload: " + code.qrPayload() + "):"));
      qr(code.qrPayload());
    } else if (c instanceof Command.Approve a) {
      String confirm = client.approveLink(a.code());
      out.println(renderer.info("linking sent; the new device must show the confirmation code "
          + confirm));
    } else if (c instanceof Command.Devices) {
      out.println(renderer.info("your devices: " + client.ownDevices()));
    } else if (c instanceof Command.Revoke r) {
      client.revokeDevice(r.deviceId());
      out.println(renderer.info("revoked device " + r.deviceId()
          + "; it gets nothing new, and your groups move to new keys"));
    } else {
      return false;
    }
    return true;
  }

  /** Prints {@code payload} as a QR code, indented like the code above it. */
  private void qr(String payload) {
    for (String line : TerminalQr.render(payload)) {
      out.println("  " + line);
    }
  }
}
