package io.ciphertalk.client.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Versioned encoding of {@link Content}: a compact JSON object {@code {"v":1,"k":"TEXT",...}} in
 * UTF-8. It is only ever seen inside ciphertext. Decoding is strict about types and bounded in size
 * (64 KiB, 16 levels, 1,000 ids, 16 KiB bodies); a newer minor version's extra fields are ignored, a
 * different major version is refused. Thread-safe.
 */
public final class ContentCodec {
  public static final int VERSION = 1;
  public static final int MAX_ENCODED = 64 * 1024;
  public static final int MAX_BODY_CHARS =
      io.ciphertalk.core.model.PlaintextContent.MAX_BODY_CHARS;
  public static final int MAX_IDS = 1000;
  /** Encodings are padded to a multiple of this many bytes. */
  public static final int PAD_BLOCK = 64;

  private final ObjectMapper mapper;

  public ContentCodec() {
    JsonFactory f = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(16).maxStringLength(MAX_ENCODED).maxNumberLength(20).build())
        .build();
    f.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    this.mapper = new ObjectMapper(f).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** Thrown for any payload that is not a valid content encoding. */
  public static final class MalformedContentException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedContentException(String message) {
      super(message);
    }
  }

  public byte[] encode(Content c) {
    ObjectNode o = mapper.createObjectNode();
    o.put("v", VERSION);
    o.put("k", c.kind().name());
    o.put("r", c.roomId());
    o.put("id", c.messageId());
    o.put("t", c.sentAtMillis());
    if (c.body() != null) {
      o.put("b", c.body());
    }
    if (c.replyTo() != null) {
      o.put("re", c.replyTo());
    }
    if (c.expiresAtMillis() != null) {
      o.put("x", c.expiresAtMillis());
    }
    if (c.target() != null) {
      o.put("tg", c.target());
    }
    if (c.emoji() != null) {
      o.put("e", c.emoji());
    }
    if (c.flag() != null) {
      o.put("f", c.flag());
    }
    if (c.ids() != null) {
      ArrayNode a = o.putArray("ids");
      c.ids().forEach(a::add);
    }
    if (c.keyMaterial() != null) {
      o.put("km", Base64.getUrlEncoder().withoutPadding().encodeToString(c.keyMaterial()));
    }
    try {
      // Pad to a multiple of PAD_BLOCK bytes so the ciphertext length reveals only a size bucket.
      int len = mapper.writeValueAsBytes(o).length + 8; // 8 = ,"p":"" plus one
      int padded = (len + PAD_BLOCK - 1) / PAD_BLOCK * PAD_BLOCK;
      o.put("p", "0".repeat(padded - len + 1));
      byte[] out = mapper.writeValueAsBytes(o);
      if (out.length > MAX_ENCODED) {
        throw new IllegalArgumentException("content too large: " + out.length + " bytes");
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode content", e);
    }
  }

  public Content decode(byte[] data) throws MalformedContentException {
    if (data == null || data.length == 0 || data.length > MAX_ENCODED) {
      throw new MalformedContentException("content size out of range");
    }
    JsonNode n;
    try {
      n = mapper.readTree(data);
    } catch (IOException e) {
      throw new MalformedContentException("content is not valid JSON");
    }
    if (!(n instanceof ObjectNode o)) {
      throw new MalformedContentException("content is not a JSON object");
    }
    int v = intField(o, "v");
    if (v != VERSION) {
      throw new MalformedContentException("unsupported content version " + v);
    }
    Content.Kind kind;
    try {
      kind = Content.Kind.valueOf(text(o, "k", true, 32));
    } catch (IllegalArgumentException e) {
      throw new MalformedContentException("unknown content kind");
    }
    Content c = Content.of(kind, text(o, "r", true, 128), text(o, "id", true, 64),
        longField(o, "t", true));
    c = c.withBody(text(o, "b", false, MAX_BODY_CHARS))
        .withReplyTo(text(o, "re", false, 64))
        .withExpiresAt(o.has("x") ? longField(o, "x", true) : null)
        .withTarget(text(o, "tg", false, 64))
        .withEmoji(text(o, "e", false, 32));
    if (o.has("f")) {
      if (!o.get("f").isBoolean()) {
        throw new MalformedContentException("field f must be a boolean");
      }
      c = c.withFlag(o.get("f").booleanValue());
    }
    if (o.has("ids")) {
      JsonNode a = o.get("ids");
      if (!a.isArray() || a.size() > MAX_IDS) {
        throw new MalformedContentException("field ids must be an array of at most " + MAX_IDS);
      }
      List<String> ids = new ArrayList<>(a.size());
      for (JsonNode e : a) {
        if (!e.isTextual() || e.textValue().length() > 64) {
          throw new MalformedContentException("field ids must hold short strings");
        }
        ids.add(e.textValue());
      }
      c = c.withIds(ids);
    }
    String km = text(o, "km", false, MAX_ENCODED);
    if (km != null) {
      try {
        c = c.withKeyMaterial(Base64.getUrlDecoder().decode(km));
      } catch (IllegalArgumentException e) {
        throw new MalformedContentException("field km is not base64url");
      }
    }
    return c;
  }

  private static String text(ObjectNode o, String f, boolean required, int max)
      throws MalformedContentException {
    JsonNode n = o.get(f);
    if (n == null || n.isNull()) {
      if (required) {
        throw new MalformedContentException("missing field " + f);
      }
      return null;
    }
    if (!n.isTextual()) {
      throw new MalformedContentException("field " + f + " must be a string");
    }
    if (n.textValue().length() > max) {
      throw new MalformedContentException("field " + f + " longer than " + max);
    }
    return n.textValue();
  }

  private static long longField(ObjectNode o, String f, boolean required)
      throws MalformedContentException {
    JsonNode n = o.get(f);
    if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
      throw new MalformedContentException("field " + f + " must be an integer");
    }
    return n.longValue();
  }

  private static int intField(ObjectNode o, String f) throws MalformedContentException {
    JsonNode n = o.get(f);
    if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
      throw new MalformedContentException("field " + f + " must be an integer");
    }
    return n.intValue();
  }
}
