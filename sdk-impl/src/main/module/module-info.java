/**
 * The Log Analytics SDK's default implementation. It exports nothing: applications compile against
 * {@code io.loganalytics.sdk} and reach this module through {@link java.util.ServiceLoader}. Bouncy Castle is needed
 * only on the retired agent path (certificate generation) and is optional otherwise.
 */
module io.loganalytics.sdk.impl {
  requires transitive io.loganalytics.sdk;
  requires okhttp3;
  requires com.fasterxml.jackson.core;
  requires org.slf4j;
  requires java.xml;
  requires static org.bouncycastle.provider;
  requires static org.bouncycastle.pkix;

  provides io.loganalytics.sdk.spi.LogAnalyticsProvider with io.loganalytics.sdk.impl.DefaultLogAnalyticsProvider;
}
