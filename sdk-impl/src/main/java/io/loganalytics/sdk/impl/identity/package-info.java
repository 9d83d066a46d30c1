/**
 * Microsoft Entra ID tokens for the Logs Ingestion transport: the {@link io.loganalytics.sdk.impl.identity.TokenCache}
 * in front of any {@link io.loganalytics.sdk.AccessTokenProvider}, and the built-in providers of
 * {@link io.loganalytics.sdk.EntraCredential} (client secret, client certificate, workload identity), created by
 * {@link io.loganalytics.sdk.impl.identity.EntraTokenProviders}. Tokens, secrets and assertions never reach logs,
 * {@code toString} or exception messages. Internal, not API.
 */
package io.loganalytics.sdk.impl.identity;
