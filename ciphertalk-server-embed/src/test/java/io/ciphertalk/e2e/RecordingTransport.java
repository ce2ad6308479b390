package io.ciphertalk.e2e;

import io.ciphertalk.core.transport.Transport;
import io.ciphertalk.core.transport.TransportListener;
import io.ciphertalk.core.transport.TransportState;
import java.util.List;

/**
 * Wraps a transport and records every frame in both directions: exactly the traffic the server
 * saw from and sent to this client. {@link #simulateNetworkFailure()} cuts the connection the way
 * a lost network would.
 */
final class RecordingTransport implements Transport {
  private final Transport inner;
  private final List<String> frames;
  private volatile TransportListener listener;

  RecordingTransport(Transport inner, List<String> frames) {
    this.inner = inner;
    this.frames = frames;
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
        frames.add(frame);
        l.onFrame(frame);
      }

      @Override
      public void onClosed(int code, String reason, boolean willReconnect) {
        l.onClosed(code, reason, willReconnect);
      }
    });
  }

  @Override
  public boolean send(String frame) {
    frames.add(frame);
    return inner.send(frame);
  }

  @Override
  public TransportState state() {
    return inner.state();
  }

  /** Hands the client a frame as if the server had sent it. */
  void inject(String frame) {
    listener.onFrame(frame);
  }

  /** Closes the connection underneath the client, which is told it was lost. */
  void simulateNetworkFailure() {
    TransportListener l = listener;
    inner.close();
    if (l != null) {
      l.onClosed(1006, "simulated network failure", false);
    }
  }

  @Override
  public void close() {
    inner.close();
  }
}
