package io.loganalytics.examples.collector;

import io.loganalytics.sdk.ClientStats;
import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.testkit.ReceivedRecord;
import io.loganalytics.testkit.ReceivedRequest;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code demo}: the main job on one machine, offline. Starts a {@link WorkspaceEmulator} in-process (loopback, its
 * own TLS CA, the real host names mapped to loopback) with a data collection rule, two streams and an app that
 * holds the publisher role, then sends a realistic stream (syslog records and application events) through the full
 * pipeline of the Logs Ingestion transport (disk buffer, uploader, Entra token from the emulator's token endpoint
 * with a client secret, gzip, bearer token checked on every request) while injecting faults (503 with
 * {@code Retry-After} in seconds, 429 with {@code Retry-After} as an HTTP date, a connection reset), and ends with a
 * summary that proves every record arrived: sent equals received per stream (duplicates from at-least-once delivery
 * are counted apart). Exit status 0 only when all of that holds.
 *
 * <p>Retries are shortened (0.2 s upload interval, 0.2 s to 2 s backoff) so the demo takes seconds. Stateless;
 * thread-safe.
 */
final class DemoCommand implements Command {
  static final String APP_STREAM = "Custom-MyAppEvents_CL";
  static final String SYSLOG_STREAM = "Custom-Syslog_CL";
  private static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(3);

  @Override
  public int run(ParsedArgs args, CliContext ctx) throws IOException, InterruptedException {
    int total = args.intValue("records", 5000, 1, 1_000_000);
    Path work = Files.createTempDirectory("loganalytics-demo-");
    Path buffer = args.path("buffer-dir").orElse(work.resolve("buffer"));
    try (WorkspaceEmulator emulator = WorkspaceEmulator.builder().start()) {
      Path ca = emulator.writeCaCertificate(work.resolve("emulator-ca.pem"));
      String dcr = "dcr-" + java.util.UUID.randomUUID().toString().replace("-", "");
      String clientId = java.util.UUID.randomUUID().toString();
      emulator.createDataCollectionRule(dcr, SYSLOG_STREAM, APP_STREAM);
      byte[] secretBytes = new byte[24];
      new java.security.SecureRandom().nextBytes(secretBytes);
      EntraCredential credential = emulator.registerClientSecret(clientId,
          java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes));
      emulator.grantPublisher(dcr, clientId);
      ctx.out.println("1. workspace emulator on loopback port " + emulator.port() + ": data collection endpoint "
          + emulator.logsIngestionEndpoint() + ", DCR " + dcr + " (streams " + SYSLOG_STREAM + ", " + APP_STREAM
          + "), Entra tenant " + emulator.tenantId() + ", TLS CA " + ca);

      LogAnalyticsClientBuilder builder = LogAnalyticsClient.builder()
          .logsIngestion(emulator.logsIngestionEndpoint(), dcr)
          .entraCredential(credential)
          .cloud(emulator.logsIngestionCloud())
          .hostResolver(emulator.hostResolver())
          .trustCertificates(ca)
          .bufferDirectory(buffer)
          .retryPolicy(RetryPolicy.builder().uploadInterval(Duration.ofMillis(200))
              .initialBackoff(Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(2)).build());
      args.path("ca-file").ifPresent(builder::trustCertificates);
      ctx.out.println("2. app " + clientId + " holds Monitoring Metrics Publisher on the DCR; the client gets its "
          + "token from the emulator's Entra endpoint with a client secret");

      RetryCounter retries = new RetryCounter();
      builder.listener(retries);
      Map<String, Long> sentByType = new TreeMap<>();
      ClientStats stats;
      ctx.out.println("3. sending " + total + " records with faults injected along the way");
      LogAnalyticsClient client = ctx.clientFactory.apply(builder);
      try {
        Random random = new Random(1);
        Instant start = ctx.clock.instant();
        for (int seq = 0; seq < total; seq++) {
          if (seq == total / 4) {
            emulator.faults().failNext(2, 503, Duration.ofSeconds(1), false);
          } else if (seq == total / 2) {
            emulator.faults().failNextWithReset(1);
          } else if (seq == 3 * total / 4) {
            emulator.faults().failNext(1, 429, Duration.ofSeconds(1), true);
          }
          boolean syslog = random.nextInt(10) < 6;
          String type = syslog ? SYSLOG_STREAM : APP_STREAM;
          client.send(type, syslog ? syslogRecord(seq, random, start) : appEvent(seq, random));
          sentByType.merge(type, 1L, Long::sum);
          if ((seq + 1) % Math.max(1, total / 10) == 0) {
            ctx.out.println("   sent " + (seq + 1) + "/" + total + ", emulator has " + emulator.recordCount());
          }
        }
        boolean flushed = false;
        Instant deadline = ctx.clock.instant().plus(DELIVERY_TIMEOUT);
        while (!flushed && ctx.clock.instant().isBefore(deadline)) {
          flushed = client.flush(Duration.ofSeconds(5));
          ctx.out.println("   waiting for delivery: emulator has " + emulator.recordCount() + "/" + total);
        }
      } finally {
        stats = client.stats();
        client.close(Duration.ofSeconds(10));
      }
      return summary(ctx, emulator, sentByType, stats, retries.count.get(), total);
    }
  }

  private static int summary(CliContext ctx, WorkspaceEmulator emulator, Map<String, Long> sentByType,
      ClientStats stats, long retries, int total) {
    ctx.out.println("4. summary");
    boolean ok = true;
    long receivedDistinct = 0;
    for (Map.Entry<String, Long> e : sentByType.entrySet()) {
      List<ReceivedRecord> got = emulator.records(e.getKey());
      Set<Object> seqs = new HashSet<>();
      for (ReceivedRecord r : got) {
        seqs.add(r.field("DemoSeq"));
      }
      boolean typeOk = seqs.size() == e.getValue();
      ok &= typeOk;
      receivedDistinct += seqs.size();
      ctx.out.println("   " + e.getKey() + ": sent " + e.getValue() + ", received " + seqs.size()
          + (got.size() > seqs.size() ? " (+" + (got.size() - seqs.size()) + " duplicates, at-least-once)" : "")
          + (typeOk ? "" : "  MISSING " + (e.getValue() - seqs.size())));
    }
    List<ReceivedRequest> requests = emulator.requests();
    long uploads = 0;
    long uploadsFailed = 0;
    long tokens = 0;
    for (ReceivedRequest r : requests) {
      String path = r.path().toLowerCase(java.util.Locale.ROOT);
      if (path.contains("/datacollectionrules/")) {
        uploads++;
        if (r.status() / 100 != 2) {
          uploadsFailed++;
        }
      } else if (path.endsWith("/oauth2/v2.0/token") && r.status() == 200) {
        tokens++;
      }
    }
    ok &= tokens > 0;
    ok &= stats.recordsDroppedTotal() == 0;
    ctx.out.println("   Entra tokens issued " + tokens);
    ctx.out.println("   upload requests " + uploads + ": " + (uploads - uploadsFailed) + " accepted (204), each "
        + "with a bearer token the emulator checked; " + uploadsFailed + " answered with injected faults");
    ctx.out.println("   client: sent " + stats.recordsSent() + ", given up " + stats.recordsDroppedTotal()
        + ", retries " + retries + " (faults injected: 2x 503 Retry-After 1 s, 1x connection reset, "
        + "1x 429 Retry-After HTTP date)");
    ctx.out.println(ok ? "RESULT: every record arrived: sent " + total + " = received " + receivedDistinct
        : "RESULT: FAILED: sent " + total + ", received " + receivedDistinct + " distinct");
    return ok ? 0 : 1;
  }

  /** A syslog record as the {@code syslog} command makes it, tagged with its sequence number. */
  static Map<String, Object> syslogRecord(int seq, Random random, Instant now) {
    String[][] programs = {{"sshd", "Accepted publickey for deploy from 10.0.0." + random.nextInt(255)},
        {"CRON", "(root) CMD (/usr/local/bin/backup.sh)"}, {"kernel", "TCP: request_sock_TCP: Possible SYN "
        + "flooding on port 443"}, {"nginx", "GET /api/orders/" + random.nextInt(100000) + " 200"},
        {"systemd", "Started Daily apt upgrade and clean activities."}};
    String[] p = programs[random.nextInt(programs.length)];
    int facility = p[0].equals("sshd") ? 10 : p[0].equals("CRON") ? 9 : p[0].equals("kernel") ? 0 : 3;
    SyslogMessage m = new SyslogMessage(facility, 3 + random.nextInt(5), now, "web-0" + random.nextInt(4), p[0],
        p[0].equals("kernel") ? null : Integer.toString(1000 + random.nextInt(30000)), p[1]);
    Map<String, Object> r = SyslogRecords.toRecord(m, now, "10.0.0.1" + random.nextInt(10));
    r.put("DemoSeq", seq);
    return r;
  }

  /** An application event, tagged with its sequence number. */
  static Map<String, Object> appEvent(int seq, Random random) {
    String[] levels = {"info", "info", "info", "warn", "error"};
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("DemoSeq", seq);
    r.put("level", levels[random.nextInt(levels.length)]);
    r.put("service", "checkout");
    r.put("orderId", "o-" + (100000 + random.nextInt(900000)));
    r.put("latencyMs", 5 + random.nextInt(400));
    r.put("ok", random.nextInt(20) != 0);
    return r;
  }

  /** Counts retries the client scheduled. */
  private static final class RetryCounter extends LogAnalyticsListener {
    final AtomicLong count = new AtomicLong();

    @Override
    public void onRetryScheduled(String chunkId, int retry, Duration wait, String cause) {
      count.incrementAndGet();
    }
  }
}
