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

  // transports (helper "server")
  exports io.ciphertalk.core.transport;

  // wire: frames, codec, errors (helper "wire")
  exports io.ciphertalk.core.wire;
  exports io.ciphertalk.core.model;
  // Jackson binds the frame records reflectively.
  opens io.ciphertalk.core.wire to
      com.fasterxml.jackson.databind;
}
