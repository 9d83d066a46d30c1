package io.loganalytics.examples.collector;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What to fix when the Logs Ingestion path fails for good: one line per failure an operator can cause, read from the
 * HTTP status and the service's or Entra ID's message (which never hold the secret). Pure functions; thread-safe.
 *
 * <ul>
 *   <li>403 from the ingestion endpoint: the identity lacks the role <i>Monitoring Metrics Publisher</i> on the DCR
 *       (a new assignment takes up to 30 minutes);
 *   <li>404: the DCR immutable id, the stream or the endpoint is wrong;
 *   <li>from the token endpoint: a wrong or expired client secret ({@code AADSTS7000215}, {@code invalid_client}), an
 *       unknown application ({@code AADSTS700016}) or tenant ({@code AADSTS90002}).
 * </ul>
 */
final class IngestionHints {
  private static final Pattern STATUS = Pattern.compile("\\b(?:HTTP|status)[ :]*([1-5][0-9]{2})\\b",
      Pattern.CASE_INSENSITIVE);

  private IngestionHints() {}

  /**
   * @param status the HTTP status, or 0 when unknown (then read from the message)
   * @param message the failure's message
   * @param dcr the DCR immutable id in use, or null
   * @param stream the stream in use, or null
   * @return one line naming what to fix, or empty when the failure is none of the above
   */
  static Optional<String> hint(int status, String message, String dcr, String stream) {
    String m = message == null ? "" : message;
    String lower = m.toLowerCase(Locale.ROOT);
    int code = status;
    if (code == 0) {
      Matcher s = STATUS.matcher(m);
      if (s.find()) {
        code = Integer.parseInt(s.group(1));
      }
    }
    if (lower.contains("aadsts7000215") || lower.contains("aadsts7000222") || lower.contains("invalid_client")
        || lower.contains("invalid client secret")) {
      return Optional.of("AZURE_CLIENT_SECRET: Entra ID refused the client secret (wrong, expired or of another "
          + "application): create a new secret for the application of AZURE_CLIENT_ID and export it");
    }
    if (lower.contains("aadsts700016")) {
      return Optional.of("AZURE_CLIENT_ID (--client-id): no such application in the tenant: check the "
          + "application (client) id and AZURE_TENANT_ID");
    }
    if (lower.contains("aadsts90002") || lower.contains("aadsts900023")) {
      return Optional.of("AZURE_TENANT_ID (--tenant): Entra ID does not know this tenant: use the directory "
          + "(tenant) id of the application's tenant");
    }
    if (code == 403 || lower.contains("operationfailed") || lower.contains("does not have access to ingest")) {
      return Optional.of("--dcr: access denied (HTTP 403)" + (dcr == null ? "" : " to " + dcr) + ": assign the "
          + "role 'Monitoring Metrics Publisher' on the data collection rule to the identity that signs in; a new "
          + "role assignment can take up to 30 minutes to apply");
    }
    if (code == 404 || lower.contains("does not know dcr")) {
      return Optional.of("--dcr/--stream: not found (HTTP 404): check that --dcr " + (dcr == null ? "" : dcr + " ")
          + "is the DCR's immutableId, that --stream " + (stream == null ? "" : stream + " ") + "is declared in its "
          + "streamDeclarations, and that --endpoint is the endpoint of that DCR");
    }
    if (code == 401 || lower.contains("aadsts")) {
      return Optional.of("Entra ID refused the credential (" + oneLine(m) + "): check AZURE_TENANT_ID, "
          + "AZURE_CLIENT_ID and the secret, certificate or federated token");
    }
    return Optional.empty();
  }

  private static String oneLine(String s) {
    String t = s.replace('\n', ' ').replace('\r', ' ');
    return t.length() > 200 ? t.substring(0, 197) + "..." : t;
  }
}
