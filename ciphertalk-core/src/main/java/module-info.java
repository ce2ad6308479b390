/**
 * CipherTalk core: wire protocol, message model, encrypted local stores, transports and the client
 * SDK.
 */
module io.ciphertalk.core {
  requires transitive io.ciphertalk.crypto;
  requires com.fasterxml.jackson.databind;
  requires org.java_websocket;
  requires org.jdbi.v3.core;
  requires com.h2database;
  requires org.slf4j;

  exports io.ciphertalk.client;
  exports io.ciphertalk.core.transport;
}
