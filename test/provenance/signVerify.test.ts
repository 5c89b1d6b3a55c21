import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AudioFormat } from '../../src/core/request.ts';
import { createPiece, recomposeMidi, type Piece } from '../../src/pipeline.ts';
import { readLoopPoints } from '../../src/provenance/containers.ts';
import { instanceKey, type InstanceKey } from '../../src/provenance/keys.ts';
import { verifyFile } from '../../src/provenance/verify.ts';
import { findTools } from '../../src/render/tools.ts';
import { makeRequest } from '../support/requests.ts';
import { PNG } from 'pngjs';

const run = promisify(execFile);
let dir: string;
let key: InstanceKey;
let other: InstanceKey;
const pieces = new Map<AudioFormat, Piece>();
let loopOgg: Piece;
let loopWav: Piece;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tunesmith-prov-'));
  key = await instanceKey(path.join(dir, 'a'));
  other = await instanceKey(path.join(dir, 'b'));
  const request = makeRequest({ style: 'lofi', mood: 'calm', durationSec: 4, seed: 41, prompt: 'calm lofi ☕ for my stream' });
  for (const format of ['ogg', 'mp3', 'wav'] as const) pieces.set(format, await createPiece(request, { format, sign: key }));
  loopOgg = await createPiece(makeRequest({ style: 'chiptune', mood: 'happy', durationSec: 4, seed: 7, loop: true }), { format: 'ogg', sign: key });
  loopWav = await createPiece(makeRequest({ style: 'chiptune', mood: 'happy', durationSec: 4, seed: 7, loop: true }), { format: 'wav', sign: key });
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Byte positions to flip: every byte of the first 2.5 KiB and the last 2 KiB (headers, tags, manifest), then 300 spread over the rest. */
function positions(length: number): number[] {
  const out = new Set<number>();
  for (let i = 0; i < Math.min(length, 2560); i++) out.add(i);
  for (let k = 0; k < 300; k++) out.add(Math.floor((k / 300) * length));
  // The PNG keeps its manifest at the end (before IEND): every byte of the last 2 KiB too.
  for (let i = Math.max(0, length - 2048); i < length; i++) out.add(i);
  return [...out].filter((i) => i < length);
}

describe('signed provenance', () => {
  it('a key is made once and read back the same', async () => {
    const again = await instanceKey(path.join(dir, 'a'));
    expect(again.publicKeyBase64).toBe(key.publicKeyBase64);
    expect(other.publicKeyBase64).not.toBe(key.publicKeyBase64);
    const pem = await readFile(path.join(dir, 'a', 'instance-key.pem'), 'utf8');
    expect(pem).toMatch(/BEGIN PRIVATE KEY/);
  });

  it.each(['ogg', 'mp3', 'wav'] as const)('%s and its MIDI verify as unmodified, recomposed to the same MIDI bytes', async (format) => {
    const piece = pieces.get(format)!;
    const audio = await verifyFile(piece.audio!.data, { key, recompose: (r) => recomposeMidi(r) });
    expect(audio.status, audio.message).toBe('unmodified');
    expect(audio.message).toMatch(/^Made by this Tunesmith instance on \d{4}-\d\d-\d\d from lofi, calm, 4 s, seed 41 \(“calm lofi ☕ for my stream”\), unmodified/);
    expect(audio.checks.join('\n')).toMatch(/same MIDI bytes/);
    const midi = await verifyFile(piece.midi, { key, recompose: (r) => recomposeMidi(r) });
    expect(midi.status, midi.message).toBe('unmodified');
    expect(midi.manifest).toEqual(audio.manifest);
    const png = await verifyFile(piece.png, { key });
    expect(png.status, png.message).toBe('unmodified');
    expect(png.checks.join('\n')).toMatch(/picture bytes match/);
    expect(png.manifest).toEqual(audio.manifest);
    expect(audio.manifest!.audio!.format).toBe(format);
  });

  it('the audio still decodes, with the tags ffmpeg wrote and the manifest readable by ffprobe', async () => {
    const { ffmpeg } = await findTools();
    const ffprobe = path.join(path.dirname(ffmpeg), 'ffprobe');
    for (const [format, piece] of pieces) {
      const file = path.join(dir, `piece.${format}`);
      await writeFile(file, piece.audio!.data);
      const { stdout } = await run(ffprobe, ['-v', 'error', '-show_entries', 'format=duration:format_tags:stream_tags', '-of', 'json', file]);
      const probed = JSON.parse(stdout) as { format: { duration: string; tags?: Record<string, string> }; streams?: { tags?: Record<string, string> }[] };
      expect(Number(probed.format.duration)).toBeCloseTo(4, 1);
      const tags = { ...probed.format.tags, ...probed.streams?.[0]?.tags };
      const manifestTag = Object.entries(tags).find(([k]) => /TUNESMITH_MANIFEST|ISBJ|subject/i.test(k))?.[1] ?? '';
      expect(manifestTag, format).toContain('"manifest":');
      expect(Object.values(tags).join(' '), format).toContain('Tunesmith');
    }
  });

  it('loops carry their loop points (Ogg LOOPSTART/LOOPLENGTH, WAV smpl) and still verify', async () => {
    expect(readLoopPoints('ogg', loopOgg.audio!.data)).toEqual({ startFrame: 0, lengthFrames: 4 * 48_000 });
    expect(readLoopPoints('wav', loopWav.audio!.data)).toEqual({ startFrame: 0, lengthFrames: 4 * 48_000 });
    for (const piece of [loopOgg, loopWav]) expect((await verifyFile(piece.audio!.data, { key })).status).toBe('unmodified');
  });

  it('catches every single flipped byte in audio and MIDI files', { timeout: 300_000 }, async () => {
    // The three MIDI files differ only in their manifests: one is flipped byte by byte.
    const files: [string, Uint8Array][] = [...pieces].map(([format, p]): [string, Uint8Array] => [format, p.audio!.data]);
    files.push(['MIDI', pieces.get('ogg')!.midi], ['PNG', pieces.get('ogg')!.png]);
    files.push(['loop ogg', loopOgg.audio!.data], ['loop wav', loopWav.audio!.data]);
    const summary: string[] = [];
    for (const [name, bytes] of files) {
      let flips = 0;
      const verdicts = new Map<string, number>();
      const at = name.endsWith('MIDI') ? [...bytes.keys()] : positions(bytes.length);
      for (const i of at) {
        const copy = Buffer.from(bytes);
        copy[i] = copy[i]! ^ 0x01;
        const verdict = await verifyFile(copy, { key });
        expect(verdict.status, `${name}: flipped byte ${i} of ${bytes.length} → ${verdict.message}`).not.toBe('unmodified');
        verdicts.set(verdict.status, (verdicts.get(verdict.status) ?? 0) + 1);
        flips++;
      }
      summary.push(`${name}: ${flips} flips of ${bytes.length} bytes, ${[...verdicts].map(([s, n]) => `${s} ${n}`).join(', ')}`);
    }
    console.log(`byte flips caught:\n${summary.join('\n')}`);
  });

  it('a re-encoded file is not signed; another instance\'s signature is not ours', async () => {
    const { ffmpeg } = await findTools();
    const src = path.join(dir, 'src.ogg');
    const out = path.join(dir, 'reencoded.ogg');
    await writeFile(src, pieces.get('ogg')!.audio!.data);
    await run(ffmpeg, ['-y', '-v', 'error', '-i', src, '-map_metadata', '-1', '-c:a', 'libopus', out]);
    const reencoded = await verifyFile(await readFile(out), { key });
    expect(reencoded.status).toBe('not-signed');
    expect(reencoded.message).toMatch(/^Not signed by this Tunesmith instance/);
    expect(reencoded.message).toMatch(/re-encoded/);
    const theirs = await verifyFile(pieces.get('ogg')!.audio!.data, { key: other });
    expect(theirs.status).toBe('not-signed');
    expect(theirs.message).toMatch(/signed by another key/);
  });

  it('bad input gets one clear sentence and never throws', async () => {
    const ogg = pieces.get('ogg')!.audio!.data;
    const cases: [string, Uint8Array, RegExp][] = [
      ['a text file', Buffer.from('{"hello": "world"}\n'), /not a file Tunesmith writes/],
      ['a PNG from elsewhere', PNG.sync.write(new PNG({ width: 4, height: 4 })), /^Not signed by this Tunesmith instance: this PNG file carries no Tunesmith manifest/],
      ['empty', new Uint8Array(0), /empty/],
      ['oversized', new Uint8Array(51 * 1024 * 1024), /too large to check \(51\.0 MiB; at most 50\.0 MiB\)/],
      ['truncated Ogg', ogg.subarray(0, Math.floor(ogg.length / 2)), /^Modified after it was made: .*truncated/],
      ['garbage MIDI', Buffer.concat([Buffer.from('MThd\0\0\0\x06\0\x01\0\x02\x01\xe0', 'latin1'), Buffer.from('garbage'.repeat(100))]), /^Not signed by this Tunesmith instance.*damaged/],
      ['Ogg header, nothing else', Buffer.from('OggS'), /^Not signed by this Tunesmith instance.*truncated/],
    ];
    for (const [name, bytes, expected] of cases) {
      const verdict = await verifyFile(bytes, { key });
      expect(verdict.message, name).toMatch(expected);
    }
  });
});
