/**
 * The code that works around Camel's and Vert.x's internals, in one place: each class says which
 * upstream behaviour it works around and for which version, and {@code UpstreamVersionsTest} fails
 * when those versions change (re-check each one) or when a reflective handle no longer resolves.
 * Nothing here imports the rest of the runtime.
 */
package io.mqttintegration.runtime.internals;
