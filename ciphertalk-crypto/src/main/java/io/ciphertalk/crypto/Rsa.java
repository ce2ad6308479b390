package io.ciphertalk.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * RSA for the RSA key-transport suite, on the JDK's own providers (SunRsaSign, SunJCE):
 * RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 8017 section 7.1), and RSASSA-PSS with SHA-256,
 * MGF1-SHA-256 and a 32-byte salt (RFC 8017 section 8.1). Keys of fewer than 2048 bits are refused;
 * CipherTalk generates 3072-bit keys (about 128-bit security).
 */
public final class Rsa {
  /** Modulus size CipherTalk generates. */
  public static final int DEFAULT_MODULUS_BITS = 3072;
  /** Smallest modulus accepted. */
  public static final int MIN_MODULUS_BITS = 2048;

  private static final OAEPParameterSpec OAEP_NO_LABEL = oaep(new byte[0]);
  private static final PSSParameterSpec PSS =
      new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);

  private Rsa() {}

  /** Generates a fresh 3072-bit key pair with public exponent 65537. */
  public static PrivateKey generate(RandomSource random) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(
          new RSAKeyGenParameterSpec(DEFAULT_MODULUS_BITS, RSAKeyGenParameterSpec.F4),
          random.asSecureRandom());
      KeyPair kp = g.generateKeyPair();
      return new PrivateKey((RSAPrivateCrtKey) kp.getPrivate(), new PublicKey((RSAPublicKey) kp.getPublic()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot generate RSA keys", e);
    }
  }

  private static OAEPParameterSpec oaep(byte[] label) {
    return new OAEPParameterSpec(
        "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, new PSource.PSpecified(label));
  }

  /** An RSA private key. Never prints its secret. */
  public static final class PrivateKey implements Signer {
    private final RSAPrivateCrtKey key;
    private final PublicKey publicKey;
    private final RandomSource random;

    private PrivateKey(RSAPrivateCrtKey key, PublicKey publicKey) {
      this(key, publicKey, RandomSource.secure());
    }

    private PrivateKey(RSAPrivateCrtKey key, PublicKey publicKey, RandomSource random) {
      this.key = key;
      this.publicKey = publicKey;
      this.random = random;
    }

    /** Parses a PKCS#8 DER private key (with CRT parameters). */
    public static PrivateKey fromPkcs8(byte[] der) throws InvalidKeyMaterialException {
      Objects.requireNonNull(der, "der");
      try {
        KeyFactory kf = KeyFactory.getInstance("RSA");
        java.security.PrivateKey k = kf.generatePrivate(new PKCS8EncodedKeySpec(der));
        if (!(k instanceof RSAPrivateCrtKey)) {
          throw new InvalidKeyMaterialException("RSA private key lacks CRT parameters");
        }
        RSAPrivateCrtKey crt = (RSAPrivateCrtKey) k;
        checkSize(crt.getModulus().bitLength());
        RSAPublicKey pub =
            (RSAPublicKey)
                kf.generatePublic(
                    new java.security.spec.RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
        return new PrivateKey(crt, new PublicKey(pub));
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        if (e instanceof InvalidKeyMaterialException) {
          throw (InvalidKeyMaterialException) e;
        }
        throw new InvalidKeyMaterialException("not an RSA PKCS#8 private key", e);
      }
    }

    /** The same key, drawing PSS salts from {@code random} (for deterministic tests). */
    public PrivateKey withRandom(RandomSource random) {
      return new PrivateKey(key, publicKey, Objects.requireNonNull(random, "random"));
    }

    /** PKCS#8 DER encoding, for storage; keep it secret. */
    public SecretBytes toPkcs8() {
      return SecretBytes.wrap(key.getEncoded());
    }

    /** The matching public key. */
    public PublicKey publicKey() {
      return publicKey;
    }

    /**
     * RSAES-OAEP-SHA256 decryption. Every failure (bad padding, wrong label, wrong length) raises
     * the same exception with the same message, so a caller cannot become a padding oracle.
     */
    public byte[] decryptOaep(byte[] ciphertext, byte[] label) throws AuthenticationFailedException {
      Objects.requireNonNull(ciphertext, "ciphertext");
      Objects.requireNonNull(label, "label");
      try {
        Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
        c.init(Cipher.DECRYPT_MODE, key, label.length == 0 ? OAEP_NO_LABEL : oaep(label));
        return c.doFinal(ciphertext);
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new AuthenticationFailedException("RSA-OAEP decryption failed");
      }
    }

    /** RSASSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt) signature over {@code data}. */
    @Override
    public byte[] sign(byte[] data) throws CryptoException {
      Objects.requireNonNull(data, "data");
      try {
        Signature s = Signature.getInstance("RSASSA-PSS");
        s.initSign(key, random.asSecureRandom());
        s.setParameter(PSS);
        s.update(data);
        return s.sign();
      } catch (GeneralSecurityException e) {
        throw new CryptoException("RSA-PSS signing failed", e);
      }
    }

    @Override
    public String toString() {
      return "Rsa.PrivateKey[" + key.getModulus().bitLength() + " bits]";
    }
  }

  /** An RSA public key. Equality is by modulus and exponent. */
  public static final class PublicKey implements Verifier {
    private final RSAPublicKey key;

    private PublicKey(RSAPublicKey key) {
      this.key = key;
    }

    /** Parses an X.509 SubjectPublicKeyInfo DER public key. */
    public static PublicKey fromX509(byte[] der) throws InvalidKeyMaterialException {
      Objects.requireNonNull(der, "der");
      try {
        java.security.PublicKey k = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        RSAPublicKey rsa = (RSAPublicKey) k;
        checkSize(rsa.getModulus().bitLength());
        return new PublicKey(rsa);
      } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
        if (e instanceof InvalidKeyMaterialException) {
          throw (InvalidKeyMaterialException) e;
        }
        throw new InvalidKeyMaterialException("not an RSA X.509 public key", e);
      }
    }

    /** X.509 SubjectPublicKeyInfo DER encoding. */
    public byte[] toX509() {
      return key.getEncoded();
    }

    /** Modulus length in bits. */
    public int modulusBits() {
      return key.getModulus().bitLength();
    }

    /** RSAES-OAEP-SHA256 encryption of {@code plaintext} under {@code label}. */
    public byte[] encryptOaep(byte[] plaintext, byte[] label, RandomSource random)
        throws CryptoException {
      Objects.requireNonNull(plaintext, "plaintext");
      Objects.requireNonNull(label, "label");
      try {
        Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
        c.init(
            Cipher.ENCRYPT_MODE,
            key,
            label.length == 0 ? OAEP_NO_LABEL : oaep(label),
            random.asSecureRandom());
        return c.doFinal(plaintext);
      } catch (GeneralSecurityException e) {
        throw new CryptoException("RSA-OAEP encryption failed", e);
      }
    }

    @Override
    public void verify(byte[] signature, byte[] data) throws InvalidSignatureException {
      Objects.requireNonNull(signature, "signature");
      Objects.requireNonNull(data, "data");
      boolean ok;
      try {
        Signature s = Signature.getInstance("RSASSA-PSS");
        s.initVerify(key);
        s.setParameter(PSS);
        s.update(data);
        ok = s.verify(signature);
      } catch (GeneralSecurityException | RuntimeException e) {
        ok = false;
      }
      if (!ok) {
        throw new InvalidSignatureException("RSA-PSS signature does not verify");
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PublicKey
          && key.getModulus().equals(((PublicKey) o).key.getModulus())
          && key.getPublicExponent().equals(((PublicKey) o).key.getPublicExponent());
    }

    @Override
    public int hashCode() {
      return key.getModulus().hashCode();
    }

    @Override
    public String toString() {
      return "Rsa.PublicKey[" + key.getModulus().bitLength() + " bits]";
    }
  }

  private static void checkSize(int bits) throws InvalidKeyMaterialException {
    if (bits < MIN_MODULUS_BITS) {
      throw new InvalidKeyMaterialException("RSA modulus of " + bits + " bits is below " + MIN_MODULUS_BITS);
    }
  }

}
