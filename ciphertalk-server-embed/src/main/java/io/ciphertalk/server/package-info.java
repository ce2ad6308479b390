/**
 * The embeddable CipherTalk server. Start with {@link io.ciphertalk.server.CipherTalkServer#builder()}.
 */
package io.ciphertalk.server;
