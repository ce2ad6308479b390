package io.ciphertalk.server.internal;

/**
 * A refusal the server reports to a client: a stable error {@code code} (documented in
 * docs/server-guide.md and docs/protocol.md), the HTTP status used by the REST API, and a message
 * safe to show (never containing secrets).
 */
public final class ServiceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final int httpStatus;
  private final long retryAfterMillis;
  private final java.util.List<String> missingDevices;
  private final java.util.List<String> extraDevices;

  public ServiceException(String code, int httpStatus, String message) {
    this(code, httpStatus, message, 0);
  }

  public ServiceException(String code, int httpStatus, String message, long retryAfterMillis) {
    super(message, null, false, false);
    this.code = code;
    this.httpStatus = httpStatus;
    this.retryAfterMillis = retryAfterMillis;
    this.missingDevices = java.util.List.of();
    this.extraDevices = java.util.List.of();
  }

  private ServiceException(java.util.List<String> missing, java.util.List<String> extra) {
    super("device list is not current", null, false, false);
    this.code = "stale_devices";
    this.httpStatus = 409;
    this.retryAfterMillis = 0;
    this.missingDevices = java.util.List.copyOf(missing);
    this.extraDevices = java.util.List.copyOf(extra);
  }

  /** A 1:1 send did not address exactly the current devices ({@code user.device} strings). */
  public static ServiceException staleDevices(java.util.List<String> missing, java.util.List<String> extra) {
    return new ServiceException(missing, extra);
  }

  public java.util.List<String> missingDevices() {
    return missingDevices;
  }

  public java.util.List<String> extraDevices() {
    return extraDevices;
  }

  public String code() {
    return code;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public long retryAfterMillis() {
    return retryAfterMillis;
  }

  public static ServiceException badRequest(String message) {
    return new ServiceException("bad_request", 400, message);
  }

  public static ServiceException unauthorized(String message) {
    return new ServiceException("unauthorized", 401, message);
  }

  public static ServiceException forbidden(String code, String message) {
    return new ServiceException(code, 403, message);
  }

  public static ServiceException notFound(String message) {
    return new ServiceException("not_found", 404, message);
  }
}
