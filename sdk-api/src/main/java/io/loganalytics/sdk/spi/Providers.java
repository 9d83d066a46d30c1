package io.loganalytics.sdk.spi;

import java.util.Iterator;
import java.util.ServiceLoader;

/** Finds the {@link LogAnalyticsProvider}. Not API. */
public final class Providers {
  private static volatile LogAnalyticsProvider provider;

  private Providers() {}

  /**
   * The provider on the class path.
   *
   * @return the provider
   * @throws IllegalStateException naming the artifact to add when none is found
   */
  public static LogAnalyticsProvider get() {
    LogAnalyticsProvider p = provider;
    if (p == null) {
      Iterator<LogAnalyticsProvider> it =
          ServiceLoader.load(LogAnalyticsProvider.class, Providers.class.getClassLoader()).iterator();
      if (!it.hasNext()) {
        throw new IllegalStateException("No Log Analytics SDK implementation found on the class path: add the "
            + "dependency io.loganalytics:loganalytics-sdk-impl next to io.loganalytics:loganalytics-sdk-api");
      }
      p = it.next();
      provider = p;
    }
    return p;
  }
}
