package io.loganalytics.sdk.impl.client;

import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.http.HttpExecutor;
import io.loganalytics.sdk.impl.testsupport.FakeSleeper;
import io.loganalytics.sdk.impl.testsupport.TestData;
import io.loganalytics.sdk.impl.transport.DataCollectorTransport;
import io.loganalytics.testkit.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import mockwebserver3.MockWebServer;

/** Builds the clients of the client tests: Data Collector path to a MockWebServer, time and jitter injected. */
final class ClientTestSupport {
  private ClientTestSupport() {}

  /** Called before each call to a buffer made by {@link #intercepting}; may throw to make the call fail. */
  @FunctionalInterface
  interface Interceptor {
    void before(String method) throws Throwable;
  }

  /**
   * A started client on the Data Collector path to {@code server}, uploading only when asked (interval of an hour),
   * with a {@link FakeSleeper} on {@code clock} and jitter fixed at the nominal wait.
   */
  static DefaultLogAnalyticsClient dataCollectorClient(MockWebServer server, MutableClock clock,
      HttpExecutor executor, DiskBuffer buffer) {
    LogAnalyticsClientBuilder config = LogAnalyticsClient.builder()
        .credentials(WorkspaceCredentials.of(TestData.WORKSPACE_ID, TestData.PRIMARY_KEY))
        .transport(Transport.DATA_COLLECTOR)
        .bufferDirectory(Path.of("unused-in-memory"))
        .retryPolicy(RetryPolicy.builder().uploadInterval(Duration.ofHours(1)).build())
        .clock(clock);
    DataCollectorTransport transport = new DataCollectorTransport(executor,
        URI.create(server.url("/api/logs?api-version=2016-04-01").toString()), config.credentials().orElseThrow(),
        new ClockSkew(clock), null, null);
    return DefaultLogAnalyticsClient.create(config, l -> buffer, transport, new FakeSleeper(clock), () -> 0.5);
  }

  /** The buffer, with {@code interceptor} told of every call (by method name) before it is made. */
  static DiskBuffer intercepting(DiskBuffer target, Interceptor interceptor) {
    return (DiskBuffer) Proxy.newProxyInstance(DiskBuffer.class.getClassLoader(), new Class<?>[] {DiskBuffer.class},
        (proxy, method, args) -> {
          interceptor.before(method.getName());
          try {
            return method.invoke(target, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
