import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Lists the public API of a compiled module and compares it with the committed listing, so that
 * every API change shows up in review (as OkHttp's {@code okhttp/api/jvm/okhttp.api}).
 *
 * <pre>
 * java scripts/ApiListing.java --classes sdk-core/target/classes \
 *     --api sdk-core/api/keyguard-core.api [--update true] [--module keyguard-core]
 * </pre>
 *
 * <p>It reads the class files themselves (no class loading, no dependencies needed) and writes
 * one block per public or protected type, sorted: its declaration, then its public members and
 * the protected members of a non-final type, erased as the JVM links them (a change here breaks
 * binary compatibility), with checked exceptions. Packages with an {@code internal} segment,
 * synthetic and bridge members, anonymous and local classes are left out. Without {@code
 * --update true} a difference fails with the diff and the command that updates the listing.
 */
public final class ApiListing {

  private static final int ACC_PUBLIC = 0x0001;
  private static final int ACC_PROTECTED = 0x0004;
  private static final int ACC_STATIC = 0x0008;
  private static final int ACC_FINAL = 0x0010;
  private static final int ACC_BRIDGE = 0x0040;
  private static final int ACC_VARARGS = 0x0080;
  private static final int ACC_INTERFACE = 0x0200;
  private static final int ACC_ABSTRACT = 0x0400;
  private static final int ACC_SYNTHETIC = 0x1000;
  private static final int ACC_ANNOTATION = 0x2000;
  private static final int ACC_ENUM = 0x4000;

  private ApiListing() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    Path classes = Path.of(required(options, "--classes"));
    Path api = Path.of(required(options, "--api"));
    boolean update = Boolean.parseBoolean(options.getOrDefault("--update", "false"));
    String module = options.getOrDefault("--module", api.getFileName().toString());

    String listing = list(classes);
    if (update) {
      Files.createDirectories(api.toAbsolutePath().getParent());
      Files.writeString(api, listing, StandardCharsets.UTF_8);
      System.out.println("[api] wrote " + api);
      return;
    }
    String committed = Files.exists(api) ? Files.readString(api, StandardCharsets.UTF_8) : "";
    if (committed.equals(listing)) {
      System.out.println("[api] " + module + ": public API matches " + api);
      return;
    }
    System.err.println(
        "[api] The public API of "
            + module
            + " differs from the committed listing "
            + api
            + (Files.exists(api) ? "" : " (missing)")
            + ":");
    System.err.print(diff(committed.lines().toList(), listing.lines().toList()));
    System.err.println(
        "[api] If the change is intended, update the listing and commit it with the change:\n"
            + "[api]   ./mvnw -B -ntp -Dquick verify -DskipTests -Dapi.update=true\n"
            + "[api] (or scripts/update-api.sh), then review the diff of api/*.api.");
    System.exit(1);
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      System.err.println("usage: java ApiListing.java --classes DIR --api FILE [--update true]");
      System.exit(2);
    }
    return value;
  }

  /** The listing of every API type under the class directory, sorted by type name. */
  static String list(Path classes) throws IOException {
    Map<String, ClassInfo> all = new HashMap<>();
    if (Files.isDirectory(classes)) {
      try (Stream<Path> files = Files.walk(classes)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
          String name = file.getFileName().toString();
          if (name.equals("module-info.class") || name.equals("package-info.class")) {
            continue;
          }
          ClassInfo info = ClassInfo.read(Files.readAllBytes(file));
          all.put(info.name, info);
        }
      }
    }
    StringBuilder out = new StringBuilder();
    all.values().stream()
        .filter(c -> isApi(c, all))
        .sorted(Comparator.comparing(c -> c.name))
        .forEach(c -> out.append(render(c)).append('\n'));
    return out.toString();
  }

  private static boolean isApi(ClassInfo c, Map<String, ClassInfo> all) {
    String pkg = c.name.contains("/") ? c.name.substring(0, c.name.lastIndexOf('/')) : "";
    if (List.of(pkg.split("/")).contains("internal") || (c.access & ACC_SYNTHETIC) != 0) {
      return false;
    }
    if (c.outer == null) {
      return !c.local && (c.access & ACC_PUBLIC) != 0;
    }
    ClassInfo outer = all.get(c.outer);
    boolean visible = (c.access & (ACC_PUBLIC | ACC_PROTECTED)) != 0;
    boolean reachable =
        (c.access & ACC_PUBLIC) != 0 || (outer != null && (outer.access & ACC_FINAL) == 0);
    return visible && reachable && outer != null && isApi(outer, all);
  }

  private static String render(ClassInfo c) {
    StringBuilder out = new StringBuilder();
    out.append(modifiers(c.access, true, false)).append(kind(c)).append(' ').append(javaName(c.name));
    boolean isInterface = (c.access & ACC_INTERFACE) != 0;
    List<String> interfaces = new ArrayList<>();
    String superText = c.superName == null ? null : javaName(c.superName);
    if (c.signature != null) {
      Signature sig = new Signature(c.signature);
      out.append(sig.typeParameters().trim());
      superText = sig.referenceType();
      while (!sig.atEnd()) {
        interfaces.add(sig.referenceType());
      }
    } else {
      for (String i : c.interfaces) {
        interfaces.add(javaName(i));
      }
    }
    interfaces.remove("java.lang.annotation.Annotation");
    if (superText != null
        && !superText.equals("java.lang.Object")
        && !((c.access & ACC_ENUM) != 0 && superText.startsWith("java.lang.Enum"))
        && !superText.equals("java.lang.Record")) {
      out.append(" extends ").append(superText);
    }
    if (!interfaces.isEmpty()) {
      out.append(isInterface ? " extends " : " implements ").append(String.join(", ", interfaces));
    }
    out.append(" {\n");
    // protected members of a final type (or an enum) cannot be reached: not API
    boolean finalType = (c.access & (ACC_FINAL | ACC_ENUM)) != 0;
    List<String[]> members = new ArrayList<>();
    for (Member f : c.fields) {
      if (isApiMember(f, finalType)) {
        members.add(
            new String[] {
              "0",
              modifiers(f.access, false, false)
                  + (f.signature != null
                      ? new Signature(f.signature).javaType()
                      : type(f.descriptor, 0).text)
                  + " "
                  + f.name
            });
      }
    }
    for (Member m : c.methods) {
      if (!isApiMember(m, finalType) || m.name.equals("<clinit>")) {
        continue;
      }
      boolean ctor = m.name.equals("<init>");
      String mods = modifiers(m.access, false, isInterface);
      if (isInterface && (m.access & (ACC_ABSTRACT | ACC_STATIC)) == 0) {
        mods += "default ";
      }
      StringBuilder line = new StringBuilder(mods);
      List<String> params = parameters(m.descriptor);
      String returnType = returnType(m.descriptor);
      if (m.signature != null) {
        Signature sig = new Signature(m.signature);
        String typeParameters = sig.typeParameters();
        if (!typeParameters.isEmpty()) {
          line.append(typeParameters.substring(1)).append(' ');
        }
        List<String> generic = sig.parameters();
        // constructors of enums and inner classes have parameters the signature leaves out
        if (generic.size() == params.size()) {
          params = generic;
        }
        returnType = sig.javaType();
      }
      if ((m.access & ACC_VARARGS) != 0 && !params.isEmpty()) {
        String last = params.remove(params.size() - 1);
        params.add(last.substring(0, last.length() - 2) + "...");
      }
      if (ctor) {
        line.append(simpleName(c.name));
      } else {
        line.append(returnType).append(' ').append(m.name);
      }
      line.append('(').append(String.join(", ", params)).append(')');
      if (!m.exceptions.isEmpty()) {
        line.append(" throws ")
            .append(m.exceptions.stream().map(ApiListing::javaName).sorted().collect(Collectors.joining(", ")));
      }
      members.add(new String[] {ctor ? "1" : "2", line.toString()});
    }
    members.stream()
        .sorted(Comparator.<String[], String>comparing(a -> a[0]).thenComparing(a -> a[1]))
        .forEach(a -> out.append("  ").append(a[1]).append('\n'));
    out.append("}\n");
    return out.toString();
  }

  private static boolean isApiMember(Member m, boolean finalType) {
    if ((m.access & ACC_SYNTHETIC) != 0 || (m.isMethod && (m.access & ACC_BRIDGE) != 0)) {
      return false;
    }
    return (m.access & ACC_PUBLIC) != 0 || ((m.access & ACC_PROTECTED) != 0 && !finalType);
  }

  private static String kind(ClassInfo c) {
    if ((c.access & ACC_ANNOTATION) != 0) {
      return "@interface";
    }
    if ((c.access & ACC_INTERFACE) != 0) {
      return "interface";
    }
    if ((c.access & ACC_ENUM) != 0) {
      return "enum";
    }
    if ("java/lang/Record".equals(c.superName)) {
      return "record";
    }
    return "class";
  }

  private static String modifiers(int access, boolean type, boolean inInterface) {
    StringBuilder out = new StringBuilder();
    if ((access & ACC_PUBLIC) != 0) {
      out.append("public ");
    } else if ((access & ACC_PROTECTED) != 0) {
      out.append("protected ");
    }
    if ((access & ACC_STATIC) != 0) {
      out.append("static ");
    }
    boolean implied = type && (access & (ACC_INTERFACE | ACC_ENUM)) != 0;
    if ((access & ACC_ABSTRACT) != 0 && !implied && !inInterface) {
      out.append("abstract ");
    }
    if ((access & ACC_FINAL) != 0 && !(type && (access & ACC_ENUM) != 0)) {
      out.append("final ");
    }
    return out.toString();
  }

  private static String javaName(String internalName) {
    return internalName.replace('/', '.').replace('$', '.');
  }

  private static String simpleName(String internalName) {
    String name = internalName.substring(internalName.lastIndexOf('/') + 1);
    return name.substring(name.lastIndexOf('$') + 1);
  }

  private static List<String> parameters(String descriptor) {
    List<String> params = new ArrayList<>();
    int i = 1;
    while (descriptor.charAt(i) != ')') {
      Parsed p = type(descriptor, i);
      params.add(p.text);
      i = p.end;
    }
    return params;
  }

  private static String returnType(String descriptor) {
    return type(descriptor, descriptor.indexOf(')') + 1).text;
  }

  private record Parsed(String text, int end) {}

  private static Parsed type(String d, int i) {
    switch (d.charAt(i)) {
      case 'B':
        return new Parsed("byte", i + 1);
      case 'C':
        return new Parsed("char", i + 1);
      case 'D':
        return new Parsed("double", i + 1);
      case 'F':
        return new Parsed("float", i + 1);
      case 'I':
        return new Parsed("int", i + 1);
      case 'J':
        return new Parsed("long", i + 1);
      case 'S':
        return new Parsed("short", i + 1);
      case 'Z':
        return new Parsed("boolean", i + 1);
      case 'V':
        return new Parsed("void", i + 1);
      case '[':
        Parsed element = type(d, i + 1);
        return new Parsed(element.text + "[]", element.end);
      case 'L':
        int end = d.indexOf(';', i);
        return new Parsed(javaName(d.substring(i + 1, end)), end + 1);
      default:
        throw new IllegalArgumentException("bad descriptor " + d + " at " + i);
    }
  }

  /** Reads a generic signature (JVMS 4.7.9.1) as Java source text. */
  private static final class Signature {
    private final String s;
    private int i;

    Signature(String s) {
      this.s = s;
    }

    boolean atEnd() {
      return i >= s.length();
    }

    /** Type parameters with their bounds, " <T extends Foo>" or "". */
    String typeParameters() {
      if (atEnd() || s.charAt(i) != '<') {
        return "";
      }
      i++;
      List<String> params = new ArrayList<>();
      while (s.charAt(i) != '>') {
        int colon = s.indexOf(':', i);
        String name = s.substring(i, colon);
        i = colon;
        List<String> bounds = new ArrayList<>();
        while (s.charAt(i) == ':') {
          i++;
          if (s.charAt(i) != ':' && s.charAt(i) != '>') {
            bounds.add(referenceType());
          }
        }
        bounds.remove("java.lang.Object");
        params.add(bounds.isEmpty() ? name : name + " extends " + String.join(" & ", bounds));
      }
      i++;
      return " <" + String.join(", ", params) + ">";
    }

    List<String> parameters() {
      List<String> params = new ArrayList<>();
      i++; // (
      while (s.charAt(i) != ')') {
        params.add(javaType());
      }
      i++;
      return params;
    }

    String javaType() {
      char c = s.charAt(i);
      if ("BCDFIJSZV".indexOf(c) >= 0) {
        i++;
        return type(String.valueOf(c), 0).text;
      }
      return referenceType();
    }

    String referenceType() {
      char c = s.charAt(i);
      if (c == '[') {
        i++;
        return javaType() + "[]";
      }
      if (c == 'T') {
        int end = s.indexOf(';', i);
        String name = s.substring(i + 1, end);
        i = end + 1;
        return name;
      }
      // L pkg/Outer<args>.Inner<args>;
      i++;
      StringBuilder out = new StringBuilder();
      while (true) {
        int start = i;
        while (";<.".indexOf(s.charAt(i)) < 0) {
          i++;
        }
        out.append(javaName(s.substring(start, i)));
        if (s.charAt(i) == '<') {
          i++;
          List<String> args = new ArrayList<>();
          while (s.charAt(i) != '>') {
            char w = s.charAt(i);
            if (w == '*') {
              i++;
              args.add("?");
            } else if (w == '+') {
              i++;
              args.add("? extends " + referenceType());
            } else if (w == '-') {
              i++;
              args.add("? super " + referenceType());
            } else {
              args.add(referenceType());
            }
          }
          i++;
          out.append('<').append(String.join(", ", args)).append('>');
        }
        if (s.charAt(i) == '.') {
          i++;
          out.append('.');
          continue;
        }
        i++; // ;
        return out.toString();
      }
    }
  }

  /** A line diff (longest common subsequence): removed lines with "-", added with "+". */
  static String diff(List<String> before, List<String> after) {
    int n = before.size();
    int m = after.size();
    int[][] lcs = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        lcs[i][j] =
            before.get(i).equals(after.get(j))
                ? lcs[i + 1][j + 1] + 1
                : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    StringBuilder out = new StringBuilder();
    String header = null;
    String printedHeader = null;
    int i = 0;
    int j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && before.get(i).equals(after.get(j))) {
        if (!before.get(i).startsWith(" ") && !before.get(i).isEmpty()) {
          header = before.get(i);
        }
        i++;
        j++;
        continue;
      }
      if (header != null && !header.equals(printedHeader)) {
        out.append("    ").append(header).append('\n');
        printedHeader = header;
      }
      if (i < n && (j >= m || lcs[i + 1][j] >= lcs[i][j + 1])) {
        out.append("  - ").append(before.get(i++)).append('\n');
      } else {
        out.append("  + ").append(after.get(j++)).append('\n');
      }
    }
    return out.toString();
  }

  private static final class Member {
    final int access;
    final String name;
    final String descriptor;
    final boolean isMethod;
    String signature;
    final List<String> exceptions = new ArrayList<>();

    Member(int access, String name, String descriptor, boolean isMethod) {
      this.access = access;
      this.name = name;
      this.descriptor = descriptor;
      this.isMethod = isMethod;
    }
  }

  /** The parts of a class file the listing needs. */
  private static final class ClassInfo {
    String name;
    String superName;
    int access;
    String outer;
    boolean local;
    String signature;
    final List<String> interfaces = new ArrayList<>();
    final List<Member> fields = new ArrayList<>();
    final List<Member> methods = new ArrayList<>();

    static ClassInfo read(byte[] bytes) {
      try {
        return parse(new DataInputStream(new ByteArrayInputStream(bytes)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static ClassInfo parse(DataInputStream in) throws IOException {
      if (in.readInt() != 0xCAFEBABE) {
        throw new IOException("not a class file");
      }
      in.readUnsignedShort();
      in.readUnsignedShort();
      int count = in.readUnsignedShort();
      Object[] pool = new Object[count];
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> pool[i] = in.readUTF();
          case 3, 4 -> in.readInt();
          case 5, 6 -> {
            in.readLong();
            i++;
          }
          case 7, 19, 20 -> pool[i] = new int[] {in.readUnsignedShort()};
          case 8, 16 -> in.readUnsignedShort();
          case 9, 10, 11, 12, 17, 18 -> in.readInt();
          case 15 -> {
            in.readUnsignedByte();
            in.readUnsignedShort();
          }
          default -> throw new IOException("unknown constant pool tag " + tag);
        }
      }
      ClassInfo c = new ClassInfo();
      c.access = in.readUnsignedShort();
      int thisIndex = in.readUnsignedShort();
      c.name = className(pool, thisIndex);
      int superIndex = in.readUnsignedShort();
      c.superName = superIndex == 0 ? null : className(pool, superIndex);
      int interfaces = in.readUnsignedShort();
      for (int i = 0; i < interfaces; i++) {
        c.interfaces.add(className(pool, in.readUnsignedShort()));
      }
      for (int kind = 0; kind < 2; kind++) {
        int members = in.readUnsignedShort();
        for (int i = 0; i < members; i++) {
          Member m =
              new Member(
                  in.readUnsignedShort(),
                  (String) pool[in.readUnsignedShort()],
                  (String) pool[in.readUnsignedShort()],
                  kind == 1);
          int attributes = in.readUnsignedShort();
          for (int a = 0; a < attributes; a++) {
            String attribute = (String) pool[in.readUnsignedShort()];
            int length = in.readInt();
            if (attribute.equals("Signature")) {
              m.signature = (String) pool[in.readUnsignedShort()];
            } else if (attribute.equals("Exceptions")) {
              int n = in.readUnsignedShort();
              for (int e = 0; e < n; e++) {
                m.exceptions.add(className(pool, in.readUnsignedShort()));
              }
            } else {
              in.skipNBytes(length);
            }
          }
          (kind == 0 ? c.fields : c.methods).add(m);
        }
      }
      int attributes = in.readUnsignedShort();
      for (int a = 0; a < attributes; a++) {
        String attribute = (String) pool[in.readUnsignedShort()];
        int length = in.readInt();
        if (attribute.equals("Signature")) {
          c.signature = (String) pool[in.readUnsignedShort()];
          continue;
        }
        if (!attribute.equals("InnerClasses")) {
          in.skipNBytes(length);
          continue;
        }
        int n = in.readUnsignedShort();
        for (int e = 0; e < n; e++) {
          int inner = in.readUnsignedShort();
          int outer = in.readUnsignedShort();
          int innerName = in.readUnsignedShort();
          int flags = in.readUnsignedShort();
          if (inner == thisIndex) {
            // a nested type's real modifiers are here, not in its own access flags
            c.access = flags | (c.access & ACC_SYNTHETIC);
            if (outer == 0 || innerName == 0) {
              c.local = true;
              c.outer = c.name;
            } else {
              c.outer = className(pool, outer);
            }
          }
        }
      }
      if (c.local) {
        c.outer = null;
        c.access &= ~(ACC_PUBLIC | ACC_PROTECTED);
      }
      return c;
    }

    private static String className(Object[] pool, int index) {
      return (String) pool[((int[]) pool[index])[0]];
    }
  }
}
