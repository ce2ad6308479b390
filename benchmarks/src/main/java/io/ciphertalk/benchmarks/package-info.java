/** JMH benchmarks and the server load generator. Never shipped. */
package io.ciphertalk.benchmarks;
