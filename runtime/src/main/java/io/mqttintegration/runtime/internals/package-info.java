/**
 * The code that works around Camel's, Vert.x's and Paho's internals, in one place: each class says which
 * upstream behaviour it works around and for which version, and {@code UpstreamVersionsTest} fails
 * when Camel's or Vert.x's version changes (re-check each one) or when a reflective handle no longer
 * resolves; {@code ReceivedDupFlagsTest} does the same for Paho's.
 * Nothing here imports the rest of the runtime.
 */
package io.mqttintegration.runtime.internals;
