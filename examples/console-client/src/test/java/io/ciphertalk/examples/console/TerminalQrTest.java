package io.ciphertalk.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.NotFoundException;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The QR codes the console draws are read back as a phone would: the text is turned into pixels
 * (half blocks to light and dark modules, 4 pixels per module) and ZXing's detector and decoder
 * find the same payload.
 */
class TerminalQrTest {
  /** The payload decoded from {@code lines} as drawn on a dark terminal (blocks are light). */
  static String decode(List<String> lines) throws Exception {
    int width = lines.get(0).length();
    int height = lines.size() * 2;
    int scale = 4;
    int border = 8 * scale; // the terminal around the drawing: dark, as the terminal's background
    int w = width * scale + 2 * border;
    int h = height * scale + 2 * border;
    int[] pixels = new int[w * h];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        char c = lines.get(y / 2).charAt(x);
        boolean light = y % 2 == 0 ? c == '█' || c == '▀' : c == '█' || c == '▄';
        for (int dy = 0; dy < scale; dy++) {
          for (int dx = 0; dx < scale; dx++) {
            pixels[(border + y * scale + dy) * w + border + x * scale + dx] =
                light ? 0xFFFFFF : 0x000000;
          }
        }
      }
    }
    BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(w, h, pixels)));
    return new QRCodeReader().decode(bitmap, Map.of(DecodeHintType.TRY_HARDER, true)).getText();
  }

  /**
   * The payload decoded from the module grid of {@code lines} (blocks are light modules, the
   * quiet zone cut off) by ZXing's QR decoder: format, version, mask, Reed-Solomon and data, but
   * not its camera-image finder-pattern detector, which misses about 0.8 % of valid synthetic
   * codes (23 of 3,000 random linking payloads, all of which this reads). For random payloads.
   */
  static String decodeModules(List<String> lines) throws Exception {
    int width = lines.get(0).length();
    int size = width - 2 * TerminalQr.QUIET_ZONE;
    com.google.zxing.common.BitMatrix dark = new com.google.zxing.common.BitMatrix(size, size);
    for (int y = 0; y < size; y++) {
      int row = y + TerminalQr.QUIET_ZONE;
      for (int x = 0; x < size; x++) {
        char c = lines.get(row / 2).charAt(x + TerminalQr.QUIET_ZONE);
        boolean light = row % 2 == 0 ? c == '█' || c == '▀' : c == '█' || c == '▄';
        if (!light) {
          dark.set(x, y);
        }
      }
    }
    return new com.google.zxing.qrcode.decoder.Decoder().decode(dark).getText();
  }

  @Test
  void randomLinkingPayloads_allDecodeFromTheDrawnModules() throws Exception {
    java.util.Random random = new java.util.Random(18004);
    String alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    for (int i = 0; i < 500; i++) {
      StringBuilder payload = new StringBuilder("ciphertalk-link:");
      for (int j = 0; j < 70; j++) {
        payload.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      assertThat(decodeModules(TerminalQr.render(payload.toString())))
          .isEqualTo(payload.toString());
    }
  }

  @Test
  void linkingPayload_drawnWithHalfBlocks_decodesToTheSamePayload() throws Exception {
    String payload = "ciphertalk-link:" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".repeat(2);
    List<String> lines = TerminalQr.render(payload);
    assertThat(lines).allMatch(l -> l.length() == lines.get(0).length())
        .allMatch(l -> l.chars().allMatch(c -> " ▀▄█".indexOf(c) >= 0));
    assertThat(lines.get(0)).as("quiet zone on top").matches("█+");
    assertThat(decode(lines)).isEqualTo(payload);
  }

  @Test
  void longAndNonAsciiPayloads_roundTrip_andAnotherPayloadGivesAnotherDrawing() throws Exception {
    String safety = "ciphertalk-safety:" + "0123456789".repeat(12);
    assertThat(decode(TerminalQr.render(safety))).isEqualTo(safety);
    assertThat(decode(TerminalQr.render("grüße, ☃"))).isEqualTo("grüße, ☃");
    assertThat(TerminalQr.render("a")).isNotEqualTo(TerminalQr.render("b"));
  }

  @Test
  void aDamagedDrawing_isNotReadAsThePayload() {
    List<String> lines = new java.util.ArrayList<>(TerminalQr.render("ciphertalk-link:ABCD"));
    // blank out the middle third: no decoder can recover that much
    for (int i = lines.size() / 3; i < 2 * lines.size() / 3; i++) {
      lines.set(i, "█".repeat(lines.get(i).length()));
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> decode(lines))
        .isInstanceOfAny(NotFoundException.class, com.google.zxing.ChecksumException.class,
            com.google.zxing.FormatException.class);
  }
}
