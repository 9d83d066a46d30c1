package io.loganalytics.sdk;

import static io.loganalytics.sdk.TestSupport.KEY_00_TO_3F;
import static io.loganalytics.sdk.TestSupport.PRIMARY_KEY;
import static io.loganalytics.sdk.TestSupport.SECONDARY_KEY;
import static io.loganalytics.sdk.TestSupport.WORKSPACE_ID;
import static io.loganalytics.sdk.TestSupport.assertContainsNoSecret;
import static io.loganalytics.sdk.TestSupport.configurationError;
import static io.loganalytics.sdk.TestSupport.hmacSha256Base64;
import static io.loganalytics.sdk.TestSupport.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.loganalytics.sdk.WorkspaceCredentials.KeySlot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class WorkspaceCredentialsTest {

  // ---------------------------------------------------------------- workspace IDs

  static Stream<Arguments> validWorkspaceIds() {
    return Stream.of(
        arguments("01234567-89ab-cdef-0123-456789abcdef", "01234567-89ab-cdef-0123-456789abcdef"),
        arguments("01234567-89AB-CDEF-0123-456789ABCDEF", "01234567-89ab-cdef-0123-456789abcdef"),
        arguments("01234567-89Ab-cDeF-0123-456789aBcDeF", "01234567-89ab-cdef-0123-456789abcdef"),
        arguments("  01234567-89ab-cdef-0123-456789abcdef  ", "01234567-89ab-cdef-0123-456789abcdef"),
        arguments("\t01234567-89ab-cdef-0123-456789abcdef\n", "01234567-89ab-cdef-0123-456789abcdef"),
        arguments("\r\nFFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF\r\n", "ffffffff-ffff-ffff-ffff-ffffffffffff"),
        arguments("00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000"));
  }

  @ParameterizedTest
  @MethodSource("validWorkspaceIds")
  void acceptsWorkspaceIdInAnyCaseAndReturnsItLowercase(String input, String expected) {
    assertThat(WorkspaceCredentials.validateWorkspaceId(input)).isEqualTo(expected);
    assertThat(WorkspaceCredentials.of(input, PRIMARY_KEY).workspaceId()).isEqualTo(expected);
  }

  static Stream<Arguments> invalidWorkspaceIds() {
    return Stream.of(
        arguments(null, "is missing"),
        arguments("", "is missing"),
        arguments("   \n\t", "is missing"),
        arguments("0123456789abcdef0123456789abcdef", "is not a GUID"),
        arguments("{01234567-89ab-cdef-0123-456789abcdef}", "is not a GUID"),
        arguments("01234567-89ab-cdef-0123-456789abcdeg", "is not a GUID"),
        arguments("01234567-89ab-cdef-0123-456789abcde", "is not a GUID"),
        arguments("01234567-89ab-cdef-0123-456789abcdef0", "is not a GUID"),
        arguments("0123456-789ab-cdef-0123-456789abcdef", "is not a GUID"),
        arguments("01234567_89ab_cdef_0123_456789abcdef", "is not a GUID"),
        arguments("01234567-89ab-cdef-0123-4567 89abcdef", "is not a GUID"),
        arguments("01234567-89ab-cdef-0123-456789abcdef-0000", "is not a GUID"),
        arguments("urn:uuid:01234567-89ab-cdef-0123-456789abcdef", "is not a GUID"),
        arguments("０1234567-89ab-cdef-0123-456789abcdef", "is not a GUID"), // full-width digit
        arguments("my-workspace", "is not a GUID"));
  }

  @ParameterizedTest
  @MethodSource("invalidWorkspaceIds")
  void rejectsWorkspaceIdThatIsNotAGuidNamingTheField(String input, String problem) {
    ConfigurationException e = configurationError(() -> WorkspaceCredentials.of(input, PRIMARY_KEY));

    assertThat(e.field()).isEqualTo("workspaceId");
    assertThat(e.getMessage()).contains(problem).contains("GUID", "such as 01234567-89ab-cdef-0123-456789abcdef");
  }

  // ---------------------------------------------------------------- keys

  static Stream<Arguments> acceptedKeyTexts() {
    return Stream.of(
        arguments("as shown in the portal", PRIMARY_KEY, PRIMARY_KEY),
        arguments("spaces around", "  " + PRIMARY_KEY + "  ", PRIMARY_KEY),
        arguments("trailing newline", PRIMARY_KEY + "\n", PRIMARY_KEY),
        arguments("CRLF around", "\r\n" + PRIMARY_KEY + "\r\n", PRIMARY_KEY),
        arguments("tab before", "\t" + PRIMARY_KEY, PRIMARY_KEY),
        arguments("padding left off", PRIMARY_KEY.replace("=", ""), PRIMARY_KEY),
        arguments("smallest accepted, 32 bytes", key(32, 3), key(32, 3)),
        arguments("largest accepted, 128 bytes", key(128, 3), key(128, 3)),
        arguments("fixed key 00..3f", KEY_00_TO_3F, KEY_00_TO_3F));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("acceptedKeyTexts")
  void acceptsBase64KeyWithSurroundingWhitespace(String label, String keyText, String canonicalKey) {
    WorkspaceCredentials credentials = WorkspaceCredentials.of(WORKSPACE_ID, keyText);

    assertThat(credentials.matches(KeySlot.PRIMARY, canonicalKey)).isTrue();
    assertThat(credentials.sign(KeySlot.PRIMARY, "x")).isEqualTo(hmacSha256Base64(canonicalKey, "x"));
    assertThat(credentials.hasSecondaryKey()).isFalse();
  }

  static Stream<Arguments> invalidKeyTexts() {
    String k = PRIMARY_KEY;
    return Stream.of(
        arguments("null", null, "is missing"),
        arguments("empty", "", "is missing"),
        arguments("only whitespace", " \n\t ", "is missing"),
        arguments("URL-safe alphabet", k.replace('+', '-').replace('/', '_'), "not in the base64 alphabet"),
        arguments("space inside", k.substring(0, 40) + " " + k.substring(40), "not in the base64 alphabet"),
        arguments("newline inside", k.substring(0, 40) + "\n" + k.substring(40), "not in the base64 alphabet"),
        arguments("punctuation", k.substring(0, 40) + "!" + k.substring(41), "position 41 of 88"),
        arguments("non-ASCII letter", k.substring(0, 10) + "é" + k.substring(11), "not in the base64 alphabet"),
        arguments("quoted", "\"" + k + "\"", "position 1 of 90"),
        arguments("one padding character too many", k + "=", "padding or length is wrong"),
        arguments("one padding character too few", k.substring(0, k.length() - 1), "padding or length is wrong"),
        arguments("padding in the middle", k.substring(0, 40) + "==" + k.substring(42), "padding or length"),
        arguments("one character cut off", k.replace("=", "").substring(1), "padding or length is wrong"),
        arguments("too short: 16 bytes", key(16, 5), "decodes to 16 bytes"),
        arguments("too short: 31 bytes", key(31, 5), "decodes to 31 bytes"),
        arguments("too long: 129 bytes", key(129, 5), "decodes to 129 bytes"),
        arguments("too long: key pasted twice", k + k, "padding or length is wrong"),
        arguments("too long: unpadded key pasted twice", k.replace("=", "") + k.replace("=", ""), "129 bytes"),
        arguments("too long: 256 bytes", key(256, 5), "decodes to 256 bytes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidKeyTexts")
  void rejectsInvalidPrimaryKeyNamingTheFieldWithoutEchoingIt(String label, String keyText, String problem) {
    ConfigurationException e = configurationError(() -> WorkspaceCredentials.of(WORKSPACE_ID, keyText));

    assertThat(e.field()).isEqualTo("sharedKey");
    assertThat(e.getMessage()).contains(problem);
    if (keyText != null && keyText.strip().length() >= 8) {
      assertContainsNoSecret(e, keyText.strip());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidKeyTexts")
  void rejectsInvalidSecondaryKeyNamingTheFieldWithoutEchoingIt(String label, String keyText, String problem) {
    if (keyText == null) {
      return; // null means "no secondary key", which is valid; covered by createsCredentialsWithoutSecondaryKey
    }
    ConfigurationException e =
        configurationError(() -> WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY, keyText));

    assertThat(e.field()).isEqualTo("secondaryKey");
    assertThat(e.getMessage()).contains(problem);
    assertContainsNoSecret(e, PRIMARY_KEY);
    if (keyText.strip().length() >= 8) {
      assertContainsNoSecret(e, keyText.strip());
    }
  }

  @Test
  void keyTooShortMessageSaysWhatAWorkspaceKeyLooksLike() {
    ConfigurationException e = configurationError(() -> WorkspaceCredentials.of(WORKSPACE_ID, key(16, 1)));

    assertThat(e.getMessage()).isEqualTo("sharedKey: decodes to 16 bytes; a workspace key is 64 bytes "
        + "(88 base64 characters), and 32 to 128 are accepted");
  }

  // ---------------------------------------------------------------- secondary key

  @Test
  void createsCredentialsWithoutSecondaryKey() {
    WorkspaceCredentials credentials = WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY, null);

    assertThat(credentials.hasSecondaryKey()).isFalse();
    assertThat(credentials.matches(KeySlot.SECONDARY, PRIMARY_KEY)).isFalse();
    ConfigurationException e = configurationError(() -> credentials.sign(KeySlot.SECONDARY, "x"));
    assertThat(e.field()).isEqualTo("secondaryKey");
    assertThat(e.getMessage()).contains("is not set");
  }

  @Test
  void signsWithTheSecondaryKeyWhenAsked() {
    WorkspaceCredentials credentials = WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY, SECONDARY_KEY);

    assertThat(credentials.hasSecondaryKey()).isTrue();
    assertThat(credentials.sign(KeySlot.PRIMARY, "s")).isEqualTo(hmacSha256Base64(PRIMARY_KEY, "s"));
    assertThat(credentials.sign(KeySlot.SECONDARY, "s")).isEqualTo(hmacSha256Base64(SECONDARY_KEY, "s"));
    assertThat(credentials.sign(KeySlot.PRIMARY, "s")).isNotEqualTo(credentials.sign(KeySlot.SECONDARY, "s"));
  }

  // ---------------------------------------------------------------- sign

  static Stream<String> stringsToSign() {
    return Stream.of(
        "",
        "a",
        // Data Collector API: method, length, type, date, resource.
        "POST\n1024\napplication/json\nx-ms-date:Mon, 04 Apr 2016 08:00:00 GMT\n/api/logs",
        // Onboarding (auth_key.rb): date, newline, content hash, newline.
        "2015-10-09T14:58:51.746850300-07:00\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        "non-ASCII: ü € 日本 😀",
        "x".repeat(10_000));
  }

  @ParameterizedTest
  @MethodSource("stringsToSign")
  void signIsBase64HmacSha256OfTheUtf8Bytes(String stringToSign) {
    WorkspaceCredentials credentials = WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY, SECONDARY_KEY);

    assertThat(credentials.sign(KeySlot.PRIMARY, stringToSign))
        .isEqualTo(hmacSha256Base64(PRIMARY_KEY, stringToSign))
        .hasSize(44);
    assertThat(credentials.sign(KeySlot.SECONDARY, stringToSign))
        .isEqualTo(hmacSha256Base64(SECONDARY_KEY, stringToSign));
  }

  /**
   * Fixed known answers, independent of javax.crypto. Key = the 64 bytes 00..3f. Computed with:
   *
   * <pre>
   * HEX=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
   * printf 'POST\n12\napplication/json\nx-ms-date:Mon, 04 Apr 2016 08:00:00 GMT\n/api/logs' \
   *   | openssl dgst -sha256 -mac HMAC -macopt hexkey:$HEX -binary | base64
   *   # 3lax5tAX9jUN7pfxvRhwAgZ96NI4d49Quh+W2rQwtcM=
   * printf '2015-10-09T14:58:51.746850300-07:00\nabc=\n' \
   *   | openssl dgst -sha256 -mac HMAC -macopt hexkey:$HEX -binary | base64
   *   # ny/1tiVApOiUXBS9W/aaMP6EecDb14E1495+2/CbI6k=
   * </pre>
   */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "POST\\n12\\napplication/json\\nx-ms-date:Mon, 04 Apr 2016 08:00:00 GMT\\n/api/logs"
          + " | 3lax5tAX9jUN7pfxvRhwAgZ96NI4d49Quh+W2rQwtcM=",
      "2015-10-09T14:58:51.746850300-07:00\\nabc=\\n | ny/1tiVApOiUXBS9W/aaMP6EecDb14E1495+2/CbI6k="})
  void signMatchesOpensslKnownAnswer(String escapedStringToSign, String expected) {
    String stringToSign = escapedStringToSign.replace("\\n", "\n");
    WorkspaceCredentials credentials = WorkspaceCredentials.of(WORKSPACE_ID, KEY_00_TO_3F);

    assertThat(credentials.sign(KeySlot.PRIMARY, stringToSign)).isEqualTo(expected);
    assertThat(hmacSha256Base64(KEY_00_TO_3F, stringToSign)).as("the test's own reference").isEqualTo(expected);
  }

  @Test
  void signRejectsNullArguments() {
    WorkspaceCredentials credentials = WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY);

    assertThatNullPointerException().isThrownBy(() -> credentials.sign(null, "x")).withMessage("slot");
    assertThatNullPointerException().isThrownBy(() -> credentials.sign(KeySlot.PRIMARY, null))
        .withMessage("stringToSign");
  }

  // ---------------------------------------------------------------- matches

  static Stream<Arguments> matchCandidates() {
    return Stream.of(
        arguments(KeySlot.PRIMARY, PRIMARY_KEY, true),
        arguments(KeySlot.PRIMARY, " " + PRIMARY_KEY + "\n", true),
        arguments(KeySlot.PRIMARY, PRIMARY_KEY.replace("=", ""), true),
        arguments(KeySlot.PRIMARY, SECONDARY_KEY, false),
        arguments(KeySlot.PRIMARY, key(64, 1000), false),
        arguments(KeySlot.PRIMARY, PRIMARY_KEY.substring(0, 44), false),
        arguments(KeySlot.PRIMARY, "not base64!", false),
        arguments(KeySlot.PRIMARY, "", false),
        arguments(KeySlot.PRIMARY, null, false),
        arguments(KeySlot.SECONDARY, SECONDARY_KEY, true),
        arguments(KeySlot.SECONDARY, PRIMARY_KEY, false),
        arguments(KeySlot.SECONDARY, null, false));
  }

  @ParameterizedTest
  @MethodSource("matchCandidates")
  void matchesComparesTheDecodedKeyInTheSlot(KeySlot slot, String candidate, boolean expected) {
    WorkspaceCredentials credentials = WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY, SECONDARY_KEY);

    assertThat(credentials.matches(slot, candidate)).isEqualTo(expected);
  }

  @Test
  void matchesRejectsNullSlotInsteadOfComparingWithTheSecondaryKey() {
    WorkspaceCredentials credentials = WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY, SECONDARY_KEY);

    assertThatNullPointerException().isThrownBy(() -> credentials.matches(null, SECONDARY_KEY)).withMessage("slot");
  }

  // ---------------------------------------------------------------- rotate

  @Test
  void rotateReplacesBothKeysAndBumpsTheGeneration() {
    WorkspaceCredentials credentials = WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY, SECONDARY_KEY);
    assertThat(credentials.generation()).isZero();

    credentials.rotate(SECONDARY_KEY, key(64, 77));

    assertThat(credentials.generation()).isEqualTo(1);
    assertThat(credentials.sign(KeySlot.PRIMARY, "m")).isEqualTo(hmacSha256Base64(SECONDARY_KEY, "m"));
    assertThat(credentials.sign(KeySlot.SECONDARY, "m")).isEqualTo(hmacSha256Base64(key(64, 77), "m"));

    credentials.rotate(PRIMARY_KEY, null);

    assertThat(credentials.generation()).isEqualTo(2);
    assertThat(credentials.matches(KeySlot.PRIMARY, PRIMARY_KEY)).isTrue();
    assertThat(credentials.hasSecondaryKey()).isFalse();
    assertThat(credentials.workspaceId()).isEqualTo(WORKSPACE_ID);
  }

  static Stream<Arguments> invalidRotations() {
    return Stream.of(
        arguments(null, SECONDARY_KEY, "sharedKey"),
        arguments("", SECONDARY_KEY, "sharedKey"),
        arguments(key(16, 2), SECONDARY_KEY, "sharedKey"),
        arguments(key(64, 2) + "=", SECONDARY_KEY, "sharedKey"),
        arguments(key(64, 2), "", "secondaryKey"),
        arguments(key(64, 2), key(8, 2), "secondaryKey"),
        arguments(key(64, 2), key(64, 3).replace('/', '_').replace('+', '-'), "secondaryKey"));
  }

  @ParameterizedTest
  @MethodSource("invalidRotations")
  void invalidRotateLeavesKeysAndGenerationUnchanged(String primary, String secondary, String field) {
    WorkspaceCredentials credentials = WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY, SECONDARY_KEY);

    ConfigurationException e = configurationError(() -> credentials.rotate(primary, secondary));

    assertThat(e.field()).isEqualTo(field);
    assertThat(credentials.generation()).isZero();
    assertThat(credentials.matches(KeySlot.PRIMARY, PRIMARY_KEY)).isTrue();
    assertThat(credentials.matches(KeySlot.SECONDARY, SECONDARY_KEY)).isTrue();
    for (String secret : new String[] {PRIMARY_KEY, SECONDARY_KEY, key(64, 2)}) {
      assertContainsNoSecret(e, secret);
    }
  }

  /**
   * Rotators and signers race. Every signature must be made with a key that belongs to the slot it was asked for
   * (never garbage, never the other slot's), no rotation may be lost, generations never go backwards, and the final
   * state is one whole pair.
   */
  @Test
  void rotateFromManyThreadsKeepsPairsConsistentAndCountsEveryRotation() throws Exception {
    int pairs = 16;
    List<String> primaries = new ArrayList<>();
    List<String> secondaries = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      primaries.add(key(64, 1000 + i));
      secondaries.add(key(64, 2000 + i));
    }
    String message = "POST\n10\napplication/json\nx-ms-date:Mon, 04 Apr 2016 08:00:00 GMT\n/api/logs";
    Set<String> primarySignatures = new HashSet<>();
    Set<String> secondarySignatures = new HashSet<>();
    for (int i = 0; i < pairs; i++) {
      primarySignatures.add(hmacSha256Base64(primaries.get(i), message));
      secondarySignatures.add(hmacSha256Base64(secondaries.get(i), message));
    }
    WorkspaceCredentials credentials = WorkspaceCredentials.of(WORKSPACE_ID, primaries.get(0), secondaries.get(0));

    int rotators = 4;
    int signers = 4;
    int rotationsEach = 200;
    AtomicInteger successfulRotations = new AtomicInteger();
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(rotators + signers);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int r = 0; r < rotators; r++) {
        int offset = r;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < rotationsEach; i++) {
            if (i % 10 == 9) {
              try {
                credentials.rotate(primaries.get(0), "invalid!"); // refused; must change nothing
                problems.add("an invalid rotation was accepted");
              } catch (ConfigurationException expected) {
                // refused as it should be
              }
            } else {
              int p = (offset * 7 + i) % pairs;
              credentials.rotate(primaries.get(p), secondaries.get(p));
              successfulRotations.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (int s = 0; s < signers; s++) {
        futures.add(pool.submit(() -> {
          start.await();
          long lastGeneration = -1;
          for (int i = 0; i < 500; i++) {
            long generation = credentials.generation();
            if (generation < lastGeneration) {
              problems.add("generation went back from " + lastGeneration + " to " + generation);
            }
            lastGeneration = generation;
            if (!primarySignatures.contains(credentials.sign(KeySlot.PRIMARY, message))) {
              problems.add("primary signature made with a key that is no primary key");
            }
            if (!secondarySignatures.contains(credentials.sign(KeySlot.SECONDARY, message))) {
              problems.add("secondary signature made with a key that is no secondary key");
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(problems).isEmpty();
    assertThat(successfulRotations.get()).isEqualTo(rotators * rotationsEach * 9 / 10);
    assertThat(credentials.generation()).isEqualTo(successfulRotations.get());
    int finalPrimary = -1;
    int finalSecondary = -1;
    for (int i = 0; i < pairs; i++) {
      finalPrimary = credentials.matches(KeySlot.PRIMARY, primaries.get(i)) ? i : finalPrimary;
      finalSecondary = credentials.matches(KeySlot.SECONDARY, secondaries.get(i)) ? i : finalSecondary;
    }
    assertThat(finalPrimary).as("final keys form one pair").isNotNegative().isEqualTo(finalSecondary);
  }

  // ---------------------------------------------------------------- no secret anywhere

  @Test
  void toStringShowsWorkspaceButNeverAKey() {
    WorkspaceCredentials both = WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY, SECONDARY_KEY);
    WorkspaceCredentials primaryOnly = WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY);

    assertThat(both).hasToString("WorkspaceCredentials{workspaceId=" + WORKSPACE_ID
        + ", sharedKey=OBFUSCATED, secondaryKey=OBFUSCATED}");
    assertThat(primaryOnly).hasToString("WorkspaceCredentials{workspaceId=" + WORKSPACE_ID
        + ", sharedKey=OBFUSCATED}");
    for (String secret : new String[] {PRIMARY_KEY, SECONDARY_KEY}) {
      assertContainsNoSecret(both.toString(), secret);
      assertContainsNoSecret(primaryOnly.toString(), secret);
    }
    both.rotate(key(64, 55), key(64, 56));
    assertContainsNoSecret(both.toString(), key(64, 55));
    assertContainsNoSecret(both.toString(), key(64, 56));
  }

  @ParameterizedTest
  @ValueSource(strings = {"S3cr3tK3y#Xq9Zw2Lm5Vb8Nn1Pq7Rr4",
      "QUJDREVGR0hJSktMTU5PUFFS",
      "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODk===",
      "wopwphx1EKHNiSFsoWz-yupJh0d_htvMuXBG-C4YOE5R2CDFw__ABTqIrjmW3lDoAYZbNphlTr9SAKX6CTm5nQ=="})
  @NullAndEmptySource
  void noKeyTextInAnyMessageWhetherGivenAsPrimarySecondaryOrRotation(String badKey) {
    List<ConfigurationException> errors = new ArrayList<>();
    errors.add(configurationError(() -> WorkspaceCredentials.of(WORKSPACE_ID, badKey)));
    if (badKey != null) {
      errors.add(configurationError(() -> WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY, badKey)));
      errors.add(configurationError(() -> WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY).rotate(PRIMARY_KEY,
          badKey)));
    }
    errors.add(configurationError(() -> WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY).rotate(badKey, null)));
    errors.add(configurationError(() -> WorkspaceCredentials.of("not-a-guid", PRIMARY_KEY)));

    for (ConfigurationException e : errors) {
      assertContainsNoSecret(e, PRIMARY_KEY);
      if (badKey != null && badKey.length() >= 8) {
        assertContainsNoSecret(e, badKey);
      }
    }
  }

  @Test
  void equalityIsIdentitySoTwoHoldersOfTheSameKeyAreDistinct() {
    WorkspaceCredentials a = WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY);
    WorkspaceCredentials b = WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY);

    assertThat(a).isEqualTo(a).isNotEqualTo(b);
    assertThat(a.hashCode()).isEqualTo(System.identityHashCode(a));
  }

  @Test
  void testKeysCoverTheWholeBase64Alphabet() {
    assertThat(PRIMARY_KEY).hasSize(88).endsWith("==").contains("+", "/");
    assertThat(SECONDARY_KEY).hasSize(88).isNotEqualTo(PRIMARY_KEY);
  }
}
