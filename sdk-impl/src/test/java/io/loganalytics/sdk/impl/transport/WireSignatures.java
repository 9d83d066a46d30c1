package io.loganalytics.sdk.impl.transport;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Computes the Data Collector signature independently of the SDK (javax.crypto only), for wire checks. */
public final class WireSignatures {
  private WireSignatures() {}

  /**
   * The expected {@code Authorization} header.
   *
   * @param workspaceId the workspace
   * @param base64Key the key
   * @param bodyLength the body's byte length on the wire
   * @param xmsDate the {@code x-ms-date} on the wire
   * @return {@code SharedKey <ws>:<sig>}
   * @throws Exception on a crypto failure
   */
  public static String dataCollector(String workspaceId, String base64Key, long bodyLength, String xmsDate)
      throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64Key), "HmacSHA256"));
    String toSign = "POST\n" + bodyLength + "\napplication/json\nx-ms-date:" + xmsDate + "\n/api/logs";
    return "SharedKey " + workspaceId + ":"
        + Base64.getEncoder().encodeToString(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
  }
}
