/**
 * The instance's Ed25519 signing key: generated on first start into the data folder
 * (TUNESMITH_DATA_DIR, default `data/`, gitignored) with node:crypto, read on every later start.
 * Every process of one instance (bot, workers) must share this file: copy it to each machine.
 * Two processes starting at once end up with one key, not two (see loadOrCreate).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { rawPublicKey } from './manifest.ts';

export const KEY_FILE = 'instance-key.pem';

export interface InstanceKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Base64 of the 32 raw public-key bytes, as the manifest envelopes name it. */
  publicKeyBase64: string;
  /** A short fingerprint people can compare: the first 16 hex digits of its SHA-256. */
  fingerprint: string;
}

let configuredDir: string | undefined;

/** Where the key lives: set at start from the validated config (useDataDir), else TUNESMITH_DATA_DIR, else `data`. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return configuredDir ?? (env.TUNESMITH_DATA_DIR?.trim() || 'data');
}

/** The bot and the worker call this at start with their config's data folder. */
export function useDataDir(dir: string): void {
  configuredDir = dir;
}

function fromPem(pem: string): InstanceKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${KEY_FILE} is not an Ed25519 key`);
  const publicKey = createPublicKey(privateKey);
  const publicKeyBase64 = rawPublicKey(publicKey);
  return { privateKey, publicKey, publicKeyBase64, fingerprint: createHash('sha256').update(Buffer.from(publicKeyBase64, 'base64')).digest('hex').slice(0, 16) };
}

const loaded = new Map<string, Promise<InstanceKey>>();

/** The instance key in `dir`, made there on first use (cached per process and folder). */
export function instanceKey(dir = dataDir()): Promise<InstanceKey> {
  const file = path.resolve(dir, KEY_FILE);
  let key = loaded.get(file);
  if (!key) {
    key = loadOrCreate(file);
    loaded.set(file, key);
    key.catch(() => loaded.delete(file));
  }
  return key;
}

async function loadOrCreate(file: string): Promise<InstanceKey> {
  try {
    return fromPem(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(file), { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  // Written whole under a private name, then linked into place: link fails if another process
  // got there first (then its key is used), and nobody ever reads a half-written file.
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, pem, { mode: 0o600 });
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return fromPem(await readFile(file, 'utf8'));
  } finally {
    await unlink(temp).catch(() => {});
  }
  return fromPem(pem);
}
