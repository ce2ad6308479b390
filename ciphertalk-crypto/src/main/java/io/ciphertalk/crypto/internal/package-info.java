/** Byte encoding shared by the session and group formats. Not exported. */
package io.ciphertalk.crypto.internal;
