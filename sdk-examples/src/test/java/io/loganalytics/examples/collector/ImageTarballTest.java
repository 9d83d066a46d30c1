package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The container image Jib writes with {@code mvn -Pimage package} ({@code target/jib-image.tar}; this test runs in the
 * package phase after it, and skips when the image was not built): its entrypoint runs the collector as a non-root
 * user with the run mode's arguments, and no layer holds a test library or the emulator.
 */
class ImageTarballTest {
  static final Path IMAGE = Path.of("target/jib-image.tar");

  @Test
  void theImageRunsTheCollectorAsNonRootWithoutTestLibraries() throws Exception {
    assumeTrue(Files.isRegularFile(IMAGE), "the image is built only with -Pimage (mvn -B -Pimage -pl sdk-examples "
        + "-am package); " + IMAGE + " is absent");
    Map<String, byte[]> files = untar(new ByteArrayInputStream(Files.readAllBytes(IMAGE)));
    Map<String, String> config = flatten(new String(files.get("config.json"), StandardCharsets.UTF_8));
    Map<String, String> manifest = flatten(new String(files.get("manifest.json"), StandardCharsets.UTF_8));

    assertThat(config).containsEntry("config.Entrypoint[0]", "java").containsValue(CollectorMain.class.getName())
        .containsEntry("config.Cmd[0]", "run").containsEntry("config.Cmd[1]", "--config")
        .containsEntry("config.Cmd[2]", "/etc/loganalytics/collector.json")
        .containsEntry("config.User", "65532:65532").containsEntry("config.Env[0]", "HOME=/var/lib/loganalytics")
        .containsKey("config.Volumes./var/lib/loganalytics");
    assertThat(config.get("config.User")).doesNotStartWith("0").isNotEqualTo("root");

    List<String> paths = new ArrayList<>();
    for (Map.Entry<String, String> e : manifest.entrySet()) {
      if (e.getKey().matches("\\[0\\]\\.Layers\\[\\d+\\]")) {
        try (InputStream layer = new GZIPInputStream(new ByteArrayInputStream(files.get(e.getValue())))) {
          paths.addAll(untar(layer).keySet());
        }
      }
    }
    assertThat(paths).anyMatch(p -> p.matches("app/libs/picocli-.*\\.jar"))
        .anyMatch(p -> p.contains("io/loganalytics/examples/collector/CollectorMain.class"))
        .noneMatch(p -> p.contains("junit")).noneMatch(p -> p.contains("assertj"))
        .noneMatch(p -> p.contains("mockwebserver")).noneMatch(p -> p.contains("sdk-testkit"))
        .noneMatch(p -> p.contains("opentest4j"));
  }

  /** A minimal reader of (ustar) tar streams: regular files by path, without their leading "./" or "/". */
  static Map<String, byte[]> untar(InputStream in) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    byte[] header = new byte[512];
    while (in.readNBytes(header, 0, 512) == 512) {
      if (header[0] == 0) {
        break;
      }
      String name = field(header, 0, 100);
      String prefix = field(header, 345, 155);
      long size = Long.parseLong(field(header, 124, 12).strip().isEmpty() ? "0" : field(header, 124, 12).strip(), 8);
      byte type = header[156];
      byte[] data = in.readNBytes((int) size);
      in.skipNBytes((512 - size % 512) % 512);
      String path = (prefix.isEmpty() ? name : prefix + "/" + name).replaceFirst("^\\./", "").replaceFirst("^/", "");
      if (type == '0' || type == 0) {
        out.put(path, data);
      }
    }
    return out;
  }

  private static String field(byte[] h, int off, int len) {
    int end = off;
    while (end < off + len && h[end] != 0) {
      end++;
    }
    return new String(h, off, end - off, StandardCharsets.US_ASCII);
  }

  /** JSON flattened to path -> scalar, such as {@code config.Cmd[0]}. */
  static Map<String, String> flatten(String json) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (JsonParser p = new JsonFactory().createParser(json)) {
      p.nextToken();
      walk(p, "", out);
    }
    return out;
  }

  private static void walk(JsonParser p, String path, Map<String, String> out) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        walk(p, path.isEmpty() ? name : path + "." + name, out);
      }
      if (!out.keySet().stream().anyMatch(k -> k.startsWith(path + ".")) && !path.isEmpty()) {
        out.put(path, "{}");
      }
    } else if (t == JsonToken.START_ARRAY) {
      int i = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        walk(p, path + "[" + i++ + "]", out);
      }
    } else {
      out.put(path, p.getText());
    }
  }
}
