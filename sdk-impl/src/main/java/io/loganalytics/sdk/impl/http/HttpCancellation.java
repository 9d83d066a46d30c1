package io.loganalytics.sdk.impl.http;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Call;

/**
 * A cancellation token for the HTTP requests that the threads bound to it make through the SDK's executors
 * ({@link HttpClients}). A client binds its uploader thread to one token for the thread's whole life and
 * {@linkplain #cancel() cancels} it when {@code close(Duration)} runs out of time: a request then in flight ends at
 * once with an {@link java.io.IOException} (its connection is closed), and every later request of a bound thread
 * fails the same way before anything is sent. Requests of threads not bound to the token (another client, an agent
 * session's renewal thread) are not touched.
 *
 * <p>Binding is per thread, so the token reaches the executor through any number of layers (transport, agent
 * session) without a parameter on each. An executor that is not the SDK's own (a test double) ignores it.
 *
 * <p>Cancelling is final: a token cannot be reset. Internal, not API: public only for the client package.
 * <b>Threading:</b> thread-safe; {@link #cancel()} is meant to be called from another thread than the bound one.
 */
public final class HttpCancellation {
  private static final ThreadLocal<HttpCancellation> BOUND = new ThreadLocal<>();

  /** The calls in flight on bound threads. */
  private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean cancelled;

  /** A binding of a thread to a token; {@link #close()} ends it. */
  public interface Binding extends AutoCloseable {
    /** Unbinds the thread. */
    @Override
    void close();
  }

  /**
   * Binds the calling thread to this token until the returned binding is closed (on the same thread). A thread is
   * bound to at most one token; binding again replaces the earlier one until this binding is closed.
   *
   * @return the binding, to close in a {@code finally} or try-with-resources
   */
  public Binding bindCurrentThread() {
    HttpCancellation previous = BOUND.get();
    BOUND.set(this);
    return () -> {
      if (previous == null) {
        BOUND.remove();
      } else {
        BOUND.set(previous);
      }
    };
  }

  /**
   * Cancels the requests in flight on the bound threads and makes every later one fail before it is sent.
   * Idempotent; returns at once (the bound threads see the failure shortly after).
   *
   * @return how many requests were in flight and were cancelled
   */
  public int cancel() {
    cancelled = true;
    int n = 0;
    for (Call call : inFlight) {
      call.cancel();
      n++;
    }
    return n;
  }

  /** @return whether {@link #cancel()} was called */
  public boolean isCancelled() {
    return cancelled;
  }

  /** @return the token the calling thread is bound to, or {@code null} */
  static HttpCancellation current() {
    return BOUND.get();
  }

  /**
   * Registers a call about to be executed; it is cancelled at once when the token already is. The caller
   * {@linkplain #finished(Call) removes} it when it ended.
   */
  void started(Call call) {
    inFlight.add(call);
    // After the add: a cancel() that ran before it is seen here, one that runs after it sees the call.
    if (cancelled) {
      call.cancel();
    }
  }

  /** Removes a call registered with {@link #started(Call)}. */
  void finished(Call call) {
    inFlight.remove(call);
  }

  @Override
  public String toString() {
    return "HttpCancellation{cancelled=" + cancelled + ", inFlight=" + inFlight.size() + "}";
  }
}
