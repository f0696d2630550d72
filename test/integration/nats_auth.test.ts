/**
 * Connection settings against a real nats-server: anonymous, user/password (-creds user:pass and a
 * cms-auth file, explicit and default), token, NSC creds, TLS with two CA files, client certificates,
 * wrong password, permission denied, server unreachable. Secrets travel in files only.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { closeClient, connectNats } from "../../nats/client.ts";
import { connectionConfig, NatsConnectionError, prepareConnection } from "../../nats/connection.ts";
import { startCli, runCliAsync } from "../support/cli.ts";
import { type NatsServer, skipWithoutNatsServer, withNatsServer } from "../support/nats_server.ts";
import { makeNsc } from "../support/nsc.ts";
import { freePort, tempDir } from "../support/process.ts";
import { makeCa, makeCert } from "../support/tls.ts";

const PASSWORD = "s3cret-Pw!";
const USERS = `authorization {
  users = [
    {user: alice, password: "${PASSWORD}"}
    {user: reader, password: "${PASSWORD}", permissions: {subscribe: ["cms.public.>", "_INBOX.>"], publish: ["cms.public.>"]}}
  ]
}`;

/** A file the CLIs read credentials from (mode 600, as the tools ask for). */
function secretFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

/**
 * nats-sub receives what nats-pub sends, both with the same connection flags; returns their stderr.
 * By default nats-pub starts alongside nats-sub (stdin mode, fed once the sub listens), which saves
 * a process start-up; `arg` publishes `SUBJECT MSG` once the sub listens.
 */
async function roundTrip(server: NatsServer, conn: string[], home: string, mode: "stdin" | "arg" = "stdin") {
  const payload = "site:T2_US_MIT   exitCode:8028";
  const sub = startCli("nats-sub", ["-s", server.address, ...conn, "-raw", "--count", "1", "cms.test.>"], home);
  const pub = mode === "stdin" ? startCli("nats-pub", ["-s", server.address, ...conn, "cms.test.auth"], home) : undefined;
  try {
    await sub.waitForStderr(/Listening on/);
    const published = pub ?? startCli("nats-pub", ["-s", server.address, ...conn, "cms.test.auth", payload], home);
    pub?.endInput(`${payload}\n`);
    assert.is(await published.exited, 0, published.stderr());
    const expected = mode === "stdin" ? "Published 1 messages on" : `Published on [${server.address}/cms.test.auth]: '${payload}'`;
    assert.match(published.stderr(), expected);
    assert.is(await sub.exited, 0, sub.stderr());
    assert.is(sub.stdout(), `[#1] [cms.test.auth] '${payload}'\n`);
    return { sub: sub.stderr(), pub: published.stderr() };
  } finally {
    sub.signal("SIGKILL");
    pub?.signal("SIGKILL");
  }
}

/** The error connecting with these settings gives (in process), or "connected". */
async function refusal(settings: Record<string, unknown>): Promise<string> {
  const prepared = prepareConnection(connectionConfig.parse(settings), { warn: () => {} });
  return connectNats(prepared, () => {}).then(
    async (client) => {
      await closeClient(client, "close");
      return "connected";
    },
    (err: Error) => err.message,
  );
}


if (!skipWithoutNatsServer()) {
  test("anonymous: no credentials and no default cms-auth file, said on stderr", () =>
    withNatsServer(undefined, async (server, home) => {
      const { sub } = await roundTrip(server, [], home);
      assert.match(sub, /no credentials given and .*cms-auth not found: connecting without authentication/);
      assert.match(sub, `Listening on [${server.address}/cms.test.>]`);
    }));

  test("user/password from -cmsAuth FILE, and from the default $HOME/.nats/cms-auth", () =>
    withNatsServer(USERS, async (server, home) => {
      const file = secretFile(home, "auth", `alice:${PASSWORD}\n`);
      const explicit = await roundTrip(server, ["-cmsAuth", file], home, "arg");
      assert.not.match(explicit.sub + explicit.pub, PASSWORD);
      mkdirSync(join(home, ".nats"));
      secretFile(join(home, ".nats"), "cms-auth", `alice:${PASSWORD}`);
      const byDefault = await roundTrip(server, [], home);
      assert.not.match(byDefault.sub, /without authentication/);
    }));

  test("-creds user:pass (in process): connects, and the password is masked", () =>
    withNatsServer(USERS, async (server) => {
      const warnings: string[] = [];
      const prepared = prepareConnection(connectionConfig.parse({ servers: server.address, creds: `alice:${PASSWORD}` }), { warn: (t) => warnings.push(t) });
      const client = await connectNats(prepared, (t) => warnings.push(t));
      assert.is(client.nc.isClosed(), false);
      assert.is(prepared.mask(`nats://alice:${PASSWORD}@host and ${PASSWORD}`), "nats://***@host and ***");
      await closeClient(client, "drain");
      assert.equal(warnings, []);
    }));

  test("an explicitly named cms-auth file that is missing is an error", () => {
    assert.throws(
      () => prepareConnection(connectionConfig.parse({ cmsAuth: "/nonexistent/cms-auth" }), { warn: () => {} }),
      (err: Error) => err instanceof NatsConnectionError && /cannot read the cmsAuth file \/nonexistent\/cms-auth: ENOENT/.test(err.message),
    );
  });

  test("token: from a cms-auth file (CLI) and -creds TOKEN (in process); a wrong token fails", () =>
    withNatsServer(`authorization { token: "${PASSWORD}" }`, async (server, home) => {
      await roundTrip(server, ["-cmsAuth", secretFile(home, "token", PASSWORD)], home);
      const prepared = prepareConnection(connectionConfig.parse({ servers: [server.address], creds: PASSWORD }), { warn: () => {} });
      await closeClient(await connectNats(prepared, () => {}), "close");
      assert.match(await refusal({ servers: [server.address], token: "wrong" }), /authorization failed/);
    }));

  test("wrong password: a clear error, exit 1, the password never printed", () =>
    withNatsServer(USERS, async (server, home) => {
      const file = secretFile(home, "auth", "alice:not-the-password");
      const sub = await runCliAsync("nats-sub", ["-s", server.address, "-cmsAuth", file, "cms.test.>"], home);
      assert.is(sub.code, 1);
      assert.match(sub.stderr, `error: cannot connect to NATS at ${server.address}: authorization failed`);
      assert.not.match(sub.stderr + sub.stdout, "not-the-password");
    }));

  test("permission denied on a subject: a clear error, exit 1, no Listening line", () =>
    withNatsServer(USERS, async (server, home) => {
      const file = secretFile(home, "auth", `reader:${PASSWORD}`);
      const sub = await runCliAsync("nats-sub", ["-s", server.address, "-cmsAuth", file, "cms.secret.>"], home);
      assert.is(sub.code, 1);
      assert.match(sub.stderr, /permission denied: .*Permissions Violation for Subscription to "cms\.secret\.>"/i);
      assert.not.match(sub.stderr, /Listening on/);
    }));

  test("NSC creds file (operator/account/user JWTs made here, MEMORY resolver)", async () => {
    const dir = tempDir("nsc");
    try {
      const nsc = await makeNsc(dir.path);
      await withNatsServer(nsc.serverConfig, async (server, home) => {
        const { sub } = await roundTrip(server, ["-creds", nsc.credsFile], home);
        assert.not.match(sub, /SUAO|eyJ/); // neither the seed nor the JWT is printed
      });
    } finally {
      dir.remove();
    }
  });

  test("TLS: -rootCAs with two files, only the second signed the server; the first alone fails", async () => {
    const dir = tempDir("tls");
    try {
      const other = makeCa(dir.path, "other-ca");
      const ca = makeCa(dir.path, "ca");
      const srv = makeCert(dir.path, "server", ca);
      await withNatsServer(`tls { cert_file: "${srv.cert}", key_file: "${srv.key}" }`, async (server, home) => {
        await roundTrip(server, [`-rootCAs=${other.cert},${ca.cert}`], home);
        assert.match(await refusal({ servers: server.address, rootCAs: other.cert }), /cannot connect to NATS at .*certificate/i);
      });
    } finally {
      dir.remove();
    }
  });

  test("TLS client certificates (server verifies): -userCert/-userKey connect, without them it fails", async () => {
    const dir = tempDir("mtls");
    try {
      const ca = makeCa(dir.path, "ca");
      const srv = makeCert(dir.path, "server", ca);
      const client = makeCert(dir.path, "client", ca);
      const config = `tls { cert_file: "${srv.cert}", key_file: "${srv.key}", ca_file: "${ca.cert}", verify: true }`;
      await withNatsServer(config, async (server, home) => {
        await roundTrip(server, ["-rootCAs", ca.cert, "-userCert", client.cert, "-userKey", client.key], home);
        assert.match(await refusal({ servers: `tls://${server.address}`, rootCAs: [ca.cert] }), /cannot connect to NATS/);
      });
    } finally {
      dir.remove();
    }
  });

  test("server unreachable at the first connect: clear error and exit 1 at once", async () => {
    const home = tempDir("home");
    try {
      const port = await freePort();
      const runs = await Promise.all([
        runCliAsync("nats-sub", ["-s", `127.0.0.1:${port}`, "cms.test.x"], home.path),
        runCliAsync("nats-pub", ["-s", `127.0.0.1:${port}`, "cms.test.x", "m"], home.path),
      ]);
      for (const r of runs) {
        assert.is(r.code, 1);
        assert.match(r.stderr, `error: cannot connect to NATS at 127.0.0.1:${port}: connection refused`);
      }
    } finally {
      home.remove();
    }
  });

  test.run();
}
