package io.ciphertalk.crypto.account;

import java.nio.charset.StandardCharsets;

/** The labels of docs/protocol.md, "Accounts and devices". */
final class Labels {
  static final byte[] SIG_DEVICE_CERTIFICATE = ascii("CipherTalk/1/sig/device-certificate");
  static final byte[] SIG_DEVICE_REVOCATION = ascii("CipherTalk/1/sig/device-revocation");
  static final byte[] ACCOUNT_SAFETY_NUMBER = ascii("CipherTalk/1/account-safety-number");
  static final byte[] LINK_CODE_CHECKSUM = ascii("CipherTalk/1/link/code");
  static final byte[] LINK_ENVELOPE = ascii("CipherTalk/1/link/envelope");

  private Labels() {}

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
