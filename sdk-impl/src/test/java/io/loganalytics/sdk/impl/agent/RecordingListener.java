package io.loganalytics.sdk.impl.agent;

import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.LogAnalyticsListener;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the identity events as readable lines, e.g. {@code renewed server 2024-...}. Thread-safe. */
final class RecordingListener extends LogAnalyticsListener {
  final List<String> events = new CopyOnWriteArrayList<>();
  final List<AuthenticationException> authenticationFailures = new CopyOnWriteArrayList<>();
  final List<String> renewalFailureReasons = new CopyOnWriteArrayList<>();

  @Override
  public void onAuthenticationFailure(AuthenticationException error) {
    authenticationFailures.add(error);
    events.add("authenticationFailure " + error.status());
  }

  @Override
  public void onClockSkewDetected(Duration skew) {
    events.add("clockSkew " + skew);
  }

  @Override
  public void onCertificateRenewed(String trigger, Instant newExpiry) {
    events.add("renewed " + trigger + " " + newExpiry);
  }

  @Override
  public void onCertificateRenewalFailed(String reason, Instant currentExpiry) {
    renewalFailureReasons.add(reason);
    events.add("renewalFailed " + currentExpiry);
  }

  @Override
  public void onCertificateExpiring(Instant expiry) {
    events.add("expiring " + expiry);
  }

  @Override
  public void onCertificateExpired(Instant expiredAt) {
    events.add("expired " + expiredAt);
  }

  long count(String prefix) {
    return events.stream().filter(e -> e.startsWith(prefix)).count();
  }
}
