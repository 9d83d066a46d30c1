package io.loganalytics.sdk.impl.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.loganalytics.sdk.InvalidRecordException;
import org.junit.jupiter.api.Test;

class TypeNamesTest {
  @Test
  void anInvalidTypeIsAnInvalidRecordNamingType() {
    InvalidRecordException e = catchThrowableOfType(InvalidRecordException.class,
        () -> TypeNames.check(TypeNames.LOG_TYPE, "Log-Type", "with space"));
    assertThat(e.field()).isEqualTo("type");
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage()).isEqualTo("type: 'with space' is not a valid Log-Type: it must start with a letter "
        + "and have at most 100 letters, digits or '_'");
  }

  @Test
  void aLongOrMultiLineTypeIsShownOnlyAsAShortOneLineExcerpt() {
    String type = "Evil\r\n" + "y".repeat(300);
    InvalidRecordException e = catchThrowableOfType(InvalidRecordException.class,
        () -> TypeNames.check(TypeNames.DATA_TYPE, "DataType", type));
    assertThat(e.getMessage()).startsWith("type: 'Evil??" + "y".repeat(TypeNames.SHOWN_CHARS - 6) + "...' is not")
        .doesNotContain("\n").doesNotContain("\r").endsWith("or '.'");
    assertThat(catchThrowableOfType(InvalidRecordException.class,
        () -> TypeNames.check(TypeNames.DATA_TYPE, "DataType", null)).getMessage()).startsWith("type: null is not");
  }
}
