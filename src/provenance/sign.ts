/**
 * Signing what a job made: one manifest per audio file (mix, stem or kit part), carried by that
 * file's tags and by the MIDI file made with it. The audio hash is taken over the file with a
 * placeholder envelope of the final length in place (containers.ts), then the signed envelope
 * replaces the placeholder byte for byte.
 */
import { readFileSync } from 'node:fs';
import type { AudioFormat } from '../core/request.ts';
import { addLoopPoints, embedEnvelope, replaceEnvelope, audioDigest, type LoopPoints } from './containers.ts';
import type { InstanceKey } from './keys.ts';
import { ManifestSchema, MANIFEST_VERSION, PLACEHOLDER_SHA256, sealManifest, sha256, type Manifest, type Recipe } from './manifest.ts';

const readJson = (relative: string): Record<string, unknown> | null => {
  try {
    return JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
};

export const TOOL_VERSION = `tunesmith@${String(readJson('../../package.json')?.version ?? '0.0.0')}`;

/** The trained models' versions as their files state them (absent models are left out). */
export const MODEL_VERSIONS: Readonly<Record<string, string>> = Object.fromEntries(
  (['melody', 'accomp'] as const).flatMap((name) => {
    const version = readJson(`../../models/${name}/model.json`)?.version;
    return typeof version === 'string' ? [[name, version]] : [];
  }),
);

export interface SignInput {
  key: InstanceKey;
  recipe: Recipe;
  seed: number;
  /** The generator line of the score (composer and model that wrote the notes). */
  generator: string;
  /** What the audio is: "mix", "stem: lead", "kit: intro". */
  content: string;
  /** The MIDI exactly as scoreToMidi wrote it. */
  midi: Uint8Array;
  audio?: { data: Uint8Array; format: AudioFormat };
  /** The piano roll made with them: signed too (its hash in the same manifest). */
  png?: Uint8Array;
  /** Seamless loops: the loop points are written into the audio's tags first (and hashed with it). */
  loop?: LoopPoints;
  createdAt?: Date;
}

export interface Signed {
  manifest: Manifest;
  /** The MIDI with the envelope in its first track. */
  midi: Buffer;
  audio?: Buffer;
  png?: Buffer;
}

export function signFiles(input: SignInput): Signed {
  const base: Manifest = ManifestSchema.parse({
    v: MANIFEST_VERSION,
    tool: TOOL_VERSION,
    composer: input.generator,
    models: MODEL_VERSIONS,
    recipe: input.recipe,
    seed: input.seed,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    content: input.content,
    midiSha256: sha256(input.midi),
    audio: input.audio ? { format: input.audio.format, sha256: PLACEHOLDER_SHA256 } : null,
    picture: input.png ? { sha256: PLACEHOLDER_SHA256 } : null,
  });
  // Every placeholder envelope has the final length: hashes are hashed over it, then it is replaced.
  const placeholder = sealManifest(base, input.key.privateKey, input.key.publicKey);
  const audioAt = input.audio && embedEnvelope(input.audio.format, input.loop ? addLoopPoints(input.audio.format, input.audio.data, input.loop) : Buffer.from(input.audio.data), placeholder);
  const pngAt = input.png && embedEnvelope('png', input.png, placeholder);
  const manifest: Manifest = {
    ...base,
    audio: input.audio && audioAt ? { format: input.audio.format, sha256: audioDigest(input.audio.format, audioAt.bytes, audioAt.start, audioAt.end) } : null,
    picture: pngAt ? { sha256: audioDigest('png', pngAt.bytes, pngAt.start, pngAt.end) } : null,
  };
  const envelope = sealManifest(manifest, input.key.privateKey, input.key.publicKey);
  return {
    manifest,
    midi: embedEnvelope('midi', input.midi, envelope).bytes,
    audio: input.audio && audioAt ? replaceEnvelope(input.audio.format, audioAt, envelope) : undefined,
    png: pngAt ? replaceEnvelope('png', pngAt, envelope) : undefined,
  };
}
