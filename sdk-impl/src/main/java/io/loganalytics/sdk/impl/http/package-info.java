/**
 * The HTTP seam ({@link io.loganalytics.sdk.impl.http.HttpExecutor}) and the one OkHttp client setup behind it
 * ({@link io.loganalytics.sdk.impl.http.HttpClients}). OkHttp is used in this package only. Internal, not an API.
 */
package io.loganalytics.sdk.impl.http;
