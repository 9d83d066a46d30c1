package io.loganalytics.sdk.impl.buffer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Keeps a buffer directory readable by its owner only: buffered records are log data. On a file system with POSIX
 * permissions, {@link #restrictTree} takes group and other permissions away from what an older version (or a umask)
 * left (new files and directories are created owner-only by {@link io.loganalytics.sdk.impl.io.AtomicFile}). On
 * other file systems (Windows) nothing is done; there the directory's ACL, inherited from its parent, applies.
 * Stateless; thread-safe.
 */
final class OwnerOnly {
  private static final Set<PosixFilePermission> GROUP_OTHER = EnumSet.of(PosixFilePermission.GROUP_READ,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private final boolean posix;

  OwnerOnly(Path anyPathOnTheFileSystem) {
    this.posix = anyPathOnTheFileSystem.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /**
   * Takes group and other permissions away from {@code dir}, the files in it and the files of its subdirectories
   * (one level: quarantine/). Symbolic links are left alone.
   *
   * @return how many files and directories were changed
   * @throws IOException when one cannot be listed or changed (the ones before are changed)
   */
  int restrictTree(Path dir) throws IOException {
    if (!posix) {
      return 0;
    }
    int changed = restrict(dir) ? 1 : 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
          changed += restrict(f) ? 1 : 0;
          try (DirectoryStream<Path> inner = Files.newDirectoryStream(f)) {
            for (Path g : inner) {
              changed += restrict(g) ? 1 : 0;
            }
          }
        } else {
          changed += restrict(f) ? 1 : 0;
        }
      }
    }
    return changed;
  }

  private static boolean restrict(Path p) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class,
        LinkOption.NOFOLLOW_LINKS);
    if (view == null || Files.isSymbolicLink(p)) {
      return false;
    }
    Set<PosixFilePermission> perms = view.readAttributes().permissions();
    if (!perms.removeAll(GROUP_OTHER)) {
      return false;
    }
    view.setPermissions(perms);
    return true;
  }
}
