package io.loganalytics.sdk.impl.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The SDK's executor honours an {@link HttpCancellation} bound to the calling thread, and only there. */
class HttpCancellationTest {
  @StartStop
  private final MockWebServer server = new MockWebServer();

  private final ClientCertificateExecutor executor = HttpClients.withoutClientCertificate(HttpSettings.defaults());
  private final HttpCancellation token = new HttpCancellation();
  private final CountDownLatch arrived = new CountDownLatch(1);
  private final CountDownLatch testOver = new CountDownLatch(1);

  @AfterEach
  void tearDown() {
    testOver.countDown();
    executor.close();
  }

  private HttpRequest post() {
    return HttpRequest.post(URI.create(server.url("/api/logs").toString()), "application/json",
        "{}".getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /** Answers no request while the test runs. */
  private void hangEveryRequest() {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        arrived.countDown();
        testOver.await();
        return new MockResponse.Builder().code(200).build();
      }
    });
  }

  @Test
  void cancelEndsTheRequestInFlightOnABoundThreadWithAnIoExceptionSayingSo() throws Exception {
    hangEveryRequest();
    CompletableFuture<HttpResponse> result = new CompletableFuture<>();
    Thread caller = new Thread(() -> {
      try (HttpCancellation.Binding binding = token.bindCurrentThread()) {
        assertThat(binding).isNotNull();
        result.complete(executor.execute(post()));
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }, "bound-caller");
    caller.start();
    assertThat(arrived.await(30, TimeUnit.SECONDS)).isTrue();

    assertThat(token.cancel()).isEqualTo(1);

    assertThatThrownBy(() -> result.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(IOException.class)
        .hasMessageContaining("was cancelled (the client is closing)")
        .hasMessageContaining("http://" + server.getHostName());
    assertThat(token.isCancelled()).isTrue();
    caller.join(30_000);
    assertThat(caller.isAlive()).isFalse();
  }

  @Test
  void aRequestOfABoundThreadAfterCancelFailsBeforeReachingTheServer() {
    assertThat(token.cancel()).isZero();

    try (HttpCancellation.Binding binding = token.bindCurrentThread()) {
      assertThat(binding).isNotNull();
      assertThatThrownBy(() -> executor.execute(post())).isInstanceOf(IOException.class)
          .hasMessageContaining("cancelled");
    }

    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void requestsOfUnboundThreadsAndAfterTheBindingEndsAreNotTouched() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).build());
    server.enqueue(new MockResponse.Builder().code(200).build());
    token.cancel();
    try (HttpCancellation.Binding binding = token.bindCurrentThread()) {
      assertThat(binding).isNotNull();
    }

    assertThat(executor.execute(post()).status()).isEqualTo(200);
    CompletableFuture<Integer> other = CompletableFuture.supplyAsync(() -> {
      try {
        return executor.execute(post()).status();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(other.get(30, TimeUnit.SECONDS)).isEqualTo(200);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }
}
