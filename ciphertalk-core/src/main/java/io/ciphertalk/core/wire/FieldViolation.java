package io.ciphertalk.core.wire;

/**
 * Thrown by frame record constructors when a component breaks the protocol's rules; the codec
 * turns it into a {@link WireException} with the same code and field. To a caller constructing a
 * frame it is an ordinary {@link IllegalArgumentException}.
 */
final class FieldViolation extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  final transient ErrorCode code;
  final String field;

  FieldViolation(ErrorCode code, String field, String message) {
    super(field + ": " + message);
    this.code = code;
    this.field = field;
  }
}
