package io.loganalytics.examples.collector;

import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.DiskBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code verify-buffer}: reads the buffer directory without changing it ({@link DiskBuffer#verify}) and prints
 * what it holds. Exit status 0 when it is healthy, 1 when corrupt segments were found.
 *
 * <p>Stateless; thread-safe.
 */
final class VerifyBufferCommand implements Command {
  @Override
  public int run(ParsedArgs args, CliContext ctx) {
    Path dir = new ClientSetup(args, ctx).bufferDirectory();
    if (!Files.isDirectory(dir)) {
      throw new UsageException(args.name("buffer-dir"), "'" + dir + "' is not a directory");
    }
    BufferReport r = DiskBuffer.verify(dir);
    ctx.out.println("buffer " + r.directory());
    ctx.out.println("  records  " + r.records());
    ctx.out.println("  bytes    " + r.bytes() + " (of records; " + r.diskBytes() + " on disk)");
    ctx.out.println("  segments " + r.segments());
    if (r.lostRecords() > 0) {
      ctx.out.println("  lost     " + r.lostRecords() + " (unreadable; reported when the buffer is next opened)");
    }
    ctx.out.println("  oldest   " + r.oldestAppendTime().map(Object::toString).orElse("-"));
    if (!r.corruptSegments().isEmpty()) {
      ctx.out.println("  corrupt  " + String.join("; ", r.corruptSegments()));
    }
    if (!r.quarantinedFiles().isEmpty()) {
      ctx.out.println("  quarantined " + r.quarantinedFiles());
    }
    ctx.out.println(r.healthy() ? "healthy" : "NOT healthy");
    return r.healthy() ? 0 : 1;
  }
}
