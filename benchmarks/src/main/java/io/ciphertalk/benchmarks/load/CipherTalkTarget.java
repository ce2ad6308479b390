package io.ciphertalk.benchmarks.load;

/**
 * CipherTalk as a load target. Placeholder until the server and wire branches are merged into this
 * one: {@link #AVAILABLE} is false and starting it fails with a clear message.
 */
final class CipherTalkTarget {

  static final boolean AVAILABLE = false;

  private CipherTalkTarget() {}

  static Targets.Embedded start(int workers) {
    throw new UnsupportedOperationException("CipherTalk server is not built into this benchmarks jar yet");
  }

  static ClientProtocol protocol(LoadConfig config) {
    throw new UnsupportedOperationException("CipherTalk client protocol is not built into this benchmarks jar yet");
  }
}
