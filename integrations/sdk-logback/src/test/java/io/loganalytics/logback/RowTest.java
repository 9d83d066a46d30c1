package io.loganalytics.logback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class RowTest {
  @Test
  void behavesAsAReadOnlyMapInInsertionOrder() {
    Row row = new Row(3);
    row.add("TimeGenerated", "t");
    row.add("Message", null);
    row.add("Level", "INFO");
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("TimeGenerated", "t");
    expected.put("Message", null);
    expected.put("Level", "INFO");

    assertThat(row).isEqualTo(expected).hasSize(3);
    assertThat(row.hashCode()).isEqualTo(expected.hashCode());
    assertThat(row.keySet()).containsExactly("TimeGenerated", "Message", "Level");
    assertThat(row.get("Level")).isEqualTo("INFO");
    assertThat(row.get("Missing")).isNull();
    assertThat(row.containsKey("Message")).as("a null value is still a column").isTrue();
    assertThat(row.containsKey("Missing")).isFalse();
    assertThatThrownBy(() -> row.put("Level", "WARN")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> row.entrySet().iterator().next().setValue("x"))
        .isInstanceOf(UnsupportedOperationException.class);
    Iterator<Map.Entry<String, Object>> it = row.entrySet().iterator();
    it.next();
    it.next();
    it.next();
    assertThat(it.hasNext()).isFalse();
    assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    assertThat(row.get("Level")).isEqualTo("INFO");
  }
}
