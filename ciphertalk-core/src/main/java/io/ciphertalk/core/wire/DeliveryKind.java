package io.ciphertalk.core.wire;

/**
 * What a {@link Delivery} carries: a pairwise-encrypted 1:1 message ({@link #DIRECT}), a
 * sender-key encrypted group message ({@link #GROUP}), or a pairwise-encrypted sender-key
 * distribution message ({@link #SENDER_KEY}).
 */
public enum DeliveryKind {
  DIRECT,
  GROUP,
  SENDER_KEY
}
