package io.loganalytics.sdk.impl.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class JsonLimitsTest {
  private final JsonLimits limits = JsonLimits.withColumnRules(1000, 100, 45, 500, Pattern.compile("[A-Za-z0-9_]+"),
      Set.of("TenantId", "Type"));

  @Test
  void rememberedValidNamesNeverMakeAnInvalidOneValid() {
    for (int round = 0; round < 3; round++) {
      assertThat(limits.checkFieldName("Message")).isNull();
      assertThat(limits.checkFieldName("bad-name")).contains("only letters, digits and '_'");
      assertThat(limits.checkFieldName("tenantid")).contains("reserved");
      assertThat(limits.checkFieldName("TENANTID")).contains("reserved");
      assertThat(limits.checkFieldName("")).contains("empty name");
      assertThat(limits.checkFieldName("x".repeat(46))).contains("at most 45");
    }
  }

  @Test
  void beyondTheRememberedNamesEveryNameIsStillChecked() {
    for (int i = 0; i < JsonLimits.MAX_REMEMBERED_NAMES + 100; i++) {
      assertThat(limits.checkFieldName("f" + i)).isNull();
    }
    assertThat(limits.checkFieldName("Type")).contains("reserved");
    assertThat(limits.checkFieldName("f" + (JsonLimits.MAX_REMEMBERED_NAMES + 50))).isNull();
    assertThat(limits.checkFieldName("no spaces")).isNotNull();
  }
}
