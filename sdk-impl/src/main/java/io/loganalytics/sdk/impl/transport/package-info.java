/**
 * The two ways records reach the workspace, behind {@link io.loganalytics.sdk.impl.transport.UploadTransport}: the
 * agent's certificate path ({@link io.loganalytics.sdk.impl.transport.OdsTransport}, PROTOCOL §B5a) and the Data
 * Collector API ({@link io.loganalytics.sdk.impl.transport.DataCollectorTransport}, §B5d). HTTP goes through
 * {@link io.loganalytics.sdk.impl.http.HttpExecutor}. Internal, not API.
 */
package io.loganalytics.sdk.impl.transport;
