package io.loganalytics.testkit;

import java.lang.reflect.Constructor;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Runs a {@link WorkspaceEmulator} around JUnit 5 tests and injects it into test and lifecycle method parameters of
 * type {@code WorkspaceEmulator}.
 *
 * <p>Lifecycles:
 * <ul>
 *   <li>per test (the default; {@code @ExtendWith(WorkspaceEmulatorExtension.class)} or
 *       {@code @RegisterExtension WorkspaceEmulatorExtension e = new WorkspaceEmulatorExtension();}): a fresh
 *       emulator starts before each test and stops after it, so no records, agents or faults leak between tests;
 *   <li>per class ({@code @RegisterExtension static WorkspaceEmulatorExtension e =
 *       WorkspaceEmulatorExtension.perClass();}): one emulator for all tests of the class, started before the first
 *       and stopped after the last.
 * </ul>
 * {@link #WorkspaceEmulatorExtension(Consumer)} customizes the builder (workspace id, key, clock, limits...).
 * With {@code @RegisterExtension}, {@link #emulator()} returns the running emulator. {@code @Nested} classes
 * inherit the registration of their enclosing class; registering a second one there makes the parameter ambiguous.
 *
 * <p>Thread-safe enough for JUnit's parallel execution of different classes: each registration holds its own
 * emulator; do not share a per-test registration between concurrently running tests of one instance.
 */
public final class WorkspaceEmulatorExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(WorkspaceEmulatorExtension.class);
  private static final String KEY = "emulator";

  private final boolean perClass;
  private final Consumer<WorkspaceEmulator.Builder> customizer;
  private volatile WorkspaceEmulator current;

  /** A per-test extension with default settings. */
  public WorkspaceEmulatorExtension() {
    this(false, b -> { });
  }

  /**
   * A per-test extension whose builder is customized before each start.
   *
   * @param customizer called with a fresh builder, for example {@code b -> b.domain("opinsights.test")}
   */
  public WorkspaceEmulatorExtension(Consumer<WorkspaceEmulator.Builder> customizer) {
    this(false, customizer);
  }

  private WorkspaceEmulatorExtension(boolean perClass, Consumer<WorkspaceEmulator.Builder> customizer) {
    this.perClass = perClass;
    this.customizer = Objects.requireNonNull(customizer, "customizer");
  }

  /**
   * One emulator for a whole test class; register it on a {@code static} field.
   *
   * @return the extension
   */
  public static WorkspaceEmulatorExtension perClass() {
    return new WorkspaceEmulatorExtension(true, b -> { });
  }

  /**
   * One customized emulator for a whole test class; register it on a {@code static} field.
   *
   * @param customizer called with a fresh builder
   * @return the extension
   */
  public static WorkspaceEmulatorExtension perClass(Consumer<WorkspaceEmulator.Builder> customizer) {
    return new WorkspaceEmulatorExtension(true, customizer);
  }

  /**
   * The running emulator.
   *
   * @return the emulator of the current test (or class)
   * @throws IllegalStateException outside a test
   */
  public WorkspaceEmulator emulator() {
    WorkspaceEmulator e = current;
    if (e == null) {
      throw new IllegalStateException("the workspace emulator runs only during a test");
    }
    return e;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (perClass) {
      start(context);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!perClass) {
      start(context);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass) {
      stop(context);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (perClass) {
      stop(context);
    }
  }

  /**
   * Supports parameters of type {@link WorkspaceEmulator} in test and lifecycle methods; in constructors only per
   * class (a test instance is created before a per-test emulator starts).
   */
  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == WorkspaceEmulator.class
        && (perClass || !(parameterContext.getDeclaringExecutable() instanceof Constructor<?>));
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    WorkspaceEmulator e = extensionContext.getStore(NAMESPACE).get(KEY, WorkspaceEmulator.class);
    if (e == null) {
      throw new ParameterResolutionException("no workspace emulator is running for " + parameterContext
          .getDeclaringExecutable() + "; a per-test emulator exists only from beforeEach to afterEach");
    }
    return e;
  }

  private WorkspaceEmulator start(ExtensionContext context) {
    WorkspaceEmulator.Builder builder = WorkspaceEmulator.builder();
    customizer.accept(builder);
    WorkspaceEmulator e = builder.start();
    context.getStore(NAMESPACE).put(KEY, e);
    current = e;
    return e;
  }

  private void stop(ExtensionContext context) {
    WorkspaceEmulator e = context.getStore(NAMESPACE).remove(KEY, WorkspaceEmulator.class);
    if (e != null) {
      e.close();
    }
    current = null;
  }
}
