// pgtls real-client runner for pgJDBC (DriverManager).
//
// Batch contract (see ../README.md): one JSON case per stdin line, one JSON
// result per stdout line, flushed after each; a bad case never stops the run.
//
// Variants:
//   sslmode          jdbc:postgresql://H:P/DB?sslmode=M[&sslrootcert=F]   (default LibPQFactory)
//   ssl-true         jdbc:postgresql://H:P/DB?ssl=true[&sslrootcert=F]    (no sslmode)
//   nonvalidating    jdbc:postgresql://H:P/DB?ssl=true&sslfactory=org.postgresql.ssl.NonValidatingFactory
//   default-factory  jdbc:postgresql://H:P/DB?sslmode=M&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory[&sslrootcert=F]
// user/password go in the connection Properties, never in the URL.
// `home` is applied per case as the JVM system property user.home, which is
// what LibPQFactory reads for ~/.postgresql/root.crt.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

public class Runner {
    static final int TIMEOUT_S = 10;

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String library = library();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        });
        String line;
        while ((line = in.readLine()) != null) {
            if (line.trim().isEmpty()) continue;
            Object id = null;
            Boolean connects = false;
            String error;
            String password = null;
            try {
                Map<String, Object> c = Json.parseObject(line);
                id = c.get("id");
                password = str(c, "password");
                final Map<String, Object> fc = c;
                Future<String> f = pool.submit(() -> runCase(fc));
                try {
                    // loginTimeout/connectTimeout/socketTimeout are 10 s; this is a backstop.
                    error = f.get(TIMEOUT_S + 5, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException te) {
                    f.cancel(true);
                    error = "runner: timed out after " + (TIMEOUT_S + 5) + " s";
                } catch (java.util.concurrent.ExecutionException ee) {
                    error = chain(ee.getCause());
                }
                connects = error == null;
            } catch (Throwable t) {
                error = "runner: bad case: " + chain(t);
            }
            // Passwords shorter than 4 characters are not scrubbed (they would mangle the text).
            if (error != null && password != null && password.length() >= 4) {
                error = error.replace(password, "********");
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", id);
            r.put("connects", connects);
            r.put("error", error);
            r.put("library", library);
            out.println(Json.write(r));
            out.flush();
        }
        out.flush();
        System.exit(0);
    }

    static String str(Map<String, Object> c, String k) {
        Object v = c.get(k);
        if (v == null) return null;
        if (v instanceof Double) {
            double d = (Double) v;
            if (d == Math.rint(d)) return Long.toString((long) d);
        }
        return v.toString();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String buildUrl(Map<String, Object> c) {
        String host = str(c, "host");
        String port = str(c, "port");
        String db = str(c, "dbname");
        String mode = str(c, "sslmode");
        String root = str(c, "sslrootcert");
        String variant = str(c, "variant");
        if (variant == null) variant = "sslmode";
        List<String> q = new ArrayList<>();
        switch (variant) {
            case "sslmode":
                if (mode != null) q.add("sslmode=" + enc(mode));
                if (root != null) q.add("sslrootcert=" + enc(root));
                break;
            case "ssl-true":
                q.add("ssl=true");
                if (root != null) q.add("sslrootcert=" + enc(root));
                break;
            case "nonvalidating":
                q.add("ssl=true");
                q.add("sslfactory=org.postgresql.ssl.NonValidatingFactory");
                break;
            case "default-factory":
                if (mode != null) q.add("sslmode=" + enc(mode));
                q.add("sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory");
                if (root != null) q.add("sslrootcert=" + enc(root));
                break;
            default:
                throw new IllegalArgumentException("unknown jdbc variant: " + variant);
        }
        String url = "jdbc:postgresql://" + host + ":" + (port == null ? "5432" : port) + "/" + (db == null ? "postgres" : db);
        if (!q.isEmpty()) url += "?" + String.join("&", q);
        return url;
    }

    /** Returns null on success (connected and SELECT 1 gave 1), else the error text. */
    static String runCase(Map<String, Object> c) throws Exception {
        String url = buildUrl(c);
        String home = str(c, "home");
        if (home != null) System.setProperty("user.home", home);
        Properties p = new Properties();
        if (str(c, "user") != null) p.setProperty("user", str(c, "user"));
        if (str(c, "password") != null) p.setProperty("password", str(c, "password"));
        p.setProperty("connectTimeout", Integer.toString(TIMEOUT_S));
        p.setProperty("loginTimeout", Integer.toString(TIMEOUT_S));
        p.setProperty("socketTimeout", Integer.toString(TIMEOUT_S));
        try (Connection conn = DriverManager.getConnection(url, p);
             Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1")) {
            if (!rs.next() || rs.getInt(1) != 1) return "runner: SELECT 1 did not return 1";
        } catch (Throwable t) {
            return chain(t);
        }
        return null;
    }

    /** "Class: message" for the exception and every cause, Java-stack-trace style. */
    static String chain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        boolean first = true;
        while (t != null && !seen.containsKey(t)) {
            seen.put(t, true);
            if (!first) sb.append("\nCaused by: ");
            sb.append(t.getClass().getName());
            if (t.getMessage() != null) sb.append(": ").append(t.getMessage());
            first = false;
            t = t.getCause();
        }
        return sb.toString();
    }

    static String library() {
        String v = "?";
        try {
            v = (String) Class.forName("org.postgresql.util.DriverInfo").getField("DRIVER_VERSION").get(null);
        } catch (Throwable t) {
            try {
                java.sql.Driver d = DriverManager.getDriver("jdbc:postgresql://x/y");
                v = d.getMajorVersion() + "." + d.getMinorVersion();
            } catch (Throwable t2) {
                v = "not found";
            }
        }
        return "pgJDBC " + v + " (Java " + System.getProperty("java.version") + ")";
    }

    /** Minimal JSON for flat objects of strings, numbers, booleans and null. */
    static final class Json {
        final String s;
        int i;

        Json(String s) { this.s = s; }

        static Map<String, Object> parseObject(String text) {
            Json j = new Json(text);
            j.ws();
            Object v = j.value();
            j.ws();
            if (j.i != j.s.length()) throw new IllegalArgumentException("trailing characters in JSON");
            if (!(v instanceof Map)) throw new IllegalArgumentException("case is not a JSON object");
            @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) v;
            return m;
        }

        void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }

        char peek() {
            if (i >= s.length()) throw new IllegalArgumentException("unexpected end of JSON");
            return s.charAt(i);
        }

        void expect(char ch) {
            if (peek() != ch) throw new IllegalArgumentException("expected '" + ch + "' at " + i);
            i++;
        }

        Object value() {
            ws();
            char ch = peek();
            if (ch == '{') {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                ws();
                if (peek() == '}') { i++; return m; }
                while (true) {
                    ws();
                    String k = string();
                    ws();
                    expect(':');
                    m.put(k, value());
                    ws();
                    if (peek() == ',') { i++; continue; }
                    expect('}');
                    return m;
                }
            }
            if (ch == '[') {
                i++;
                List<Object> l = new ArrayList<>();
                ws();
                if (peek() == ']') { i++; return l; }
                while (true) {
                    l.add(value());
                    ws();
                    if (peek() == ',') { i++; continue; }
                    expect(']');
                    return l;
                }
            }
            if (ch == '"') return string();
            if (s.startsWith("null", i)) { i += 4; return null; }
            if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
            int st = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            if (st == i) throw new IllegalArgumentException("bad JSON value at " + st);
            return Double.parseDouble(s.substring(st, i));
        }

        String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char ch = peek();
                i++;
                if (ch == '"') return b.toString();
                if (ch != '\\') { b.append(ch); continue; }
                char e = peek();
                i++;
                switch (e) {
                    case 'n': b.append('\n'); break;
                    case 't': b.append('\t'); break;
                    case 'r': b.append('\r'); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                    default: b.append(e);
                }
            }
        }

        static String write(Map<String, Object> m) {
            StringBuilder b = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<String, Object> e : m.entrySet()) {
                if (!first) b.append(", ");
                first = false;
                quote(b, e.getKey());
                b.append(": ");
                Object v = e.getValue();
                if (v == null) b.append("null");
                else if (v instanceof Boolean) b.append(v.toString());
                else if (v instanceof Double) {
                    double d = (Double) v;
                    if (d == Math.rint(d) && !Double.isInfinite(d)) b.append((long) d); else b.append(d);
                } else quote(b, v.toString());
            }
            return b.append("}").toString();
        }

        static void quote(StringBuilder b, String s) {
            b.append('"');
            for (int k = 0; k < s.length(); k++) {
                char ch = s.charAt(k);
                switch (ch) {
                    case '"': b.append("\\\""); break;
                    case '\\': b.append("\\\\"); break;
                    case '\n': b.append("\\n"); break;
                    case '\r': b.append("\\r"); break;
                    case '\t': b.append("\\t"); break;
                    default:
                        if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch)); else b.append(ch);
                }
            }
            b.append('"');
        }
    }
}
