package io.loganalytics.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * What a public Maven repository requires of the parent POM that every published module inherits: a name,
 * description, URL, license, developers and SCM, and the sources and Javadoc jars.
 */
class PublicationMetadataTest {
  @Test
  void theParentPomCarriesWhatAPublicRepositoryRequires() throws Exception {
    Path pom = Path.of("..", "pom.xml");
    assertThat(pom).exists();
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document doc;
    try (var in = Files.newInputStream(pom)) {
      doc = f.newDocumentBuilder().parse(in);
    }
    XPath x = XPathFactory.newInstance().newXPath();

    for (String required : new String[] {"name", "description", "url", "licenses/license/name",
        "licenses/license/url", "developers/developer/name", "scm/url", "scm/connection"}) {
      assertThat(x.evaluate("/project/" + required, doc)).as(required).isNotBlank();
    }
    assertThat(x.evaluate("/project/build/plugins/plugin[artifactId='maven-source-plugin']/executions/execution"
        + "/goals/goal", doc)).isEqualTo("jar-no-fork");
    assertThat(x.evaluate("/project/build/plugins/plugin[artifactId='maven-javadoc-plugin']/executions/execution"
        + "/goals/goal", doc)).isEqualTo("jar");
    assertThat(Path.of("..", "LICENSE")).exists();
  }
}
