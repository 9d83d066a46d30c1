package io.loganalytics.examples.collector;

import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code run --config FILE}: the agent's multi-homing in one process. Every input of the {@link RunConfig} (files
 * followed as {@code tail} does, syslog listeners as {@code syslog} does) sends each record to each destination it
 * names, with that destination's record type; each destination is its own client with its own buffer directory (two
 * destinations cannot share one) and its own counters ({@code status --state-dir} of the destination). A line of a
 * followed file is retried per destination until every one took it; a syslog record refused by one destination's full
 * buffer is retried or dropped as a whole by the receiver, so another destination may see it twice (at least once
 * per destination). Runs until SIGINT/SIGTERM or a refused credential, then prints one summary line per destination.
 *
 * <p>Stateless; thread-safe.
 */
final class RunCommand implements Command {
  private static final Duration FINAL_PUSH = Duration.ofSeconds(30);

  /** A running destination. */
  private record Running(RunConfig.Destination config, LogAnalyticsClient client, Delivery delivery) {}

  @Override
  public int run(ParsedArgs args, CliContext ctx) throws IOException, InterruptedException {
    Path file = args.path("config").orElseThrow(() -> new UsageException("--config", "is required"));
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new UsageException(args.name("config"), "'" + file + "' is not a readable file");
    }
    if (Files.size(file) > 1_000_000) {
      throw new UsageException(args.name("config"), "'" + file + "' is larger than 1 MB");
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new UsageException(args.name("config"), "'" + file + "' is not UTF-8 text");
    }
    RunConfig config = RunConfig.parse(text);
    Path stateDir = config.stateDir != null ? Path.of(config.stateDir)
        : args.path("state-dir").orElse(ctx.home.resolve(".loganalytics").resolve("state"));

    // Everything is checked and every builder made before anything starts.
    Map<String, LogAnalyticsClientBuilder> builders = new LinkedHashMap<>();
    Map<String, ClientSetup> setups = new LinkedHashMap<>();
    Map<Path, String> buffers = new HashMap<>();
    for (RunConfig.Destination d : config.destinations.values()) {
      String firstType = null;
      for (RunConfig.Input in : config.inputs) {
        String t = in.to().get(d.name());
        if (t != null) {
          checkType(d, in.path() + ".to." + d.name(), t);
          firstType = firstType == null ? t : firstType;
        }
      }
      ParsedArgs destArgs = destinationArgs(d, firstType, stateDir);
      ClientSetup setup = new ClientSetup(destArgs, keyContext(ctx, d));
      Path buffer = setup.bufferDirectory().toAbsolutePath().normalize();
      String other = buffers.putIfAbsent(buffer, d.name());
      if (other != null) {
        throw new UsageException(d.path("buffer-dir"), "is also the buffer of destination " + other + "; every "
            + "destination needs its own buffer directory");
      }
      builders.put(d.name(), setup.builder(null));
      setups.put(d.name(), setup);
    }
    List<Path> tailFiles = new ArrayList<>();
    for (RunConfig.Input in : config.inputs) {
      if (in.type().equals("tail")) {
        Path f = Path.of((String) in.settings().get("file"));
        if (Files.isDirectory(f)) {
          throw new UsageException(in.path() + ".file", "'" + f + "' is a directory");
        }
        tailFiles.add(f);
      }
    }

    Map<String, Running> running = new LinkedHashMap<>();
    List<AutoCloseable> toClose = new ArrayList<>();
    List<Tail> tails = new ArrayList<>();
    List<SyslogReceiver> receivers = new ArrayList<>();
    List<Set<String>> receiverTargets = new ArrayList<>();
    try {
      for (Map.Entry<String, LogAnalyticsClientBuilder> e : builders.entrySet()) {
        RunConfig.Destination d = config.destinations.get(e.getKey());
        ClientSetup setup = setups.get(e.getKey());
        LogAnalyticsClient client = ctx.clientFactory.apply(e.getValue());
        Delivery delivery = new Delivery(client, ctx, setup.stateDirectory())
            .describe(setup.listener(), e.getValue(), firstTypeOf(config, d.name())).label(d.name());
        running.put(d.name(), new Running(d, client, delivery));
        ctx.err.println("destination " + d.name() + ": " + ClientSetup.target(e.getValue()) + ", buffer "
            + setup.bufferDirectory());
      }
      for (RunConfig.Input in : config.inputs) {
        if (in.type().equals("tail")) {
          tails.add(startTail(in, running, ctx, stateDir, toClose));
        } else {
          SyslogReceiver r = startSyslog(in, running, ctx);
          receivers.add(r);
          receiverTargets.add(in.to().keySet());
          toClose.add(r);
        }
      }
      // One loop polls every file: at the shortest pollMs given, else every second.
      int pollMs = config.inputs.stream().filter(i -> i.type().equals("tail"))
          .mapToInt(i -> RunConfig.integer(i.path(), i.settings(), "pollMs", 10, 3_600_000)).filter(ms -> ms > 0)
          .min().orElse(1000);
      boolean stop = false;
      while (true) {
        boolean complete = true;
        for (Tail t : tails) {
          complete &= t.session.hand(t.follower.pollLines());
          t.session.savePosition();
        }
        for (Running r : running.values()) {
          r.delivery().checkpoint();
        }
        if (!complete) {
          ctx.err.println("stopped while a buffer refused lines; the next run resumes after the last line taken");
          break;
        }
        if (stop || running.values().stream().anyMatch(r -> r.delivery().fatal().isPresent())) {
          break;
        }
        stop = ctx.stopRequested.await(pollMs, TimeUnit.MILLISECONDS);
      }
    } catch (IOException | RuntimeException e) {
      closeAll(toClose);
      for (Running r : running.values()) {
        r.client().close(Duration.ofSeconds(10));
      }
      throw e;
    }
    closeAll(toClose);
    int status = 0;
    for (Running r : running.values()) {
      // Each destination's summary counts the inputs that send to it.
      String d = r.config().name();
      long read = 0;
      long invalid = 0;
      long dropped = 0;
      for (Tail t : tails) {
        if (t.to().contains(d)) {
          read += t.session().read;
          invalid += t.session().invalid;
        }
      }
      for (int i = 0; i < receivers.size(); i++) {
        SyslogReceiver rec = receivers.get(i);
        if (receiverTargets.get(i).contains(d)) {
          read += rec.received() + rec.failed() + rec.dropped();
          invalid += rec.failed();
          dropped += rec.dropped();
        }
      }
      long droppedHere = dropped;
      r.delivery().inputDrops(() -> droppedHere);
      status = Math.max(status, r.delivery().finish(read, invalid, FINAL_PUSH));
    }
    return status;
  }

  /** A followed file and its session. */
  private record Tail(FileFollower follower, TailSession session, Set<String> to) {}

  private static Tail startTail(RunConfig.Input in, Map<String, Running> running, CliContext ctx, Path stateDir,
      List<AutoCloseable> toClose) throws IOException {
    Path file = Path.of((String) in.settings().get("file"));
    List<TailSession.Target> targets = new ArrayList<>();
    in.to().forEach((dest, type) -> targets.add(new TailSession.Target(dest, running.get(dest).client(), type)));
    boolean json = "json".equals(in.settings().get("format"));
    TailSession session = new TailSession(targets, ctx, json, file, stateDir);
    FileFollower follower = new FileFollower(file, Boolean.TRUE.equals(in.settings().get("fromStart")), session.saved);
    toClose.add(follower);
    ctx.err.println("following " + file + " to " + String.join(", ", in.to().keySet()));
    return new Tail(follower, session, in.to().keySet());
  }

  private static SyslogReceiver startSyslog(RunConfig.Input in, Map<String, Running> running, CliContext ctx)
      throws IOException {
    Map<String, Object> s = in.settings();
    boolean tcp = "tcp".equals(s.get("protocol"));
    int port = RunConfig.integer(in.path(), s, "port", 1, 65535);
    port = port < 0 ? SyslogReceiver.DEFAULT_PORT : port;
    String bindText = s.containsKey("bind") ? (String) s.get("bind") : "127.0.0.1";
    if (!bindText.matches("[0-9A-Fa-f:.]+") && !bindText.equals("localhost")) {
      throw new UsageException(in.path() + ".bind", "'" + ParsedArgs.printable(bindText) + "' is not an IP address");
    }
    InetAddress bind = InetAddress.getByName(bindText);
    SyslogReceiver.TcpOptions options = SyslogReceiver.TcpOptions.defaults();
    int idle = RunConfig.integer(in.path(), s, "idleTimeout", 1, 86_400);
    int max = RunConfig.integer(in.path(), s, "maxConnections", 1, 10_000);
    if (idle > 0) {
      options = options.idleTimeout(Duration.ofSeconds(idle));
    }
    if (max > 0) {
      options = options.maxConnections(max);
    }
    List<TailSession.Target> targets = new ArrayList<>();
    in.to().forEach((dest, type) -> targets.add(new TailSession.Target(dest, running.get(dest).client(), type)));
    RecordSink fanOut = (t, record) -> {
      for (TailSession.Target target : targets) {
        target.client().send(target.type(), record);
      }
    };
    SyslogReceiver r;
    try {
      r = SyslogReceiver.start(tcp, new InetSocketAddress(bind, port), new SyslogParser(ZoneId.systemDefault()),
          fanOut, ctx.clock, options);
    } catch (IOException e) {
      throw new IOException("cannot listen on " + (tcp ? "tcp " : "udp ") + bindText + ":" + port + " ("
          + in.path() + "): " + e.getMessage(), e);
    }
    ctx.err.println("listening for syslog on " + (tcp ? "tcp " : "udp ") + bindText + ":" + r.port() + " to "
        + String.join(", ", in.to().keySet()));
    return r;
  }

  private static void closeAll(List<AutoCloseable> all) {
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        // closing inputs at the end; nothing to report that the summary does not say
      }
    }
  }

  private static String firstTypeOf(RunConfig config, String dest) {
    return config.inputs.stream().map(i -> i.to().get(dest)).filter(t -> t != null).findFirst().orElse(null);
  }

  /** Checks a record type against the destination's transport. */
  private static void checkType(RunConfig.Destination d, String path, String type) {
    switch (d.transport()) {
      case "logs-ingestion" -> {
        if (!ClientSetup.STREAM.matcher(type).matches()) {
          throw new UsageException(path, "'" + ParsedArgs.printable(type) + "' is not a stream name (Custom-<table>,"
              + " such as Custom-MyTable_CL)");
        }
      }
      case "data-collector" -> {
        if (!ClientSetup.LOG_TYPE.matcher(type).matches()) {
          throw new UsageException(path, "'" + ParsedArgs.printable(type) + "' is not a Log-Type (a letter followed "
              + "by up to 99 letters, digits or '_')");
        }
      }
      default -> {
        if (!ClientSetup.DATA_TYPE.matcher(type).matches()) {
          throw new UsageException(path, "'" + ParsedArgs.printable(type) + "' is not a DataType (a letter followed "
              + "by up to 99 letters, digits, '_' or '.')");
        }
      }
    }
  }

  /** The destination's settings as the options {@link ClientSetup} reads, named by their key paths in errors. */
  private static ParsedArgs destinationArgs(RunConfig.Destination d, String type, Path stateDir) {
    Map<String, String> values = new HashMap<>(d.options());
    values.putIfAbsent("state-dir", stateDir.resolve(d.name()).toString());
    switch (d.transport()) {
      case "logs-ingestion" -> values.put("stream", type);
      case "data-collector" -> values.put("log-type", type);
      default -> values.put("data-type", type);
    }
    Map<String, String> names = new HashMap<>();
    for (String option : Set.of("buffer-dir", "state-dir", "ca-file", "proxy", "proxy-password-file", "endpoint",
        "dcr", "cloud", "tenant", "client-id", "workspace-id", "domain", "ip-name", "stream", "log-type",
        "data-type", "shared-key")) {
      names.put(option, option.equals("shared-key") ? "destinations." + d.name() + ".sharedKeyEnv"
          : Set.of("stream", "log-type", "data-type").contains(option) ? "destinations." + d.name()
          : d.path(option));
    }
    return new ParsedArgs("run", values, names, names, Set.of(), List.of());
  }

  /** The context whose {@value Commands#SHARED_KEY_ENV} is the destination's {@code sharedKeyEnv} variable. */
  private static CliContext keyContext(CliContext ctx, RunConfig.Destination d) {
    if (d.sharedKeyEnv().equals(Commands.SHARED_KEY_ENV)) {
      return ctx;
    }
    Map<String, String> env = new HashMap<>(ctx.env);
    env.remove(Commands.SHARED_KEY_ENV);
    String key = ctx.env.get(d.sharedKeyEnv());
    if (key != null) {
      env.put(Commands.SHARED_KEY_ENV, key);
    }
    return ctx.withEnv(env);
  }
}
