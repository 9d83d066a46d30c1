/**
 * The service-provider interface between {@code sdk-api} and an implementation. Applications do not use it.
 */
package io.loganalytics.sdk.spi;
