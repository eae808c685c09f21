package io.mqttintegration.runtime.http;

/**
 * The shape of every error answer, as the OpenAPI document describes it (the REST operations name
 * it as their error responses' model): {@code error} a stable code such as {@code not_found},
 * {@code detail} a sentence for people, {@code field} the request field at fault when there is one.
 * {@link HttpErrors} writes it; some errors add fields of their own (a quota's limit).
 */
public record ErrorBody(String error, String detail, String field) {
}
