/**
 * CipherTalk core: wire protocol, message model, encrypted local stores, transports and the client
 * SDK.
 */
module io.ciphertalk.core {
  requires transitive io.ciphertalk.crypto;
  requires transitive com.fasterxml.jackson.databind;
  requires org.java_websocket;
  requires org.jdbi.v3.core;
  requires com.h2database;
  requires org.slf4j;
  // CipherTalkClient.Builder#meterRegistry takes a MeterRegistry.
  requires transitive micrometer.core;
  requires java.net.http;
  // Optional: image thumbnails for attachments (javax.imageio); without it images are sent without one.
  requires static java.desktop;
  requires org.bouncycastle.provider;
  requires transitive java.sql;

  // transports (helper "server")
  exports io.ciphertalk.core.transport;

  // wire: frames, codec, errors (helper "wire")
  exports io.ciphertalk.core.wire;
  exports io.ciphertalk.core.model;
  exports io.ciphertalk.core.store;
  exports io.ciphertalk.core.store.memory;
  exports io.ciphertalk.core.store.jdbi;
  // Jackson binds the frame records reflectively.
  opens io.ciphertalk.core.wire to
      com.fasterxml.jackson.databind;

  // client SDK (helper "client"); machinery in io.ciphertalk.client.internal is not exported
  exports io.ciphertalk.client;
}
