package io.loganalytics.sdk.bench;

import io.loganalytics.sdk.impl.cert.AgentCertificate;
import io.loganalytics.sdk.impl.cert.CertificateGenerator;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to make one agent identity: an RSA-2048 key pair and its self-signed SHA256withRSA certificate built with
 * Bouncy Castle (PROTOCOL §B3), as onboarding and every renewal do. RSA key generation dominates and its time
 * varies a lot from one key to the next (prime search), so the mode is {@code SampleTime}: read the p0.50 line of
 * the percentiles JMH prints. The reference measured elsewhere is about 150 ms.
 *
 * <pre>
 * mvn -B -q -o -pl sdk-benchmarks -am package -DskipTests
 * java -jar sdk-benchmarks/target/benchmarks.jar CertificateGenerationBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 10)
@Fork(1)
public class CertificateGenerationBenchmark {
  private CertificateGenerator generator;

  /** One generator, as in the SDK: system clock, 90-day validity, a strong random source. */
  @Setup
  public void setUp() {
    generator = new CertificateGenerator(Clock.systemUTC(), CertificateGenerator.DEFAULT_VALIDITY,
        new SecureRandom());
  }

  /**
   * Generates a key and certificate.
   *
   * @return the certificate, so that the work is not eliminated
   */
  @Benchmark
  public AgentCertificate generateKeyAndCertificate() {
    return generator.generate("01234567-89ab-cdef-0123-456789abcdef", "fedcba98-7654-4321-8fed-cba987654321");
  }
}
