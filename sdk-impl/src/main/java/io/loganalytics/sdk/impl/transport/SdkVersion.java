package io.loganalytics.sdk.impl.transport;

/** The SDK's version as sent in {@code User-Agent} and {@code x-ms-client-version}. */
final class SdkVersion {
  /** From the jar's manifest; a fixed fallback when run from classes. */
  static final String VERSION = version();

  private SdkVersion() {}

  private static String version() {
    String v = SdkVersion.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0" : v;
  }
}
