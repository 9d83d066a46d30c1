package io.loganalytics.sdk.impl.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OmsAdminConfTest {

  @Test
  void aValueWithALineBreakIsRefusedNamingTheKeySoItCannotCreateAKey() {
    OmsAdminConf conf = OmsAdminConf.of(Map.of(OmsAdminConf.URL_TLD, "opinsights.azure.com"));
    for (String hostile : new String[] {"https://dsc\nURL_TLD=evil", "https://dsc\rURL_TLD=evil",
        "https://dsc\u2028URL_TLD=evil", "a\u0000b", "tab\there", "esc\u001b[31m", "del\u007f", "nel\u0085"}) {
      assertThatThrownBy(() -> conf.with(OmsAdminConf.DSC_ENDPOINT, hostile)).as(hostile)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("the value for DSC_ENDPOINT in omsadmin.conf holds a control character or line "
              + "break (U+");
      Map<String, String> m = new LinkedHashMap<>();
      m.put(OmsAdminConf.CERTIFICATE_UPDATE_ENDPOINT, hostile);
      assertThatThrownBy(() -> OmsAdminConf.of(m)).hasMessageContaining("CERTIFICATE_UPDATE_ENDPOINT");
    }
    assertThat(conf.format()).isEqualTo("URL_TLD=opinsights.azure.com\n");
  }

  @Test
  void keysMustBeShellNames() {
    for (String key : new String[] {"", "A=B", "A\nB", "1A", "A B", "A-B"}) {
      assertThatThrownBy(() -> OmsAdminConf.of(Map.of(key, "v"))).as(key)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a name of letters");
    }
    assertThat(OmsAdminConf.of(Map.of("_A1", "v")).format()).isEqualTo("_A1=v\n");
  }

  @Test
  void whatIsWrittenReadsBackAsTheSameKeys() {
    OmsAdminConf conf = OmsAdminConf.of(Map.of(OmsAdminConf.WORKSPACE_ID, "ws"))
        .with(OmsAdminConf.DSC_ENDPOINT, "https://dsc/Nodes(AgentId='x') URL_TLD=evil")
        .with(OmsAdminConf.URL_TLD, "opinsights.azure.com");
    OmsAdminConf read = OmsAdminConf.parse(conf.format());
    assertThat(read).isEqualTo(conf);
    assertThat(read.get(OmsAdminConf.URL_TLD)).contains("opinsights.azure.com");
  }
}
