/**
 * NSC-style decentralized auth made inside a test with nkeys.js and nats-jwt: an operator, an account
 * and a user, the server config that trusts them (`operator:` with a MEMORY resolver) and the user's
 * `.creds` file.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeAccount, encodeOperator, encodeUser, fmtCreds } from "nats-jwt";
import { createAccount, createOperator, createUser } from "nkeys.js";

export interface Nsc {
  /** nats-server config text: operator, resolver MEMORY and the preloaded account. */
  serverConfig: string;
  /** Path of the user's credentials file (mode 600). */
  credsFile: string;
}

export async function makeNsc(dir: string): Promise<Nsc> {
  const operator = createOperator();
  const account = createAccount();
  const user = createUser();
  const operatorJwt = await encodeOperator("test-operator", operator);
  const limits = { conn: -1, subs: -1, data: -1, payload: -1, imports: -1, exports: -1, leaf: -1, wildcards: true };
  const accountJwt = await encodeAccount("test-account", account, { limits }, { signer: operator });
  const userJwt = await encodeUser("test-user", user, account);
  const credsFile = join(dir, "user.creds");
  writeFileSync(credsFile, fmtCreds(userJwt, user), { mode: 0o600 });
  const accountKey = account.getPublicKey();
  return {
    serverConfig: `operator: "${operatorJwt}"\nresolver: MEMORY\nresolver_preload: {\n  ${accountKey}: "${accountJwt}"\n}\n`,
    credsFile,
  };
}
