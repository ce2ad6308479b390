/** Reference applications: the console client and the embedded-host example. Never shipped. */
package io.ciphertalk.examples;
