/**
 * The provenance manifest every file Tunesmith writes carries, and its signed envelope.
 *
 * The manifest says what made the file (tool, composer and model versions), from what (the
 * normalised request and seed, or the kit it belongs to), when, and the SHA-256 of the MIDI and of
 * the audio. The envelope is `{"manifest":…,"key":…,"sig":…}`: the manifest's canonical JSON
 * (keys sorted, ASCII only) signed with the instance's Ed25519 key (keys.ts). It is stored as text
 * in the file's tags (containers.ts) and in a MIDI text event, always as ASCII so that every tag
 * format (Latin-1 ID3, RIFF INFO, MIDI text) carries it byte for byte.
 *
 * Its length is fixed before the audio hash is known (the hash is 64 hex digits, the signature
 * 88 base64 characters), so a file can be written with a placeholder envelope, hashed without it,
 * and then given the real one in the same bytes.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { KIT_PARTS, KitRequestSchema } from '../core/kit.ts';
import { CompositionRequestSchema, FORMATS } from '../core/request.ts';

export const MANIFEST_VERSION = 1;
/** The tag / text event name: Ogg comment `TUNESMITH_MANIFEST=`, ID3 TXXX description, MIDI text prefix. */
export const MANIFEST_TAG = 'TUNESMITH_MANIFEST';

/** How the music can be made again: the verifier recomposes it from this and compares the MIDI bytes. */
export const RecipeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('compose'), request: CompositionRequestSchema }),
  /** A re-render or an extension of another piece: signed, but not recomposed from a request alone. */
  z.object({ kind: z.literal('derived'), request: CompositionRequestSchema, derivation: z.string().max(500) }),
  /** A part of a streamer kit (src/core/kit.ts): the kit request and the part; `request` is the part's own. */
  z.object({ kind: z.literal('kit'), kit: KitRequestSchema, part: z.enum(KIT_PARTS), request: CompositionRequestSchema }),
]);
export type Recipe = z.infer<typeof RecipeSchema>;

export const ManifestSchema = z.object({
  v: z.literal(MANIFEST_VERSION),
  tool: z.string().max(100),
  composer: z.string().max(200),
  models: z.record(z.string(), z.string().max(100)),
  recipe: RecipeSchema,
  seed: z.number().int(),
  createdAt: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
  /** What this file is: the full mix, one instrument's stem, or a part of a streamer kit. */
  content: z.string().max(100),
  midiSha256: z.string().regex(/^[0-9a-f]{64}$/),
  audio: z.object({ format: z.enum(FORMATS), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).nullable(),
  /** The piano-roll PNG made with them, when there is one. */
  picture: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }).nullable().default(null),
});
export type Manifest = z.infer<typeof ManifestSchema>;

const EnvelopeSchema = z.object({ manifest: z.unknown(), key: z.string().regex(/^[A-Za-z0-9+/]{43}=$/), sig: z.string().regex(/^[A-Za-z0-9+/]{86}==$/) });

export const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/** A hash that stands in for the real one while the file is hashed (same length). */
export const PLACEHOLDER_SHA256 = '0'.repeat(64);

/** JSON with sorted keys and every non-ASCII character escaped: the same text in every container. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  return value;
}

/** The instance's public key as base64 of its 32 raw bytes. */
export function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' }) as { x: string };
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

/** The signed envelope text (ASCII). */
export function sealManifest(manifest: Manifest, privateKey: KeyObject, publicKey: KeyObject): string {
  const body = canonicalJson(ManifestSchema.parse(manifest));
  const sig = sign(null, Buffer.from(body, 'latin1'), privateKey).toString('base64');
  return `{"manifest":${body},"key":"${rawPublicKey(publicKey)}","sig":"${sig}"}`;
}

export type OpenedEnvelope =
  | { ok: true; manifest: Manifest; key: string; signatureValid: boolean }
  | { ok: false; problem: string };

/** Parse an envelope and check its signature against the key it names (who that key is, the caller decides). */
export function openEnvelope(text: string): OpenedEnvelope {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'its manifest is not valid JSON' };
  }
  const envelope = EnvelopeSchema.safeParse(raw);
  if (!envelope.success) return { ok: false, problem: 'its manifest envelope is malformed' };
  const manifest = ManifestSchema.safeParse(envelope.data.manifest);
  if (!manifest.success) return { ok: false, problem: 'its manifest does not have the expected fields' };
  let signatureValid = false;
  try {
    const publicKey = { key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(envelope.data.key, 'base64').toString('base64url') }, format: 'jwk' as const };
    // The signature covers the manifest exactly as stored (its canonical form is what was signed).
    const body = canonicalJson(envelope.data.manifest);
    signatureValid = body === canonicalJson(manifest.data) && verify(null, Buffer.from(body, 'latin1'), publicKey, Buffer.from(envelope.data.sig, 'base64'));
  } catch {
    signatureValid = false;
  }
  return { ok: true, manifest: manifest.data, key: envelope.data.key, signatureValid };
}
