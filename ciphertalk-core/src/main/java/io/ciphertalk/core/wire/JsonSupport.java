package io.ciphertalk.core.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.crypto.DeviceAddress;
import java.io.IOException;

/** Builds the strictly configured Jackson mapper the codec uses. Not thread-confined: stateless. */
final class JsonSupport {
  private JsonSupport() {}

  static ObjectMapper strictMapper(int maxFrameBytes) {
    StreamReadConstraints constraints =
        StreamReadConstraints.builder()
            .maxNestingDepth(Limits.MAX_NESTING_DEPTH)
            .maxNumberLength(Limits.MAX_NUMBER_CHARS)
            .maxNameLength(Limits.MAX_KEY_CHARS)
            .maxStringLength(maxFrameBytes)
            .maxDocumentLength(maxFrameBytes)
            .build();
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(constraints)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();
    SimpleModule module = new SimpleModule("ciphertalk-wire");
    module.addSerializer(Bytes.class, new BytesSerializer());
    module.addDeserializer(Bytes.class, new BytesDeserializer());
    module.addSerializer(DeviceAddress.class, new AddressSerializer());
    module.addDeserializer(DeviceAddress.class, new AddressDeserializer());
    module.addSerializer(MessageId.class, new MessageIdSerializer());
    module.addDeserializer(MessageId.class, new MessageIdDeserializer());
    JsonMapper mapper =
        JsonMapper.builder(factory)
            .addModule(module)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .defaultPropertyInclusion(
                JsonInclude.Value.construct(
                    JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();
    // No silent coercion of numbers or booleans into strings, or of strings/empties into anything.
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigDefaults()
        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.EmptyArray, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.EmptyObject, CoercionAction.Fail);
    return mapper;
  }

  private static final class BytesSerializer extends StdScalarSerializer<Bytes> {
    private static final long serialVersionUID = 1L;

    BytesSerializer() {
      super(Bytes.class);
    }

    @Override
    public void serialize(Bytes value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      byte[] b = value.unsafeArray();
      gen.writeBinary(Base64Variants.MODIFIED_FOR_URL, b, 0, b.length);
    }
  }

  private static final class BytesDeserializer extends StdScalarDeserializer<Bytes> {
    private static final long serialVersionUID = 1L;

    BytesDeserializer() {
      super(Bytes.class);
    }

    @Override
    public Bytes deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return (Bytes) ctxt.handleUnexpectedToken(Bytes.class, p);
      }
      try {
        return Bytes.fromBase64Url(p.getText());
      } catch (IllegalArgumentException e) {
        throw InvalidFormatException.from(p, "not unpadded base64url", null, Bytes.class);
      }
    }
  }

  private static final class AddressSerializer extends StdScalarSerializer<DeviceAddress> {
    private static final long serialVersionUID = 1L;

    AddressSerializer() {
      super(DeviceAddress.class);
    }

    @Override
    public void serialize(DeviceAddress value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(value.toString());
    }
  }

  private static final class AddressDeserializer extends StdScalarDeserializer<DeviceAddress> {
    private static final long serialVersionUID = 1L;

    AddressDeserializer() {
      super(DeviceAddress.class);
    }

    @Override
    public DeviceAddress deserialize(JsonParser p, DeserializationContext ctxt)
        throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return (DeviceAddress) ctxt.handleUnexpectedToken(DeviceAddress.class, p);
      }
      DeviceAddress a = parseAddress(p.getText());
      if (a == null) {
        throw InvalidFormatException.from(
            p, "not a device address 'user.device'", null, DeviceAddress.class);
      }
      return a;
    }
  }

  /** Parses {@code user.device}, or returns null. */
  static DeviceAddress parseAddress(String s) {
    int dot = s.lastIndexOf('.');
    if (dot <= 0 || dot == s.length() - 1 || s.length() - dot - 1 > 10) {
      return null;
    }
    long device = 0;
    for (int i = dot + 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      device = device * 10 + (c - '0');
    }
    if (device < 1 || device > Integer.MAX_VALUE || s.charAt(dot + 1) == '0') {
      return null;
    }
    String user = s.substring(0, dot);
    if (!Check.isIdText(user, false)) {
      return null;
    }
    return new DeviceAddress(user, (int) device);
  }

  private static final class MessageIdSerializer extends StdScalarSerializer<MessageId> {
    private static final long serialVersionUID = 1L;

    MessageIdSerializer() {
      super(MessageId.class);
    }

    @Override
    public void serialize(MessageId value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(value.toString());
    }
  }

  private static final class MessageIdDeserializer extends StdScalarDeserializer<MessageId> {
    private static final long serialVersionUID = 1L;

    MessageIdDeserializer() {
      super(MessageId.class);
    }

    @Override
    public MessageId deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return (MessageId) ctxt.handleUnexpectedToken(MessageId.class, p);
      }
      try {
        return MessageId.parse(p.getText());
      } catch (IllegalArgumentException e) {
        throw InvalidFormatException.from(p, "not a UUID message id", null, MessageId.class);
      }
    }
  }
}
