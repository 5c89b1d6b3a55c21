/**
 * Is this file what this Tunesmith instance made? Checks, in order: that it is a kind of file we
 * write and not too large; that it carries a manifest; that the manifest is signed by this
 * instance's key and the signature holds; that the file's bytes hash to what the manifest says;
 * and, when the recipe allows it, that composing the manifest's request and seed again gives the
 * same MIDI bytes. The answer is one of three plain sentences (plus what was checked):
 *   - made by this Tunesmith instance on <date> from <request>, unmodified;
 *   - modified after it was made;
 *   - not signed by this instance (re-encoded, which drops tags, or made elsewhere).
 * Never throws on bad input: a file that is not ours or is damaged gets a sentence too.
 */
import { formatKey } from '../core/keys.ts';
import type { CompositionRequest } from '../core/request.ts';
import { MidiReadError, readMidi } from '../midi/readMidi.ts';
import { audioDigest, checkStructure, ContainerError, detectKind, findEnvelope, stripMidiEnvelope, type FileKind } from './containers.ts';
import type { InstanceKey } from './keys.ts';
import { openEnvelope, sha256, type Manifest, type Recipe } from './manifest.ts';

export const MAX_VERIFY_BYTES = 50 * 1024 * 1024;

export type VerdictStatus = 'unmodified' | 'modified' | 'not-signed' | 'unreadable';

export interface Verdict {
  status: VerdictStatus;
  /** The answer, in one or two plain sentences. */
  message: string;
  /** What was checked, one line each ("✓ …" / "✗ …"). */
  checks: string[];
  kind: FileKind | null;
  manifest?: Manifest;
}

export interface VerifyOptions {
  key: InstanceKey;
  /** Compose the recipe again and return its MIDI bytes (as scoreToMidi writes them); absent: not recomposed. */
  recompose?: (recipe: Recipe) => Promise<Uint8Array | null>;
  maxBytes?: number;
}

const KIND_NAMES: Record<FileKind, string> = { ogg: 'Ogg Opus', mp3: 'MP3', wav: 'WAV', midi: 'MIDI', png: 'PNG' };

/** "lofi, calm, 30 s, seed 1234" plus the key, tempo, loop and prompt when the request set them. */
export function describeRequest(r: CompositionRequest): string {
  const parts = [r.style, r.mood, `${r.durationSec} s`];
  if (r.loop) parts.push('loop');
  if (r.key) parts.push(formatKey(r.key));
  if (r.tempo) parts.push(`${r.tempo} bpm`);
  if (r.meter) parts.push(r.meter);
  if (r.energy) parts.push(`${r.energy} energy`);
  if (r.instruments.length) parts.push(r.instruments.map((i) => i.name).join(' + '));
  parts.push(`seed ${r.seed}`);
  const prompt = r.prompt.trim() ? ` (“${r.prompt.trim().slice(0, 120)}”)` : '';
  return `${parts.join(', ')}${prompt}`;
}

const day = (iso: string) => iso.slice(0, 10);
const NOT_SIGNED_HINT = 'A re-encoded or converted file loses its tags, so this cannot tell whether the music itself came from here.';

export async function verifyFile(file: Uint8Array, opts: VerifyOptions): Promise<Verdict> {
  const max = opts.maxBytes ?? MAX_VERIFY_BYTES;
  const checks: string[] = [];
  if (file.length > max) {
    return { status: 'unreadable', kind: null, checks, message: `The file is too large to check (${mib(file.length)}; at most ${mib(max)}).` };
  }
  if (file.length === 0) return { status: 'unreadable', kind: null, checks, message: 'The file is empty.' };
  const kind = detectKind(file);
  if (!kind) {
    return { status: 'unreadable', kind, checks, message: 'This is not a file Tunesmith writes: only Ogg Opus, MP3, WAV, MIDI and its PNG piano rolls can be checked.' };
  }
  const found = findEnvelope(file);
  if (!found) {
    let damage = '';
    try {
      if (kind === 'midi') readMidi(file);
      else checkStructure(kind, file);
    } catch (error) {
      if (error instanceof ContainerError || error instanceof MidiReadError) damage = ` It is also damaged: ${lowerFirst(error.message)}`;
    }
    return { status: 'not-signed', kind, checks: ['✗ no Tunesmith manifest in its tags'], message: `Not signed by this Tunesmith instance: this ${KIND_NAMES[kind]} file carries no Tunesmith manifest. ${NOT_SIGNED_HINT}${damage}` };
  }
  const opened = openEnvelope(found.text);
  if (!opened.ok) {
    return { status: 'modified', kind, checks: [`✗ ${opened.problem}`], message: `Modified after it was made: this ${KIND_NAMES[kind]} file has a Tunesmith manifest, but ${opened.problem}.` };
  }
  const { manifest } = opened;
  const kitPart = manifest.recipe.kind === 'kit' ? `the ${manifest.recipe.part} of the streamer kit “${manifest.recipe.kit.name}”, ` : '';
  const made = `on ${day(manifest.createdAt)} from ${kitPart}${describeRequest(manifest.recipe.request)}`;
  if (opened.key !== opts.key.publicKeyBase64 && !opened.signatureValid) {
    // Not even valid under the key it names: the manifest was altered (or its key was).
    return { status: 'modified', kind, manifest, checks: ['✗ the manifest’s signature does not match its contents'], message: 'Modified after it was made: the Tunesmith manifest in this file was changed after it was signed.' };
  }
  if (opened.key !== opts.key.publicKeyBase64) {
    return {
      status: 'not-signed',
      kind,
      manifest,
      checks: ['✗ signed by a different key than this instance’s'],
      message: `Not signed by this Tunesmith instance: its manifest is signed by another key (another Tunesmith server, or a forgery). It claims to be made ${made}.`,
    };
  }
  if (!opened.signatureValid) {
    return { status: 'modified', kind, manifest, checks: ['✗ the manifest’s signature does not match its contents'], message: 'Modified after it was made: the manifest in this file was changed after this instance signed it.' };
  }
  checks.push(`✓ manifest signed by this instance (key ${opts.key.fingerprint})`);

  const modified = (what: string): Verdict => ({ status: 'modified', kind, manifest, checks: [...checks, `✗ ${what}`], message: `Modified after it was made: it was made by this Tunesmith instance ${made}, but ${what}.` });
  if (kind === 'midi') {
    let plain: Buffer | null = null;
    try {
      plain = stripMidiEnvelope(file);
    } catch {
      plain = null;
    }
    if (!plain || sha256(plain) !== manifest.midiSha256) return modified('its MIDI bytes differ from the ones signed');
    checks.push('✓ MIDI bytes match the signed SHA-256');
  } else if (kind === 'png') {
    if (!manifest.picture) return modified('its manifest describes no picture');
    try {
      checkStructure(kind, file);
    } catch (error) {
      return modified(lowerFirst((error as Error).message));
    }
    if (audioDigest(kind, file, found.start, found.end) !== manifest.picture.sha256) return modified('its picture bytes differ from the ones signed');
    checks.push('✓ picture bytes match the signed SHA-256');
  } else {
    if (!manifest.audio) return modified('its manifest describes no audio file');
    if (manifest.audio.format !== kind) return modified(`it is ${KIND_NAMES[kind]} while the manifest signed ${KIND_NAMES[manifest.audio.format]}`);
    try {
      checkStructure(kind, file);
    } catch (error) {
      return modified(lowerFirst((error as Error).message));
    }
    if (audioDigest(kind, file, found.start, found.end) !== manifest.audio.sha256) return modified('its audio bytes differ from the ones signed');
    checks.push('✓ audio bytes match the signed SHA-256');
  }

  let recomposed = '';
  if (manifest.recipe.kind !== 'derived' && opts.recompose) {
    try {
      const again = await opts.recompose(manifest.recipe);
      if (again && sha256(again) === manifest.midiSha256) {
        checks.push('✓ composed again from the manifest’s request and seed: the same MIDI bytes');
        recomposed = ' Composing its request and seed again gives the same MIDI, note for note.';
      } else if (again) {
        checks.push('✗ composed again here, the MIDI differs (the composer or a model changed since it was made; the signature and hashes still hold)');
      }
    } catch (error) {
      checks.push(`– could not compose it again here (${(error as Error).message})`);
    }
  } else if (manifest.recipe.kind === 'derived') {
    checks.push(`– not composed again: it was derived from another piece (${manifest.recipe.derivation.slice(0, 200)})`);
  }
  return {
    status: 'unmodified',
    kind,
    manifest,
    checks,
    message: `Made by this Tunesmith instance ${made}, unmodified (${manifest.content}, ${KIND_NAMES[kind]}).${recomposed}`,
  };
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;
