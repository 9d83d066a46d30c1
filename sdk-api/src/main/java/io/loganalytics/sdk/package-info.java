/**
 * The Log Analytics SDK: deliver log records to an Azure Log Analytics workspace from any Java collector.
 *
 * <p>Start with {@link io.loganalytics.sdk.LogAnalyticsClient#builder()}. The key types:
 *
 * <ul>
 *   <li>{@link io.loganalytics.sdk.WorkspaceCredentials}: workspace ID and shared keys, rotatable at run time;
 *   <li>{@link io.loganalytics.sdk.CloudEnvironment}: public cloud, Azure Government, Azure China or a custom domain;
 *   <li>{@link io.loganalytics.sdk.ProxyConfig}: an HTTP CONNECT proxy, parsed from the agent's grammar;
 *   <li>{@link io.loganalytics.sdk.RetryPolicy}: upload interval, backoff, retries and what happens on give-up;
 *   <li>{@link io.loganalytics.sdk.DiskBuffer}: the crash-safe, bounded on-disk cache;
 *   <li>{@link io.loganalytics.sdk.ChunkUploader}: one chunk to the workspace, with retries;
 *   <li>{@link io.loganalytics.sdk.LogAnalyticsListener}: events; {@link io.loganalytics.sdk.ClientStats}: counters;
 *   <li>{@link io.loganalytics.sdk.LogAnalyticsException}: the root of every failure, saying whether a retry helps.
 * </ul>
 *
 * <p>This module depends on nothing but the JDK; the implementation ({@code io.loganalytics:loganalytics-sdk-impl}) is found at
 * run time with {@link java.util.ServiceLoader}.
 */
package io.loganalytics.sdk;
