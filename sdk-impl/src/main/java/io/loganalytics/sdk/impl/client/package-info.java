/**
 * The client a collector embeds, {@link io.loganalytics.sdk.impl.client.DefaultLogAnalyticsClient}: validation,
 * buffering, the uploader thread, flush, close and stats. Internal, not API.
 */
package io.loganalytics.sdk.impl.client;
