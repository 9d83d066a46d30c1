/**
 * An adapter from azure-identity's {@code TokenCredential} to the SDK's
 * {@link io.loganalytics.sdk.AccessTokenProvider}: {@link io.loganalytics.azure.identity.AzureIdentityTokenProvider}.
 * The SDK itself (sdk-api, sdk-impl) never depends on the Azure SDK; this module does.
 */
package io.loganalytics.azure.identity;
