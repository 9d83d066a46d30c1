package io.loganalytics.sdk.impl.testsupport;

import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.http.HttpResponse;
import io.loganalytics.sdk.impl.json.JsonLimits;
import io.loganalytics.sdk.impl.transport.PreparedBody;
import io.loganalytics.sdk.impl.transport.UploadTransport;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An {@link UploadTransport} that forwards every call to a real one; tests override a method to inject a failure
 * (an exception from {@code send}, {@code envelopeBytes}...). Thread-safe when the delegate is.
 */
public class ForwardingTransport implements UploadTransport {
  private final UploadTransport delegate;

  /**
   * Wraps a transport.
   *
   * @param delegate where calls go
   */
  public ForwardingTransport(UploadTransport delegate) {
    this.delegate = delegate;
  }

  @Override
  public void validateType(String type) {
    delegate.validateType(type);
  }

  @Override
  public String ipName() {
    return delegate.ipName();
  }

  @Override
  public JsonLimits limits(int maxRequestBytes) {
    return delegate.limits(maxRequestBytes);
  }

  @Override
  public int envelopeBytes(String type, String ipName) {
    return delegate.envelopeBytes(type, ipName);
  }

  @Override
  public PreparedBody prepare(String type, String ipName, List<byte[]> records) {
    return delegate.prepare(type, ipName, records);
  }

  @Override
  public HttpResponse send(PreparedBody body, String requestId, int retryCount) throws IOException {
    return delegate.send(body, requestId, retryCount);
  }

  @Override
  public String onAuthenticationFailure(int status) {
    return delegate.onAuthenticationFailure(status);
  }

  @Override
  public ClockSkew clockSkew() {
    return delegate.clockSkew();
  }

  @Override
  public Optional<Instant> certificateExpiry() {
    return delegate.certificateExpiry();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
