package io.ciphertalk.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Small JPEG thumbnails of images with the JDK's {@code javax.imageio}, which is optional: without
 * the {@code java.desktop} module, or for a file it cannot read, there is no thumbnail. Stateless.
 */
final class Thumbnails {
  private static final Logger LOG = LoggerFactory.getLogger(Thumbnails.class);
  /** Longer side of a thumbnail, in pixels. */
  static final int MAX_SIDE = 160;
  /** Images larger than this are not decoded for a thumbnail (decoding holds the whole image). */
  static final long MAX_SOURCE_BYTES = 32L * 1024 * 1024;

  private Thumbnails() {}

  /** A JPEG thumbnail of the image in {@code in}, or null. */
  static byte[] of(InputStream in) {
    try {
      java.awt.image.BufferedImage src = javax.imageio.ImageIO.read(in);
      if (src == null) {
        return null;
      }
      double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(src.getWidth(), src.getHeight()));
      int w = Math.max(1, (int) Math.round(src.getWidth() * scale));
      int h = Math.max(1, (int) Math.round(src.getHeight() * scale));
      java.awt.image.BufferedImage dst = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
      java.awt.Graphics2D g = dst.createGraphics();
      try {
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, w, h, null);
      } finally {
        g.dispose();
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!javax.imageio.ImageIO.write(dst, "jpg", out) || out.size() > Attachment.MAX_THUMBNAIL_BYTES) {
        return null;
      }
      return out.toByteArray();
    } catch (IOException | RuntimeException | LinkageError e) {
      LOG.debug("no thumbnail: {}", e.toString());
      return null;
    }
  }
}
