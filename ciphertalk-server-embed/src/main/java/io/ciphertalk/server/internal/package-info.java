/**
 * Server machinery. Not API: everything under this package may change at any time and is not
 * exported by the module.
 */
package io.ciphertalk.server.internal;
