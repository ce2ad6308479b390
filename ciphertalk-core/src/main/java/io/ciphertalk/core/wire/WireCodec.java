package io.ciphertalk.core.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.util.JsonParserSequence;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Encodes {@link Frame}s to JSON and decodes them strictly.
 *
 * <p>Decoding checks the raw size against {@link #maxFrameBytes()} before parsing anything, parses
 * with limits on nesting, number and key length, rejects duplicate keys, checks the version
 * ({@code 1.x} is accepted and unknown fields are ignored; any other major is refused), looks up
 * the type, then binds the fields in a single streaming pass. Every failure is a {@link
 * WireException} with an {@link ErrorCode} and the offending field; no unchecked exception
 * escapes {@link #decode}.
 *
 * <p>Create one codec and share it: it is immutable and thread-safe, and reusing it reuses
 * Jackson's cached (de)serializers.
 */
public final class WireCodec {
  private static final String MISSING_CREATOR = "Missing required creator property '";
  private static final String NULL_PRIMITIVE = "Cannot map `null` into type";
  private static final String DUPLICATE = "Duplicate field '";

  private final int maxFrameBytes;
  private final ObjectMapper mapper;
  private final ObjectWriter writer;
  private final Map<FrameType, ObjectReader> readers = new EnumMap<>(FrameType.class);

  private WireCodec(Builder b) {
    this.maxFrameBytes = b.maxFrameBytes;
    this.mapper = JsonSupport.strictMapper(maxFrameBytes);
    this.writer = mapper.writer();
    for (FrameType t : FrameType.values()) {
      readers.put(t, mapper.readerFor(t.recordClass()));
    }
  }

  /** A codec with the default limits ({@link Limits#DEFAULT_MAX_FRAME_BYTES}). */
  public static WireCodec create() {
    return builder().build();
  }

  /** A builder for a codec with non-default limits. */
  public static Builder builder() {
    return new Builder();
  }

  /** The largest frame, in bytes (UTF-8) or characters (for {@link #decode(String)}), accepted. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** The frame as UTF-8 JSON. */
  public byte[] encode(Frame frame) {
    Objects.requireNonNull(frame, "frame");
    try {
      return writer.writeValueAsBytes(frame);
    } catch (JsonProcessingException e) {
      // Records validate on construction, so this is a bug in the codec, not bad input.
      throw new IllegalStateException("cannot encode " + frame.type().wireName(), e);
    }
  }

  /** The frame as a JSON string, e.g. for a WebSocket text message. */
  public String encodeToString(Frame frame) {
    Objects.requireNonNull(frame, "frame");
    try {
      return writer.writeValueAsString(frame);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + frame.type().wireName(), e);
    }
  }

  /**
   * Decodes one frame from UTF-8 JSON.
   *
   * @throws WireException if the frame is too large, malformed, of another major version, of an
   *     unknown type, or has a missing, mistyped, invalid or oversize field
   */
  public Frame decode(byte[] utf8) throws WireException {
    Objects.requireNonNull(utf8, "utf8");
    if (utf8.length > maxFrameBytes) {
      throw tooLarge(utf8.length);
    }
    return decodeChecked(utf8, null);
  }

  /**
   * Decodes one frame from a JSON string. The size limit is applied to the number of characters
   * (which never exceeds the UTF-8 length), before parsing.
   *
   * @throws WireException as for {@link #decode(byte[])}
   */
  public Frame decode(String json) throws WireException {
    Objects.requireNonNull(json, "json");
    if (json.length() > maxFrameBytes) {
      throw tooLarge(json.length());
    }
    return decodeChecked(null, json);
  }

  private WireException tooLarge(int size) {
    return new WireException(
        ErrorCode.FRAME_TOO_LARGE,
        null,
        null,
        "frame of " + size + " bytes exceeds the limit of " + maxFrameBytes);
  }

  private Frame decodeChecked(byte[] bytes, String text) throws WireException {
    Header h = new Header();
    try (JsonParser p = bytes != null ? mapper.createParser(bytes) : mapper.createParser(text)) {
      return decode(p, h);
    } catch (WireException e) {
      throw e;
    } catch (IOException e) {
      throw translate(e, h.id);
    } catch (RuntimeException e) {
      // Defensive: Jackson should have wrapped everything, but nothing unchecked may escape.
      throw new WireException(ErrorCode.INVALID_FIELD, null, h.id, "invalid frame");
    }
  }

  /** What the decoder has learnt so far, kept for error reports. */
  private static final class Header {
    String id;
  }

  private Frame decode(JsonParser p, Header h) throws IOException, WireException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new WireException(ErrorCode.MALFORMED_JSON, null, null, "a frame must be a JSON object");
    }
    String version = null;
    String typeName = null;
    TokenBuffer buffered = null;
    boolean ended = false;
    // Read until v, type and id are known. Fields before them are buffered and replayed to the
    // record binder; with the usual order ("v", "type", "id" first) only the id is buffered.
    while (version == null || typeName == null || h.id == null) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.END_OBJECT) {
        ended = true;
        break;
      }
      if (t != JsonToken.FIELD_NAME) {
        throw new WireException(ErrorCode.MALFORMED_JSON, null, h.id, "unexpected token");
      }
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if ("v".equals(name)) {
        version = headerString(p, value, "v", h);
      } else if ("type".equals(name)) {
        typeName = headerString(p, value, "type", h);
      } else {
        if (buffered == null) {
          buffered = new TokenBuffer(p, null);
          buffered.writeStartObject();
        }
        if ("id".equals(name) && value == JsonToken.VALUE_STRING) {
          String id = p.getText();
          h.id = Check.isIdText(id, true) ? id : "";
        }
        buffered.writeFieldName(name);
        buffered.copyCurrentStructure(p);
      }
    }
    if (h.id != null && h.id.isEmpty()) {
      h.id = null;
    }
    checkVersion(version, h.id);
    if (typeName == null) {
      throw new WireException(ErrorCode.MISSING_FIELD, "type", h.id, "required");
    }
    FrameType type = FrameType.fromWireName(typeName);
    if (type == null) {
      throw new WireException(
          ErrorCode.UNKNOWN_TYPE, "type", h.id, "unknown frame type '" + printable(typeName) + "'");
    }
    if (buffered == null) {
      buffered = new TokenBuffer(p, null);
      buffered.writeStartObject();
    }
    JsonParser body;
    if (ended) {
      buffered.writeEndObject();
      body = buffered.asParser(p);
    } else {
      body = JsonParserSequence.createFlattened(false, buffered.asParser(p), p);
    }
    Frame frame = readers.get(type).readValue(body);
    if (p.nextToken() != null) {
      throw new WireException(ErrorCode.MALFORMED_JSON, null, h.id, "data after the frame object");
    }
    return frame;
  }

  private static String headerString(JsonParser p, JsonToken value, String field, Header h)
      throws IOException, WireException {
    if (value != JsonToken.VALUE_STRING) {
      throw new WireException(
          value == JsonToken.VALUE_NULL ? ErrorCode.MISSING_FIELD : ErrorCode.INVALID_FIELD,
          field,
          h.id,
          "must be a string");
    }
    return p.getText();
  }

  private static void checkVersion(String version, String id) throws WireException {
    if (version == null) {
      throw new WireException(ErrorCode.MISSING_FIELD, "v", id, "required");
    }
    int dot = version.indexOf('.');
    if (dot < 1
        || dot > 4
        || version.length() - dot - 1 < 1
        || version.length() - dot - 1 > 4
        || !digits(version, 0, dot)
        || !digits(version, dot + 1, version.length())) {
      throw new WireException(
          ErrorCode.UNSUPPORTED_VERSION, "v", id, "version must be 'major.minor', e.g. '1.0'");
    }
    int major = Integer.parseInt(version.substring(0, dot));
    if (major != 1) {
      throw new WireException(
          ErrorCode.UNSUPPORTED_VERSION,
          "v",
          id,
          "major version " + major + " is not supported; this endpoint speaks 1.x");
    }
  }

  private static boolean digits(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 32; i++) {
      char c = s.charAt(i);
      sb.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return sb.toString();
  }

  private static WireException translate(IOException e, String id) {
    String path = e instanceof DatabindException ? path((JsonMappingException) e) : null;
    // Jackson wraps parser errors met while binding nested values; the innermost parser error,
    // limit or field violation says what really went wrong, the outer exception says where.
    Throwable cause = e;
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof FieldViolation
          || t instanceof StreamConstraintsException
          || t instanceof StreamReadException) {
        cause = t;
        break;
      }
    }
    if (cause instanceof FieldViolation fv) {
      return new WireException(
          fv.code, join(path, fv.field), id, fv.getMessage().substring(fv.field.length() + 2));
    }
    if (cause instanceof StreamConstraintsException) {
      return new WireException(
          ErrorCode.LIMIT_EXCEEDED, path, id, "parser limit exceeded: " + limitName(cause.getMessage()));
    }
    if (cause instanceof JsonEOFException) {
      return new WireException(ErrorCode.MALFORMED_JSON, null, id, "truncated JSON");
    }
    if (cause instanceof InputCoercionException ice) {
      return new WireException(
          ErrorCode.INVALID_FIELD, join(path, currentName(ice)), id, "number out of range");
    }
    if (cause instanceof StreamReadException) {
      String msg = String.valueOf(cause.getMessage());
      if (msg.startsWith(DUPLICATE)) {
        int end = msg.indexOf('\'', DUPLICATE.length());
        String name = end > 0 ? msg.substring(DUPLICATE.length(), end) : null;
        return new WireException(ErrorCode.DUPLICATE_FIELD, join(path, name), id, "key appears twice");
      }
      return new WireException(ErrorCode.MALFORMED_JSON, null, id, "not well-formed JSON");
    }
    if (e instanceof InvalidFormatException ife) {
      if (ife.getTargetType() == Bytes.class) {
        return new WireException(ErrorCode.INVALID_BASE64, path, id, "not unpadded base64url");
      }
      return new WireException(
          ErrorCode.INVALID_FIELD, path, id, "invalid value for " + simpleType(ife.getTargetType()));
    }
    if (e instanceof MismatchedInputException mie) {
      String msg = String.valueOf(mie.getOriginalMessage());
      if (msg.startsWith(MISSING_CREATOR)) {
        int end = msg.indexOf('\'', MISSING_CREATOR.length());
        String field = end > 0 ? msg.substring(MISSING_CREATOR.length(), end) : null;
        return new WireException(ErrorCode.MISSING_FIELD, join(path, field), id, "required");
      }
      if (msg.startsWith(NULL_PRIMITIVE)) {
        return new WireException(ErrorCode.MISSING_FIELD, path, id, "required, null given");
      }
      return new WireException(
          ErrorCode.INVALID_FIELD, path, id, "wrong JSON type, expected " + simpleType(mie.getTargetType()));
    }
    if (e instanceof DatabindException) {
      return new WireException(ErrorCode.INVALID_FIELD, path, id, "invalid value");
    }
    return new WireException(ErrorCode.MALFORMED_JSON, null, id, "unreadable frame");
  }

  private static String limitName(String message) {
    if (message == null) {
      return "unknown";
    }
    if (message.contains("nesting depth")) {
      return "nesting depth over " + Limits.MAX_NESTING_DEPTH;
    }
    if (message.contains("Number value length")) {
      return "number longer than " + Limits.MAX_NUMBER_CHARS + " characters";
    }
    if (message.contains("Name length")) {
      return "key longer than " + Limits.MAX_KEY_CHARS + " characters";
    }
    if (message.contains("String value length") || message.contains("Document length")) {
      return "string or document too long";
    }
    return "limit";
  }

  private static String currentName(InputCoercionException e) {
    try {
      JsonParser p = (JsonParser) e.getProcessor();
      return p == null ? null : p.currentName();
    } catch (IOException | RuntimeException ignored) {
      return null;
    }
  }

  private static String simpleType(Class<?> c) {
    if (c == null) {
      return "another type";
    }
    if (c == int.class || c == Integer.class || c == long.class || c == Long.class) {
      return "an integer";
    }
    if (c == boolean.class || c == Boolean.class) {
      return "a boolean";
    }
    if (c == String.class) {
      return "a string";
    }
    if (List.class.isAssignableFrom(c)) {
      return "an array";
    }
    if (c.isEnum()) {
      return "one of " + java.util.Arrays.toString(c.getEnumConstants());
    }
    if (c == Bytes.class) {
      return "a base64url string";
    }
    return c.isRecord() ? "an object" : "a string";
  }

  private static String path(JsonMappingException e) {
    List<JsonMappingException.Reference> refs = e.getPath();
    if (refs == null || refs.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : refs) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  private static String join(String path, String field) {
    if (path == null) {
      return field;
    }
    if (field == null) {
      return path;
    }
    // A path that already ends with the field (the error was raised while binding it).
    if (path.equals(field) || path.endsWith("." + field)) {
      return path;
    }
    return path + "." + field;
  }

  /** Settings for a {@link WireCodec}. Not thread-safe; build once. */
  public static final class Builder {
    private int maxFrameBytes = Limits.DEFAULT_MAX_FRAME_BYTES;

    private Builder() {}

    /**
     * The largest frame accepted, 1 KiB to 16 MiB; default {@link Limits#DEFAULT_MAX_FRAME_BYTES}.
     */
    public Builder maxFrameBytes(int maxFrameBytes) {
      if (maxFrameBytes < 1024 || maxFrameBytes > 16 << 20) {
        throw new IllegalArgumentException(
            "maxFrameBytes must be between 1024 and 16 MiB: " + maxFrameBytes);
      }
      this.maxFrameBytes = maxFrameBytes;
      return this;
    }

    /** The codec. */
    public WireCodec build() {
      return new WireCodec(this);
    }
  }

  @Override
  public String toString() {
    return "WireCodec[maxFrameBytes=" + maxFrameBytes + "]";
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
