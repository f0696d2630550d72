/** Test certificates made with the openssl CLI: a CA, and server or client certificates it signs. */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface KeyPair {
  cert: string;
  key: string;
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** A self-signed CA: `<dir>/<name>.crt` and `.key`. */
export function makeCa(dir: string, name: string): KeyPair {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  openssl(["req", "-x509", ...EC_KEY, "-keyout", pair.key, "-out", pair.cert, "-days", "2", "-subj", `/CN=${name}`,
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  return pair;
}

/** A certificate for 127.0.0.1/localhost signed by `ca`, good for a server and a client. */
export function makeCert(dir: string, name: string, ca: KeyPair): KeyPair {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
  openssl(["req", ...EC_KEY, "-keyout", pair.key, "-out", csr, "-subj", `/CN=${name}`]);
  openssl(["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-out", pair.cert, "-days", "2", "-extfile", ext]);
  return pair;
}
