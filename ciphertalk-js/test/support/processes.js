// Test support: the standalone server jar and the console client jar from the Maven build, started
// as child processes on free ports and killed by the caller's after-hook (killAll).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SERVER_JAR = join(ROOT, 'ciphertalk-server-embed/target/ciphertalk-server.jar');
export const CONSOLE_JAR = join(ROOT, 'examples/console-client/target/ciphertalk-console.jar');
/** The crypto module's test classes, holding InteropPeer (compiled by the Maven build, never shipped). */
export const CRYPTO_TEST_CLASSES = join(ROOT, 'ciphertalk-crypto/target/test-classes');
const INTEROP_PEER = join(CRYPTO_TEST_CLASSES, 'io/ciphertalk/crypto/session/InteropPeer.class');

/**
 * Whether the jars are there. Under CI=true a missing jar is a failure (the caller's test fails
 * with this reason); elsewhere the tests are skipped with it printed.
 * @returns {{skip: string|false, missing: string|null}}
 */
export function jarsOrSkip(needed = [SERVER_JAR, CONSOLE_JAR]) {
  const missing = needed.find((j) => !existsSync(j)) ?? null;
  if (!missing) return { skip: false, missing: null };
  const reason = `${missing} is missing: run ./mvnw -B -DskipTests package first (scripts/test.sh does)`;
  if (process.env.CI === 'true') return { skip: false, missing: reason };
  console.log(`skipping the Java interop tests: ${reason}`);
  return { skip: reason, missing: reason };
}

const children = new Set();
// A test file that dies before its after-hook still takes its children with it.
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
/** Short-lived test JVMs on a busy 2-core machine: the client tier of the JIT and one GC thread start faster. */
const QUICK_JVM = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];
const dirs = new Set();

/** Kills every process this module started (SIGKILL after 3 s) and deletes the temp directories. */
export async function killAll() {
  await Promise.all([...children].map((c) => new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    const t = setTimeout(() => c.kill('SIGKILL'), 3000);
    c.once('exit', () => { clearTimeout(t); resolve(); });
    c.kill('SIGTERM');
  })));
  children.clear();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

/** What the randomized interop run needs: the shaded server jar (crypto + BouncyCastle) and InteropPeer. */
export const INTEROP_PEER_FILES = [SERVER_JAR, INTEROP_PEER];

/** Starts InteropPeer (ciphertalk-crypto's test classes) over the server jar's classes. */
export function startInteropPeer() {
  const { delimiter } = process.platform === 'win32' ? { delimiter: ';' } : { delimiter: ':' };
  return new Child('InteropPeer', [...QUICK_JVM, '-cp', `${SERVER_JAR}${delimiter}${CRYPTO_TEST_CLASSES}`, 'io.ciphertalk.crypto.session.InteropPeer']);
}

/** A child process whose stdout lines can be awaited. */
export class Child {
  constructor(name, args, { onLine } = {}) {
    this.name = name;
    this.lines = [];
    this.cursor = 0;
    this.waiters = [];
    this.proc = spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(this.proc);
    let buf = '';
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        this.lines.push(line);
        if (onLine) onLine(line);
        this.#wake();
      }
    });
    this.stderr = [];
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (c) => { this.stderr.push(c); if (this.stderr.length > 200) this.stderr.shift(); });
    this.proc.on('exit', () => this.#wake());
  }

  #wake() {
    for (const w of [...this.waiters]) w();
  }

  /** Sends one request line and resolves with the next line the process prints (its answer). */
  async ask(line, timeoutMs = 30000) {
    this.type(line);
    const next = this.cursor;
    const answer = await this.awaitLine(/^/, timeoutMs);
    if (this.cursor !== next + 1) throw new Error(`${this.name} printed more than one line`);
    return answer;
  }

  /** Writes one line to the process's stdin. */
  type(line) {
    this.proc.stdin.write(`${line}\n`);
  }

  /**
   * Resolves with the first line after the previous match that contains `text` (or matches it, for
   * a RegExp); rejects after `timeoutMs` with the lines seen, or when the process exits.
   */
  awaitLine(text, timeoutMs = 60000) {
    const matches = (l) => (text instanceof RegExp ? text.test(l) : l.includes(text));
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = this.cursor; i < this.lines.length; i++) {
          if (matches(this.lines[i])) {
            this.cursor = i + 1;
            done();
            resolve(this.lines[i]);
            return;
          }
        }
        if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
          done();
          reject(new Error(`${this.name} exited (${this.proc.exitCode ?? this.proc.signalCode}) before printing '${text}'; last lines:\n${this.lines.slice(-15).join('\n')}\n${this.stderr.join('').slice(-2000)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name} did not print '${text}' in ${timeoutMs} ms; last lines:\n${this.lines.slice(-15).join('\n')}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      this.waiters.push(check);
      check();
    });
  }
}

/**
 * Starts the standalone server on free ports with a fresh H2 database in a temp directory.
 * @param {string[]} [extraArgs] more server flags (e.g. `['--web-root', dir]`)
 * @param {{admin?: {user: string, password: string}}} [options] admin: an administrator account the
 *   jar's `create-admin` command makes in the database first
 */
export async function startServer(extraArgs = [], { admin } = {}) {
  const data = mkdtempSync(join(tmpdir(), 'ciphertalk-js-server-'));
  dirs.add(data);
  if (admin) {
    const made = spawn('java', [...QUICK_JVM, '-jar', SERVER_JAR, 'create-admin', admin.user, '--data', data],
      { env: { ...process.env, CIPHERTALK_ADMIN_PASSWORD: admin.password }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(made);
    let out = '';
    made.stdout.on('data', (c) => { out += c; });
    made.stderr.on('data', (c) => { out += c; });
    const status = await new Promise((resolve) => made.on('exit', resolve));
    if (status !== 0) throw new Error(`create-admin ${admin.user} failed (${status}): ${out.slice(-2000)}`);
  }
  const server = new Child('server', ['-XX:+UseSerialGC', '-jar', SERVER_JAR, '--ws-port', '0', '--http-port', '0', '--data', data,
    // every client of the tests registers and logs in from 127.0.0.1
    '--registrations-per-address', '1000', '--logins-per-address', '1000', ...extraArgs]);
  const line = await server.awaitLine('CipherTalk server running', 90000);
  const [, ws, http] = line.match(/ws port (\d+).*http port (\d+)/);
  server.wsUrl = `ws://127.0.0.1:${ws}/ws`;
  server.httpUrl = `http://127.0.0.1:${http}/`;
  return server;
}

/**
 * Starts the console client (the Java SDK's default client, in-memory store) for `user`, piped
 * (non-interactive: the password is the first line of input), registering the account (or, with
 * `register: false`, logging in to it as another `device`; `oneTimeCode` for an account with
 * two-factor sign-in: a TOTP or recovery code).
 */
export async function startConsole(server, user, password, { device = 1, register = true, oneTimeCode } = {}) {
  const c = new Child(`console ${user}.${device}`, [...QUICK_JVM, '-jar', CONSOLE_JAR, '--plain', '-s', server.wsUrl, '--http', server.httpUrl,
    '-u', user, ...(register ? ['--register'] : []), '--device', String(device), '--zone', 'UTC']);
  c.type(password);
  if (oneTimeCode) c.type(oneTimeCode); // an account with two-factor sign-in: the console asks for it next
  await c.awaitLine(`signed in as ${user}`, 90000);
  return c;
}
