package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dcr-template's inference and output, and migrate-hint. */
class DcrTemplateTest {
  @TempDir Path dir;

  static DcrTemplate of(String... lines) {
    DcrTemplate t = new DcrTemplate();
    for (int i = 0; i < lines.length; i++) {
      t.add(i + 1, lines[i]);
    }
    return t;
  }

  @Test
  void everyColumnTypeIsInferred() {
    DcrTemplate t = of("{\"msg\":\"hi\",\"n\":1,\"big\":5000000000,\"ratio\":0.5,\"ok\":true,"
        + "\"at\":\"2026-11-25T10:00:00Z\",\"tags\":[\"a\"],\"ctx\":{\"k\":1},\"nothing\":null}");

    assertThat(t.columns()).containsExactly(Map.entry("msg", "string"), Map.entry("n", "int"),
        Map.entry("big", "long"), Map.entry("ratio", "real"), Map.entry("ok", "boolean"),
        Map.entry("at", "datetime"), Map.entry("tags", "dynamic"), Map.entry("ctx", "dynamic"),
        Map.entry("nothing", "string"));
  }

  @Test
  void typesWidenAcrossRecords() {
    DcrTemplate t = of("{\"a\":1,\"b\":1,\"c\":\"2026-01-01T00:00:00Z\",\"d\":true,\"e\":null}",
        "{\"a\":5000000000,\"b\":1.5,\"c\":\"later\",\"d\":\"yes\",\"e\":7}");

    assertThat(t.columns()).containsExactly(Map.entry("a", "long"), Map.entry("b", "real"),
        Map.entry("c", "string"), Map.entry("d", "dynamic"), Map.entry("e", "int"));
  }

  @Test
  void timeGeneratedIsKeptCopiedFromTheFirstDatetimeOrTheIngestionTime() {
    assertThat(of("{\"TimeGenerated\":\"2026-11-25T10:00:00Z\",\"x\":1}").transformKql()).isEqualTo("source");
    assertThat(of("{\"x\":1,\"time\":\"2026-11-25T10:00:00.123+01:00\"}").transformKql())
        .isEqualTo("source | extend TimeGenerated = todatetime(['time'])");
    assertThat(of("{\"x\":1}").transformKql()).isEqualTo("source | extend TimeGenerated = now()");
    assertThat(of("{\"TimeGenerated\":\"soon\"}").transformKql()).isEqualTo(
        "source | project-rename TimeGenerated_original = ['TimeGenerated'] | extend TimeGenerated = now()");
  }

  @Test
  void fieldNamesATableCannotHoldAreRenamedInTheTableAndTheTransformation() {
    DcrTemplate t = of("{\"@timestamp\":\"2026-11-25T10:00:00Z\",\"user.name\":\"al'ice\",\"ok_1\":1}");

    assertThat(t.transformKql()).isEqualTo("source | project-rename f__timestamp = ['@timestamp'], user_name = "
        + "['user.name'] | extend TimeGenerated = todatetime(['f__timestamp'])");
    String json = t.render("Custom-App_CL", "eastus", "/subscriptions/s/ws");
    assertThat(json).contains("\"name\" : \"user_name\"").contains("\"name\" : \"user.name\"");
  }

  @Test
  void theOutputIsValidJsonWithTableAndDcrAsTheServiceExpectsThem() throws Exception {
    String json = of("{\"level\":\"info\",\"latencyMs\":12,\"time\":\"2026-11-25T10:00:00Z\"}")
        .render("Custom-MyTable_CL", "westeurope", "/subscriptions/1/resourceGroups/g/providers/"
            + "Microsoft.OperationalInsights/workspaces/w");

    Map<String, String> flat = flatten(json);
    assertThat(flat).containsEntry("table.properties.schema.name", "MyTable_CL")
        .containsEntry("table.properties.schema.columns[0].name", "TimeGenerated")
        .containsEntry("table.properties.schema.columns[0].type", "datetime")
        .containsEntry("table.properties.schema.columns[2].name", "latencyMs")
        .containsEntry("table.properties.schema.columns[2].type", "int")
        .containsEntry("dataCollectionRule.location", "westeurope")
        .containsEntry("dataCollectionRule.kind", "Direct")
        .containsEntry("dataCollectionRule.properties.streamDeclarations.Custom-MyTable_CL.columns[0].name", "level")
        .containsEntry("dataCollectionRule.properties.dataFlows[0].streams[0]", "Custom-MyTable_CL")
        .containsEntry("dataCollectionRule.properties.dataFlows[0].outputStream", "Custom-MyTable_CL")
        .containsEntry("dataCollectionRule.properties.dataFlows[0].destinations[0]", "workspace")
        .containsEntry("dataCollectionRule.properties.destinations.logAnalytics[0].name", "workspace")
        .containsEntry("dataCollectionRule.properties.dataFlows[0].transformKql",
            "source | extend TimeGenerated = todatetime(['time'])");
  }

  @Test
  void badSamplesNameTheLine() {
    assertThatThrownBy(() -> of("{\"a\":1}", "[1,2]")).hasMessage("line 2: is not a JSON object ({...})");
    assertThatThrownBy(() -> of("{\"a\":1} {\"b\":2}")).hasMessage("line 1: is not a single JSON object");
    assertThatThrownBy(() -> of("{\"a\":1,\"a\":2}")).hasMessage("line 1: field 'a' appears twice");
    assertThatThrownBy(() -> of("{\"a\":")).hasMessageStartingWith("line 1: is not valid JSON");
    assertThatThrownBy(() -> of("[".repeat(5000) + "]".repeat(5000))).hasMessageStartingWith("line 1:");
    assertThatThrownBy(() -> of("{" + "\"x\":".repeat(0) + "\"a\":" + "[".repeat(2000) + "]".repeat(2000) + "}"))
        .hasMessageStartingWith("line 1: is not valid JSON");
    StringBuilder wide = new StringBuilder("{");
    for (int i = 0; i <= DcrTemplate.MAX_COLUMNS; i++) {
      wide.append(i == 0 ? "" : ",").append("\"c").append(i).append("\":1");
    }
    assertThatThrownBy(() -> of(wide.append('}').toString())).hasMessageContaining("at most 500 columns");
  }

  @Test
  void theCommandPrintsTheTemplateAndNamesBadInput() throws Exception {
    Path sample = dir.resolve("sample.jsonl");
    Files.writeString(sample, "{\"level\":\"info\",\"n\":1}\n\n{\"level\":\"warn\",\"n\":2}\n");
    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(bad, "{\"a\":1}\nnot json\n");

    Cli.Result ok = new Cli(dir).run("dcr-template", "--stream", "Custom-MyTable_CL", "--file", sample.toString(),
        "--location", "eastus");
    Cli.Result badStream = new Cli(dir).run("dcr-template", "--stream", "MyTable", "--file", sample.toString());
    Cli.Result badFile = new Cli(dir).run("dcr-template", "--stream", "Custom-MyTable_CL", "--file", bad.toString());
    Cli.Result noFile = new Cli(dir).run("dcr-template", "--stream", "Custom-MyTable_CL");

    assertThat(ok.exit()).isZero();
    assertThat(flatten(ok.out())).containsEntry("dataCollectionRule.location", "eastus")
        .containsEntry("table.properties.schema.columns[2].name", "n");
    assertThat(ok.err()).startsWith("inferred 2 columns from 2 records");
    assertThat(badStream.exit()).isEqualTo(2);
    assertThat(badStream.err()).startsWith("error: --stream: 'MyTable' must be Custom-<table>_CL");
    assertThat(badFile.exit()).isEqualTo(2);
    assertThat(badFile.err()).startsWith("error: --file: line 2: is not valid JSON");
    assertThat(noFile.err()).startsWith("error: --file: is required");
  }

  @Test
  void migrateHintNamesTheTableAndStreamAndTheSteps() {
    Cli.Result r = new Cli(dir).run("migrate-hint", "--log-type", "AppEvents");
    Cli.Result suffixed = new Cli(dir).run("migrate-hint", "--log-type", "AppEvents_CL");
    Cli.Result bad = new Cli(dir).run("migrate-hint", "--log-type", "App-Events");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("  table   AppEvents_CL\n").contains("  stream  Custom-AppEvents_CL\n")
        .contains("dcr-template --stream Custom-AppEvents_CL").contains("Monitoring Metrics Publisher")
        .contains("--stream Custom-AppEvents_CL").contains("_s string");
    assertThat(suffixed.exit()).isEqualTo(2);
    assertThat(suffixed.err()).startsWith("error: --log-type: 'AppEvents_CL' already ends with _CL").contains(
        "such as AppEvents");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).startsWith("error: --log-type: ");
  }

  /** Flattens JSON into path -> scalar text, such as {@code a.b[0].c}. */
  static Map<String, String> flatten(String json) throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    try (JsonParser p = new JsonFactory().createParser(json)) {
      p.nextToken();
      walk(p, "", out);
      assertThat(p.nextToken()).isNull();
    }
    return out;
  }

  private static void walk(JsonParser p, String path, Map<String, String> out) throws Exception {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        walk(p, path.isEmpty() ? name : path + "." + name, out);
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
