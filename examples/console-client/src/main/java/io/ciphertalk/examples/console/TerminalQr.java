package io.ciphertalk.examples.console;

import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.google.zxing.qrcode.encoder.ByteMatrix;
import com.google.zxing.qrcode.encoder.Encoder;
import com.google.zxing.qrcode.encoder.QRCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Draws a QR code (ISO/IEC 18004, encoded by ZXing) as text, two module rows per line with the
 * Unicode half blocks {@code ▀ ▄ █}, so a phone can scan it from the terminal.
 *
 * <p>Like {@code qrencode -t UTF8}, the drawing is meant for a terminal with light text on a dark
 * background: <em>light</em> modules (and the quiet zone) are drawn as blocks, dark modules are
 * left blank, so the code shows dark on light. Stateless and thread-safe.
 */
public final class TerminalQr {
  /** Light modules around the code; the standard asks for 4, scanners read terminal codes with 2. */
  public static final int QUIET_ZONE = 2;

  private TerminalQr() {}

  /**
   * The lines of the QR code of {@code payload} (error correction level M), each
   * {@code 2 * QUIET_ZONE + size} characters wide.
   *
   * @throws IllegalArgumentException if the payload does not fit in a QR code
   */
  public static List<String> render(String payload) {
    BitMatrix dark = modules(payload);
    int size = dark.getWidth();
    int total = size + 2 * QUIET_ZONE;
    List<String> lines = new ArrayList<>();
    for (int y = 0; y < total; y += 2) {
      StringBuilder line = new StringBuilder(total);
      for (int x = 0; x < total; x++) {
        boolean top = light(dark, x - QUIET_ZONE, y - QUIET_ZONE);
        boolean bottom = light(dark, x - QUIET_ZONE, y + 1 - QUIET_ZONE);
        line.append(top ? (bottom ? '█' : '▀') : (bottom ? '▄' : ' '));
      }
      lines.add(line.toString());
    }
    return lines;
  }

  /** The code's modules, {@code true} for dark, without a quiet zone. */
  static BitMatrix modules(String payload) {
    QRCode code;
    try {
      // ASCII (every payload the console shows) needs no character-set marker; anything else is
      // marked as UTF-8 (an ECI segment)
      code = payload.chars().allMatch(c -> c < 0x80)
          ? Encoder.encode(payload, ErrorCorrectionLevel.M)
          : Encoder.encode(payload, ErrorCorrectionLevel.M,
              Map.of(EncodeHintType.CHARACTER_SET, StandardCharsets.UTF_8.name()));
    } catch (WriterException e) {
      throw new IllegalArgumentException("does not fit in a QR code: " + e.getMessage(), e);
    }
    ByteMatrix m = code.getMatrix();
    BitMatrix out = new BitMatrix(m.getWidth(), m.getHeight());
    for (int y = 0; y < m.getHeight(); y++) {
      for (int x = 0; x < m.getWidth(); x++) {
        if (m.get(x, y) == 1) {
          out.set(x, y);
        }
      }
    }
    return out;
  }

  private static boolean light(BitMatrix dark, int x, int y) {
    return x < 0 || y < 0 || x >= dark.getWidth() || y >= dark.getHeight() || !dark.get(x, y);
  }
}
