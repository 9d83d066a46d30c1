/**
 * Shared-key signing (both schemes of the service, PROTOCOL §B2 step 4 and §B5d) and clock-skew tracking from the
 * service's {@code Date} header. Internal, not an API.
 */
package io.loganalytics.sdk.impl.auth;
