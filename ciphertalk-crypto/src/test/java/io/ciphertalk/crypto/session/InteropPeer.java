package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.group.GroupMessage;
import io.ciphertalk.crypto.group.GroupSession;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * The Java side of ciphertalk-js's randomized interop run (ciphertalk-js/test/random-interop.test.js):
 * a line protocol on stdin/stdout over the real {@link Session}, one device per conversation id.
 * Not a test itself (no {@code Test} suffix); it lives in the test classes so the build compiles it
 * and nothing ships it. Run with the crypto classes and BouncyCastle on the class path, e.g.
 * {@code java -cp ciphertalk-server.jar:ciphertalk-crypto/target/test-classes io.ciphertalk.crypto.session.InteropPeer}.
 *
 * <p>Requests, one per line, binary as lower-case hex; each is answered with one line, {@code ok
 * [hex]} or {@code err ExceptionName}:
 * <pre>
 * new CID USER DEVICE          a device with fresh keys (signed prekey 1, KEM prekey 2)
 * bundle CID                   its PreKeyBundle.serialize(), with a fresh one-time prekey
 * initiate CID BUNDLE          starts a PQXDH session to the bundle's device
 * encrypt CID PLAINTEXT ID     the next message (initial while the handshake is pending)
 * decrypt CID USER DEVICE MSG  accepts an initial message when there is no session yet, else decrypts
 * gjoin CID ROOM USER DEVICE   starts epoch 0 of a room with this device and USER.DEVICE; its distribution
 * gdist CID USER DEVICE SKDM   installs USER.DEVICE's distribution message; the DistributionResult
 * gencrypt CID ROOM TEXT ID    the next group message of this device
 * gdecrypt CID MSG             a group message's plaintext
 * </pre>
 * Secrets never leave the process except as the protocol's own messages.
 */
public final class InteropPeer {
  private InteropPeer() {}

  private static final HexFormat HEX = HexFormat.of();

  /** One conversation's device. */
  private static final class Device {
    final DeviceAddress address;
    final IdentityKeyPair identity;
    final InMemoryPreKeySource preKeys = new InMemoryPreKeySource();
    final InMemoryIdentityTrust trust = new InMemoryIdentityTrust();
    final SignedPreKey signedPreKey;
    final KemPreKey kemPreKey;
    final RandomSource random = RandomSource.secure();
    int nextOneTimeId = 100;
    Session session;
    GroupSession group;

    Device(DeviceAddress address) throws CryptoException {
      this.address = address;
      this.identity = IdentityKeyPair.generate(random);
      this.signedPreKey = SignedPreKey.generate(identity, 1, random);
      this.kemPreKey = KemPreKey.generate(identity, 2, random);
      preKeys.add(signedPreKey).add(kemPreKey);
    }
  }

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Map<String, Device> devices = new HashMap<>();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.isBlank()) {
        continue;
      }
      try {
        out.println(handle(line.trim().split(" "), devices));
      } catch (CryptoException | IllegalArgumentException | IllegalStateException e) {
        out.println("err " + e.getClass().getSimpleName());
      }
    }
  }

  private static String handle(String[] a, Map<String, Device> devices) throws CryptoException {
    switch (a[0]) {
      case "new" -> {
        devices.put(a[1], new Device(DeviceAddress.of(a[2], Integer.parseInt(a[3]))));
        return "ok";
      }
      case "bundle" -> {
        Device d = device(devices, a[1]);
        OneTimePreKey opk = OneTimePreKey.generate(d.nextOneTimeId++, d.random);
        d.preKeys.add(opk);
        return "ok " + HEX.formatHex(PreKeyBundle.builder().address(d.address).identityKey(d.identity.publicKey())
            .signedPreKey(d.signedPreKey).oneTimePreKey(opk).kemPreKey(d.kemPreKey).build().serialize());
      }
      case "initiate" -> {
        Device d = device(devices, a[1]);
        d.session = Session.initiate().identity(d.identity).localAddress(d.address)
            .bundle(PreKeyBundle.deserialize(HEX.parseHex(a[2]))).suite(HandshakeSuite.PQXDH)
            .trust(d.trust).random(d.random).build();
        return "ok";
      }
      case "encrypt" -> {
        Device d = device(devices, a[1]);
        if (d.session == null) {
          throw new IllegalStateException("no session");
        }
        return "ok " + HEX.formatHex(d.session.encrypt(HEX.parseHex(a[2]), MessageId.of(HEX.parseHex(a[3])),
            Session.NO_EXPIRY).serialize());
      }
      case "decrypt" -> {
        Device d = device(devices, a[1]);
        EncryptedMessage m = EncryptedMessage.deserialize(HEX.parseHex(a[4]));
        if (d.session == null) {
          if (!(m instanceof InitialMessage initial)) {
            throw new IllegalStateException("no session");
          }
          Session.Established e = Session.respond().identity(d.identity).preKeys(d.preKeys).trust(d.trust)
              .remoteAddress(DeviceAddress.of(a[2], Integer.parseInt(a[3]))).localAddress(d.address)
              .random(d.random).accept(initial);
          d.session = e.session();
          return "ok " + HEX.formatHex(e.firstMessage().plaintext());
        }
        return "ok " + HEX.formatHex(d.session.decrypt(m).plaintext());
      }
      case "gjoin" -> {
        Device d = device(devices, a[1]);
        d.group = GroupSession.builder().localAddress(d.address).random(d.random).build();
        return "ok " + HEX.formatHex(d.group.startEpoch(a[2], 0,
            Set.of(d.address, DeviceAddress.of(a[3], Integer.parseInt(a[4])))).toByteArray());
      }
      case "gdist" -> {
        Device d = device(devices, a[1]);
        return "ok " + d.group.processDistribution(DeviceAddress.of(a[2], Integer.parseInt(a[3])), HEX.parseHex(a[4]));
      }
      case "gencrypt" -> {
        Device d = device(devices, a[1]);
        return "ok " + HEX.formatHex(d.group.encrypt(a[2], HEX.parseHex(a[3]), HEX.parseHex(a[4]),
            GroupMessage.NO_EXPIRY).toByteArray());
      }
      case "gdecrypt" -> {
        Device d = device(devices, a[1]);
        return "ok " + HEX.formatHex(d.group.decrypt(GroupMessage.parse(HEX.parseHex(a[2]))).plaintext());
      }
      default -> throw new IllegalArgumentException("unknown command " + a[0]);
    }
  }

  private static Device device(Map<String, Device> devices, String id) {
    Device d = devices.get(id);
    if (d == null) {
      throw new IllegalArgumentException("unknown conversation " + id);
    }
    return d;
  }
}
