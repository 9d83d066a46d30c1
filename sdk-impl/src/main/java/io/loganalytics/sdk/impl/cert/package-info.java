/**
 * The agent certificate: generation (PROTOCOL §B3) and PEM files. Bouncy Castle is used in this package only.
 * Internal, not an API.
 */
package io.loganalytics.sdk.impl.cert;
