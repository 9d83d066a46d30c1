package io.loganalytics.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Convention 1 of CONVENTIONS.md: every public signature of sdk-api (supertypes, fields, constructors, methods,
 * thrown exceptions, type parameters and annotations of every type reachable from outside) uses only {@code java.*}
 * and {@code io.loganalytics.sdk.*} types. Scans the compiled classes of this module (target/classes).
 */
class PublicApiSignatureTest {

  @Test
  void publicSignaturesUseOnlyJavaAndSdkTypes() throws Exception {
    List<Class<?>> types = publicApiTypes();

    Set<String> violations = new TreeSet<>();
    for (Class<?> type : types) {
      violations.addAll(violationsOf(type));
    }

    assertThat(violations).isEmpty();
  }

  @Test
  void scanSeesTheWholeApiIncludingTheSpi() throws Exception {
    List<String> names = publicApiTypes().stream().map(Class::getName).collect(Collectors.toList());

    assertThat(names).hasSizeGreaterThan(30).contains(
        "io.loganalytics.sdk.WorkspaceCredentials",
        "io.loganalytics.sdk.WorkspaceCredentials$KeySlot",
        "io.loganalytics.sdk.RetryPolicy$Builder",
        "io.loganalytics.sdk.LogAnalyticsClientBuilder",
        "io.loganalytics.sdk.spi.LogAnalyticsProvider");
  }

  @Test
  void checkerReportsForeignTypesWhereverTheyHide() {
    Set<String> violations = violationsOf(Leaky.class);

    assertThat(violations).anySatisfy(v -> assertThat(v).contains("field mac").contains("javax.crypto.Mac"))
        .anySatisfy(v -> assertThat(v).contains("factories").contains("javax.net.SocketFactory"))
        .anySatisfy(v -> assertThat(v).contains("Leaky(").contains("javax.security.auth.Subject"))
        .anySatisfy(v -> assertThat(v).contains("throws").contains("javax.naming.NamingException"))
        .anySatisfy(v -> assertThat(v).contains("type parameter").contains("javax.sql.DataSource"))
        .anySatisfy(v -> assertThat(v).contains("array").contains("javax.crypto.Cipher"))
        .anySatisfy(v -> assertThat(v).contains("supertype").contains("javax.swing.event.ChangeListener"));
    assertThat(violations).noneSatisfy(v -> assertThat(v).contains("hidden"));
    assertThat(violationsOf(PublicApiSignatureTest.class)).isEmpty();
  }

  @Test
  void classesHoldingSecretsAreNotRecords() {
    // A record's generated toString would print the secret (CONVENTIONS.md, convention 5).
    assertThat(WorkspaceCredentials.class.isRecord()).isFalse();
    assertThat(ProxyConfig.class.isRecord()).isFalse();
  }

  /** Every class of this module that code outside it can name: public, and enclosed only by public types. */
  private static List<Class<?>> publicApiTypes() throws IOException, URISyntaxException, ClassNotFoundException {
    Path root = Path.of(WorkspaceCredentials.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertThat(root).as("sdk-api classes directory").isDirectory();
    List<Class<?>> types = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().collect(Collectors.toList())) {
        String relative = root.relativize(file).toString();
        if (relative.endsWith("module-info.class") || relative.endsWith("package-info.class")) {
          continue;
        }
        String name = relative.substring(0, relative.length() - ".class".length()).replace(file.getFileSystem()
            .getSeparator(), ".");
        Class<?> type = Class.forName(name, false, PublicApiSignatureTest.class.getClassLoader());
        if (isReachable(type)) {
          types.add(type);
        }
      }
    }
    return types;
  }

  private static boolean isReachable(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
      if (!Modifier.isPublic(c.getModifiers()) || c.isAnonymousClass() || c.isLocalClass() || c.isSynthetic()) {
        return false;
      }
    }
    return true;
  }

  private static boolean isVisible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  /** The foreign types in the outside-visible signatures of one type, each as "where: type". */
  static Set<String> violationsOf(Class<?> type) {
    Set<String> out = new TreeSet<>();
    String owner = type.getName();
    check(owner + " supertype", type.getGenericSuperclass(), out);
    for (Type i : type.getGenericInterfaces()) {
      check(owner + " supertype", i, out);
    }
    checkTypeParameters(owner, type.getTypeParameters(), out);
    checkAnnotations(owner, type, out);
    for (Field f : type.getDeclaredFields()) {
      if (isVisible(f.getModifiers()) && !f.isSynthetic()) {
        check(owner + " field " + f.getName(), f.getGenericType(), out);
        checkAnnotations(owner + " field " + f.getName(), f, out);
      }
    }
    for (Constructor<?> c : type.getDeclaredConstructors()) {
      if (isVisible(c.getModifiers()) && !c.isSynthetic()) {
        checkExecutable(owner + " " + type.getSimpleName() + "(", c, out);
      }
    }
    for (Method m : type.getDeclaredMethods()) {
      if (isVisible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
        check(owner + " method " + m.getName() + " return", m.getGenericReturnType(), out);
        checkExecutable(owner + " method " + m.getName() + "(", m, out);
      }
    }
    return out;
  }

  private static void checkExecutable(String where, Executable e, Set<String> out) {
    for (Type p : e.getGenericParameterTypes()) {
      check(where + " parameter", p, out);
    }
    for (Type x : e.getGenericExceptionTypes()) {
      check(where + " throws", x, out);
    }
    checkTypeParameters(where, e.getTypeParameters(), out);
    checkAnnotations(where, e, out);
    for (Annotation[] perParameter : e.getParameterAnnotations()) {
      for (Annotation a : perParameter) {
        check(where + " parameter annotation", a.annotationType(), out);
      }
    }
  }

  private static void checkTypeParameters(String where, TypeVariable<?>[] variables, Set<String> out) {
    for (TypeVariable<?> v : variables) {
      for (Type bound : v.getBounds()) {
        check(where + " type parameter " + v.getName(), bound, out);
      }
    }
  }

  private static void checkAnnotations(String where, AnnotatedElement element, Set<String> out) {
    for (Annotation a : element.getDeclaredAnnotations()) {
      check(where + " annotation", a.annotationType(), out);
    }
  }

  private static void check(String where, Type type, Set<String> out) {
    walk(where, type, out, new HashSet<>());
  }

  private static void walk(String where, Type type, Set<String> out, Set<Type> seen) {
    if (type == null || !seen.add(type)) {
      return;
    }
    if (type instanceof Class<?>) {
      Class<?> c = (Class<?>) type;
      if (c.isArray()) {
        walk(where + " array", c.getComponentType(), out, seen);
      } else if (!c.isPrimitive() && !isAllowed(c.getName())) {
        out.add(where + ": " + c.getName());
      }
    } else if (type instanceof ParameterizedType) {
      ParameterizedType p = (ParameterizedType) type;
      walk(where, p.getRawType(), out, seen);
      walk(where, p.getOwnerType(), out, seen);
      for (Type argument : p.getActualTypeArguments()) {
        walk(where, argument, out, seen);
      }
    } else if (type instanceof WildcardType) {
      WildcardType w = (WildcardType) type;
      for (Type bound : w.getUpperBounds()) {
        walk(where, bound, out, seen);
      }
      for (Type bound : w.getLowerBounds()) {
        walk(where, bound, out, seen);
      }
    } else if (type instanceof TypeVariable<?>) {
      for (Type bound : ((TypeVariable<?>) type).getBounds()) {
        walk(where, bound, out, seen);
      }
    } else if (type instanceof GenericArrayType) {
      walk(where + " array", ((GenericArrayType) type).getGenericComponentType(), out, seen);
    }
  }

  private static boolean isAllowed(String className) {
    return className.startsWith("java.") || className.startsWith("io.loganalytics.sdk.");
  }

  /** A fixture that breaks the rule in every place the checker looks; never used as API. */
  @SuppressWarnings("unused")
  public abstract static class Leaky implements javax.swing.event.ChangeListener {
    public javax.crypto.Mac mac;
    private javax.crypto.KeyGenerator hidden;

    public Leaky(javax.security.auth.Subject subject) {}

    public abstract java.util.List<? extends javax.net.SocketFactory> factories();

    public abstract void lookUp() throws javax.naming.NamingException;

    public abstract <T extends javax.sql.DataSource> T dataSource();

    public abstract javax.crypto.Cipher[] ciphers();

    private javax.crypto.KeyAgreement hidden() {
      return null;
    }
  }
}
