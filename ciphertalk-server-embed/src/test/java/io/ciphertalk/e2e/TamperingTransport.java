package io.ciphertalk.e2e;

import io.ciphertalk.core.transport.Transport;
import io.ciphertalk.core.transport.TransportListener;
import io.ciphertalk.core.transport.TransportState;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The server side of one client's connection, made to misbehave: every frame the real server sends
 * passes {@link #tamper} before the client sees it (returning null drops it), and every frame the
 * client sends is recorded. Sits between a real WebSocket transport and the client, so what the
 * client receives is exactly what a hostile server could send.
 */
final class TamperingTransport implements Transport {
  private final Transport inner;
  private final List<String> sent;
  volatile UnaryOperator<String> tamper = UnaryOperator.identity();
  private volatile TransportListener listener;

  TamperingTransport(Transport inner, List<String> sent) {
    this.inner = inner;
    this.sent = sent;
  }

  @Override
  public void start(TransportListener l) {
    this.listener = l;
    inner.start(new TransportListener() {
      @Override
      public void onOpen() {
        l.onOpen();
      }

      @Override
      public void onFrame(String frame) {
        String out = tamper.apply(frame);
        if (out != null) {
          l.onFrame(out);
        }
      }

      @Override
      public void onClosed(int code, String reason, boolean willReconnect) {
        l.onClosed(code, reason, willReconnect);
      }
    });
  }

  /** Hands the client a frame as if the server had sent it (also after the server cut it off). */
  void inject(String frame) {
    listener.onFrame(frame);
  }

  @Override
  public boolean send(String frame) {
    sent.add(frame);
    return inner.send(frame);
  }

  @Override
  public TransportState state() {
    return inner.state();
  }

  @Override
  public void close() {
    inner.close();
  }
}
