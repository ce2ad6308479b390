package io.ciphertalk.benchmarks.load;

import java.util.List;

/**
 * The servers the load generator knows: how to start each one inside a JVM and which client
 * protocol drives it. Stateless.
 */
final class Targets {

  /** A started server inside this JVM. */
  interface Embedded extends AutoCloseable {
    String wsUrl();

    String httpUrl();

    /** Optional out-of-band commands (see {@link ServerUnderTest#control}); null if unknown. */
    default String control(String command) {
      return null;
    }

    @Override
    void close() throws Exception;
  }

  static final String RELAY = "relay";
  static final String CIPHERTALK = "ciphertalk";
  /** The relay on CipherTalk's coalesced socket writes: a second reference, not in {@link #available()}. */
  static final String RELAY_COALESCED = "relay-coalesced";

  private Targets() {}

  /** Kinds that are built into this jar. */
  static List<String> available() {
    return CipherTalkTarget.AVAILABLE ? List.of(RELAY, CIPHERTALK) : List.of(RELAY);
  }

  /** Starts a server of the given kind on an ephemeral loopback port. */
  static Embedded start(String kind, int workers) throws Exception {
    switch (kind) {
      case RELAY, RELAY_COALESCED -> {
        ReferenceRelay relay = ReferenceRelay.start(0, workers, kind.equals(RELAY_COALESCED));
        return new Embedded() {
          @Override
          public String wsUrl() {
            return relay.url();
          }

          @Override
          public String httpUrl() {
            return null;
          }

          @Override
          public void close() throws Exception {
            relay.close();
          }
        };
      }
      case CIPHERTALK -> {
        return CipherTalkTarget.start(workers);
      }
      default -> throw new IllegalArgumentException("unknown server kind: " + kind + " (known: " + available() + ")");
    }
  }

  /** Starts one CipherTalk node of a cluster (shared PostgreSQL and Redis) on ephemeral loopback ports. */
  static Embedded startClusterNode(int workers, CipherTalkTarget.ClusterNode node) throws Exception {
    return CipherTalkTarget.start(workers, node);
  }

  /** The client protocol for a server kind. */
  static ClientProtocol protocol(String kind, LoadConfig config) {
    return switch (kind) {
      case RELAY, RELAY_COALESCED -> new RelayProtocol();
      case CIPHERTALK -> CipherTalkTarget.protocol(config);
      default -> throw new IllegalArgumentException("unknown server kind: " + kind);
    };
  }
}
