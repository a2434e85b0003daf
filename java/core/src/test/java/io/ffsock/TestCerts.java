package io.ffsock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates and keys for the TLS tests, made with the {@code openssl} command in a directory the test owns (a
 * JUnit {@code @TempDir}): no private key is ever committed. One set costs a few hundred milliseconds (one RSA
 * key; the rest are EC keys).
 * <ul>
 *   <li>{@code ca.crt}: the test CA (EC P-256), the one clients are given with {@code setSslCertificates};</li>
 *   <li>{@code server.crt}/{@code server.key}: RSA 2048, for {@code localhost}, 127.0.0.1 and ::1, serverAuth;
 *       {@code server-combined.pem} holds the key and the certificate in one string, as Qore's TestCert;
 *       {@code server-pkcs8-enc.key} and {@code server-trad-enc.key} hold the key encrypted with {@link #PASSWORD}
 *       (PKCS#8 and OpenSSL's traditional encryption); {@code server.key.der} is the key as PKCS#1 DER and
 *       {@code server.pk8.der} as PKCS#8 DER;</li>
 *   <li>{@code client.crt}/{@code client.key}: EC, clientAuth, for mutual TLS;</li>
 *   <li>{@code expired.crt}: for localhost, valid only in January 2020; {@code wronghost.crt}: for wrong.example;
 *       {@code proxy.crt}: for proxy.test; {@code selfsigned.crt}: localhost, self-signed; all with the server's
 *       key;</li>
 *   <li>{@code other.crt}/{@code other.key}: an EC key and certificate that do not belong together with the server
 *       key (for the mismatch case).</li>
 * </ul>
 */
public final class TestCerts {
    /** The password of the encrypted keys. */
    public static final String PASSWORD = "s3cret pass";

    public final Path dir;

    private TestCerts(Path dir) {
        this.dir = dir;
    }

    /** Whether the openssl command is there (the TLS tests need it). */
    public static boolean haveOpenssl() {
        try {
            Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Generates the whole set into {@code dir}. */
    public static TestCerts create(Path dir) throws IOException {
        TestCerts c = new TestCerts(dir);
        c.generate();
        return c;
    }

    public Path path(String name) {
        return dir.resolve(name);
    }

    public String read(String name) {
        try {
            return Files.readString(dir.resolve(name), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public byte[] bytes(String name) {
        try {
            return Files.readAllBytes(dir.resolve(name));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Sets the server certificate and key ({@code server.crt}/{@code server.key}) on {@code s}. */
    public void serve(Socket s) throws SocketException {
        s.setCertificate(read("server.crt"));
        s.setPrivateKey(read("server.key"));
    }

    /** Makes {@code s} trust the test CA. */
    public void trust(Socket s) throws SocketException {
        s.setSslCertificates(path("ca.crt").toString());
    }

    private void write(String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content, StandardCharsets.US_ASCII);
    }

    private void generate() throws IOException {
        write("req.cnf", "[req]\ndistinguished_name=dn\nprompt=no\n[dn]\nCN=unused\n");
        write("ca.cnf", """
                [req]
                distinguished_name=dn
                x509_extensions=v3_ca
                prompt=no
                [dn]
                CN=ffsock test CA
                [v3_ca]
                basicConstraints=critical,CA:TRUE
                keyUsage=critical,keyCertSign,cRLSign
                subjectKeyIdentifier=hash
                [ca]
                default_ca=ca_default
                [ca_default]
                database=%1$s/index.txt
                new_certs_dir=%1$s
                serial=%1$s/serial
                default_md=sha256
                policy=policy_any
                unique_subject=no
                [policy_any]
                commonName=supplied
                """.formatted(dir.toString()));
        write("index.txt", "");
        write("serial", "1000\n");
        write("server.ext", "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                + "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n");
        write("client.ext", "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                + "extendedKeyUsage=clientAuth\n");
        write("wronghost.ext", "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                + "subjectAltName=DNS:wrong.example\n");
        write("proxy.ext", "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                + "subjectAltName=DNS:proxy.test\n");
        write("self.ext", "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                + "subjectAltName=DNS:localhost,IP:127.0.0.1\n");

        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca-sec1.key");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", "ca-sec1.key", "-out", "ca.key");
        openssl("req", "-x509", "-new", "-key", "ca.key", "-config", "ca.cnf", "-days", "30", "-out", "ca.crt");

        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "server.key");
        openssl("req", "-new", "-key", "server.key", "-config", "req.cnf", "-subj", "/CN=localhost",
                "-out", "server.csr");
        sign("server.csr", "server.ext", "server.crt");
        write("server-combined.pem", read("server.key") + read("server.crt"));
        openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "server.key", "-passout", "pass:" + PASSWORD,
                "-out", "server-pkcs8-enc.key");
        openssl("rsa", "-in", "server.key", "-aes256", "-traditional", "-passout", "pass:" + PASSWORD,
                "-out", "server-trad-enc.key");
        openssl("rsa", "-in", "server.key", "-traditional", "-outform", "DER", "-out", "server.key.der");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", "server.key", "-outform", "DER", "-out", "server.pk8.der");
        openssl("x509", "-in", "server.crt", "-outform", "DER", "-out", "server.crt.der");

        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "client.key");
        openssl("req", "-new", "-key", "client.key", "-config", "req.cnf", "-subj", "/CN=ffsock test client",
                "-out", "client.csr");
        sign("client.csr", "client.ext", "client.crt");

        openssl("ca", "-batch", "-config", "ca.cnf", "-cert", "ca.crt", "-keyfile", "ca.key", "-in", "server.csr",
                "-out", "expired.crt", "-startdate", "20200101000000Z", "-enddate", "20200201000000Z", "-notext",
                "-extfile", "server.ext");

        openssl("req", "-new", "-key", "server.key", "-config", "req.cnf", "-subj", "/CN=wrong.example",
                "-out", "wronghost.csr");
        sign("wronghost.csr", "wronghost.ext", "wronghost.crt");
        openssl("req", "-new", "-key", "server.key", "-config", "req.cnf", "-subj", "/CN=proxy.test",
                "-out", "proxy.csr");
        sign("proxy.csr", "proxy.ext", "proxy.crt");
        openssl("x509", "-req", "-in", "server.csr", "-signkey", "server.key", "-days", "30", "-extfile",
                "self.ext", "-out", "selfsigned.crt");

        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "other.key");
        openssl("req", "-x509", "-new", "-key", "other.key", "-config", "req.cnf", "-subj", "/CN=other",
                "-days", "30", "-out", "other.crt");
    }

    private int serial = 1;

    private void sign(String csr, String ext, String out) throws IOException {
        openssl("x509", "-req", "-in", csr, "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial",
                Integer.toString(serial++), "-days", "30", "-extfile", ext, "-out", out);
    }

    /** Runs {@code openssl args...} in the directory; fails with its output if it fails. */
    public void openssl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("openssl " + String.join(" ", args) + " did not finish");
            }
            if (p.exitValue() != 0) {
                throw new IOException("openssl " + String.join(" ", args) + " failed (" + p.exitValue() + "): " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
