/**
 * JSON for the upload pipeline, the only place Jackson is used: the buffered record format
 * ({@link io.loganalytics.sdk.impl.json.RecordFormat}), record encoding and validation
 * ({@link io.loganalytics.sdk.impl.json.RecordEncoder}), request bodies
 * ({@link io.loganalytics.sdk.impl.json.PayloadWriter}) and dead-letter files. Internal, not API.
 */
package io.loganalytics.sdk.impl.json;
