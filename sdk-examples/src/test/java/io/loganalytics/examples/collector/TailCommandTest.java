package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.BufferFullException;
import io.loganalytics.sdk.RecordTooLargeException;
import io.loganalytics.sdk.Transport;
import io.loganalytics.testkit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TailCommandTest {
  @TempDir Path dir;

  @Test
  void sendsEachLineAsAMessageRecordAndStopsOnRequest() throws Exception {
    Path log = dir.resolve("app.log");
    FileFollowerTest.append(log, "started\n\nlistening on 8080\n");
    RecordingClient client = new RecordingClient();
    Cli cli = new Cli(dir).client(client);
    cli.stop.countDown(); // asked to stop at once: it reads once more, pushes and ends

    Cli.Result r = cli.run("tail", log.toString(), "--data-type", "APP_LOG", "--from-start", "--state-dir",
        dir.resolve("state").toString(), "--buffer-dir", dir.resolve("buffer").toString());

    assertThat(r.exit()).isZero();
    assertThat(client.records()).extracting(RecordingClient.Sent::type).containsOnly("APP_LOG");
    assertThat(client.records()).extracting(s -> s.field("Message")).containsExactly("started", "listening on 8080");
    assertThat(client.records().get(0).map()).containsEntry("FilePath", log.toString());
    assertThat(client.isClosed()).isTrue();
    assertThat(r.out()).contains("read 2, sent 2, given up 0, invalid 0, still buffered 0");
    assertThat(cli.lastBuilder.get().transport()).isEqualTo(Transport.AGENT_CERTIFICATE);
    assertThat(cli.lastBuilder.get().stateDirectory()).contains(dir.resolve("state"));
    assertThat(cli.lastBuilder.get().bufferOptions().directory()).isEqualTo(dir.resolve("buffer"));
  }

  @Test
  void jsonFormatSendsTheObjectsAndCountsBadLines() throws Exception {
    Path log = dir.resolve("events.jsonl");
    FileFollowerTest.append(log, "{\"level\":\"info\"}\nnot json\n{\"level\":\"warn\"}\n");
    RecordingClient client = new RecordingClient();
    Cli cli = new Cli(dir).client(client).env(java.util.Map.of(ClientSetup.SHARED_KEY_ENV, CommandLineErrorsTest.KEY));
    cli.stop.countDown();

    Cli.Result r = cli.run("tail", log.toString(), "--log-type", "AppEvents", "-w", CommandLineErrorsTest.WS,
        "--format", "json", "--from-start", "--buffer-dir",
        dir.resolve("buffer").toString(), "--state-dir", dir.resolve("state").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(client.records()).extracting(RecordingClient.Sent::record)
        .containsExactly("{\"level\":\"info\"}", "{\"level\":\"warn\"}");
    assertThat(r.err()).contains("skipped a line: record: is not a single JSON object");
    assertThat(r.out()).contains("read 3, sent 2, given up 0, invalid 1");
    assertThat(cli.lastBuilder.get().transport()).isEqualTo(Transport.DATA_COLLECTOR);
  }

  @Test
  void survivesABufferThatRefusesThenAcceptsWithEveryLineOnceAndInOrder() throws Exception {
    Path log = dir.resolve("app.log");
    FileFollowerTest.append(log, "one\ntwo\nthree\nfour\nfive\n");
    // "two" is refused three times (full buffer, then full disk), "four" once.
    RefusingClient client = new RefusingClient(Set.of(2, 3, 4, 7), () -> new BufferFullException(dir, "buffer full"));
    List<Duration> waits = new CopyOnWriteArrayList<>();
    Cli cli = new Cli(dir).client(client).sleeper(waits::add);

    Cli.Running running = cli.start(tailArgs(log, "--from-start"));
    client.delegate.awaitRecords(5);
    cli.stop.countDown();
    Cli.Result r = running.await();

    assertThat(r.exit()).isZero();
    assertThat(client.delegate.records()).extracting(x -> x.field("Message"))
        .containsExactly("one", "two", "three", "four", "five");
    assertThat(waits).extracting(Duration::toMillis).containsExactly(100L, 200L, 400L, 100L);
    assertThat(r.err())
        .contains("warning: the buffer refused a line, retrying in 100 ms (1 refusals so far, 1 since the last"
            + " warning)");
    assertThat(r.out()).contains("read 5, sent 5, given up 0, invalid 0");
  }

  @Test
  void aLongRefusalWarnsOnceAMinuteOfTheClockWithTheRefusalsHeldBack() throws Exception {
    Path log = dir.resolve("app.log");
    FileFollowerTest.append(log, "one\ntwo\n");
    // "two" is refused 30 times (calls 2..31). Each wait moves the clock: refusal k comes at 0, 0.1, 0.3, 0.7, 1.5,
    // 3.1, 6.3 s, then every 5 s: the 18th at 61.3 s and the 30th at 121.3 s are the first a minute after a warning.
    RefusingClient client = new RefusingClient(IntStream.rangeClosed(2, 31).boxed().collect(Collectors.toSet()),
        () -> new BufferFullException(dir, "buffer full"));
    MutableClock clock = MutableClock.at("2026-11-25T10:00:00Z");
    Cli cli = new Cli(dir).client(client).clock(clock).sleeper(clock::advance);

    Cli.Running running = cli.start(tailArgs(log, "--from-start"));
    client.delegate.awaitRecords(2);
    cli.stop.countDown();
    Cli.Result r = running.await();

    assertThat(r.exit()).isZero();
    assertThat(client.delegate.records()).extracting(x -> x.field("Message")).containsExactly("one", "two");
    assertThat(r.err().lines().filter(l -> l.contains("refused a line")).toList()).satisfiesExactly(
        l -> assertThat(l).contains("retrying in 100 ms (1 refusals so far, 1 since the last warning)"),
        l -> assertThat(l).contains("retrying in 5000 ms (18 refusals so far, 17 since the last warning)"),
        l -> assertThat(l).contains("retrying in 5000 ms (30 refusals so far, 12 since the last warning)"));
  }

  @Test
  void retriesARetryableDiskErrorToo() throws Exception {
    Path log = dir.resolve("app.log");
    FileFollowerTest.append(log, "a\nb\n");
    RefusingClient client = new RefusingClient(Set.of(1),
        () -> new BufferException(dir, "No space left on device", true, null));
    Cli cli = new Cli(dir).client(client).sleeper(d -> { });

    Cli.Running running = cli.start(tailArgs(log, "--from-start"));
    client.delegate.awaitRecords(2);
    cli.stop.countDown();

    assertThat(running.await().exit()).isZero();
    assertThat(client.delegate.records()).extracting(x -> x.field("Message")).containsExactly("a", "b");
  }

  @Test
  void skipsALineRefusedForGoodAndCountsIt() throws Exception {
    Path log = dir.resolve("app.log");
    FileFollowerTest.append(log, "a\nhuge\nc\n");
    RefusingClient client = new RefusingClient(Set.of(2), () -> new RecordTooLargeException("record is too large"));
    Cli cli = new Cli(dir).client(client).sleeper(d -> {
      throw new AssertionError("a non-retryable error is not retried");
    });
    cli.stop.countDown();

    Cli.Result r = cli.run(tailArgs(log, "--from-start"));

    assertThat(r.exit()).isEqualTo(1);
    assertThat(client.delegate.records()).extracting(x -> x.field("Message")).containsExactly("a", "c");
    assertThat(r.err()).contains("skipped a line: record is too large (1 skipped so far, 1 since the last warning)");
    assertThat(r.out()).contains("read 3, sent 2, given up 0, invalid 1");
  }

  @Test
  void aStopWhileTheBufferRefusesLeavesTheRestForTheNextRun() throws Exception {
    Path log = dir.resolve("app.log");
    FileFollowerTest.append(log, "a\nb\nc\n");
    RefusingClient refusing = new RefusingClient(Set.of(2), () -> new BufferFullException(dir, "buffer full"));
    Cli first = new Cli(dir).client(refusing);
    first.stop.countDown(); // stopping already: the refused line is not waited for

    Cli.Result r1 = first.run(tailArgs(log, "--from-start"));

    assertThat(refusing.delegate.records()).extracting(x -> x.field("Message")).containsExactly("a");
    assertThat(r1.err()).contains("the next run resumes after the last line taken");

    RecordingClient client = new RecordingClient();
    Cli second = new Cli(dir).client(client);
    second.stop.countDown();
    second.run(tailArgs(log));

    assertThat(client.records()).extracting(x -> x.field("Message")).containsExactly("b", "c");
  }

  @Test
  void resumesFromTheSavedPositionAndSendsLinesWrittenWhileStopped() throws Exception {
    Path log = dir.resolve("app.log");
    FileFollowerTest.append(log, "a\nb\n");
    RecordingClient first = new RecordingClient();
    Cli cli1 = new Cli(dir).client(first);
    cli1.stop.countDown();
    cli1.run(tailArgs(log, "--from-start"));
    assertThat(first.records()).extracting(x -> x.field("Message")).containsExactly("a", "b");

    FileFollowerTest.append(log, "written while down 1\nwritten while down 2\n");
    RecordingClient second = new RecordingClient();
    Cli cli2 = new Cli(dir).client(second);
    cli2.stop.countDown();
    Cli.Result r = cli2.run(tailArgs(log)); // the default would start at the end

    assertThat(second.records()).extracting(x -> x.field("Message"))
        .containsExactly("written while down 1", "written while down 2");
    assertThat(r.exit()).isZero();
    Path state = TailState.file(dir.resolve("state"), log);
    assertThat(TailState.read(dir.resolve("state"), log)).get()
        .extracting(FileFollower.Position::offset).isEqualTo(Files.size(log));
    assertThat(Files.getPosixFilePermissions(state)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (var files = Files.list(dir.resolve("state"))) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void aRotatedFileWithAnotherIdentityIsNotResumedAtTheOldOffset() throws Exception {
    Path log = dir.resolve("app.log");
    FileFollowerTest.append(log, "a\nb\nc\n");
    Cli cli1 = new Cli(dir).client(new RecordingClient());
    cli1.stop.countDown();
    cli1.run(tailArgs(log, "--from-start"));

    Files.move(log, dir.resolve("app.log.1"), StandardCopyOption.ATOMIC_MOVE);
    FileFollowerTest.append(log, "x\ny\nz\nw\n"); // a new file, longer than the saved offset
    RecordingClient client = new RecordingClient();
    Cli cli2 = new Cli(dir).client(client);
    cli2.stop.countDown();
    cli2.run(tailArgs(log, "--from-start"));

    assertThat(client.records()).extracting(x -> x.field("Message")).containsExactly("x", "y", "z", "w");
  }

  private String[] tailArgs(Path log, String... extra) {
    List<String> a = new java.util.ArrayList<>(List.of("tail", log.toString(), "--data-type", "APP_LOG",
        "--state-dir", dir.resolve("state").toString(), "--buffer-dir", dir.resolve("buffer").toString()));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }
}
