/**
 * Text in the tags of the files Tunesmith writes, without re-encoding: the signed manifest
 * (manifest.ts) and, for seamless loops, the loop points editors and game engines read.
 *
 *  - Ogg Opus: comments in the OpusTags packet (`TUNESMITH_MANIFEST=…`, `LOOPSTART=`, `LOOPLENGTH=`
 *    in samples at 48 kHz), its page rewritten in place with the same sequence number and a new CRC.
 *  - WAV: the manifest as an `ISBJ` field of the LIST/INFO chunk; loops as a `smpl` chunk with one
 *    forward loop (start and end frames, end inclusive), both before the `data` chunk.
 *  - MP3: an ID3v2.3 `TXXX` frame described `TUNESMITH_MANIFEST` (Latin-1; the text is ASCII).
 *  - MIDI: a text event `TUNESMITH_MANIFEST {…}` first in the first track.
 *  - PNG (the piano roll): a `tEXt` chunk keyed `TUNESMITH_MANIFEST` before IEND.
 *
 * The manifest's audio hash covers every byte of the file except the envelope text itself (and,
 * in Ogg, the CRC of the page holding it, which the envelope changes); see `audioDigest`.
 */
import type { AudioFormat } from '../core/request.ts';
import { crc32 } from 'node:zlib';
import { oggCrc } from '../render/oggOpus.ts';
import { MANIFEST_TAG, sha256 } from './manifest.ts';

export type FileKind = AudioFormat | 'midi' | 'png';

export class ContainerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerError';
  }
}

/** What kind of file this is, from its first bytes. */
export function detectKind(bytes: Uint8Array): FileKind | null {
  const head = Buffer.from(bytes.subarray(0, 12)).toString('latin1');
  if (head.startsWith('OggS')) return 'ogg';
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WAVE') return 'wav';
  if (head.startsWith('ID3') || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) return 'mp3';
  if (head.startsWith('MThd')) return 'midi';
  if (head.startsWith('\x89PNG\r\n\x1a\n')) return 'png';
  return null;
}

export interface LoopPoints {
  /** First frame of the loop (48 kHz). */
  startFrame: number;
  /** Frames in the loop. */
  lengthFrames: number;
}

export interface Embedded {
  bytes: Buffer;
  /** Byte range of the envelope text in `bytes`. */
  start: number;
  end: number;
}

// ---------------------------------------------------------------- Ogg

interface OggPageRef {
  at: number;
  end: number;
}

/** Every page of an Ogg file, bounds-checked; with `checkCrc` every CRC is checked too. */
export function oggPages(file: Buffer, checkCrc = false): OggPageRef[] {
  const pages: OggPageRef[] = [];
  for (let at = 0; at < file.length; ) {
    if (at + 27 > file.length) throw new ContainerError(`the Ogg stream is truncated (a page header cut off at byte ${at})`);
    if (file.toString('latin1', at, at + 4) !== 'OggS') throw new ContainerError(`the Ogg stream is damaged (no page at byte ${at})`);
    const segments = file[at + 26]!;
    if (at + 27 + segments > file.length) throw new ContainerError('the Ogg stream is truncated (in a page header)');
    let end = at + 27 + segments;
    for (let i = 0; i < segments; i++) end += file[at + 27 + i]!;
    if (end > file.length) throw new ContainerError('the Ogg stream is truncated (its last page is cut off)');
    if (checkCrc && oggCrc(file.subarray(at, end)) !== file.readUInt32LE(at + 22)) throw new ContainerError(`the Ogg page at byte ${at} fails its checksum`);
    pages.push({ at, end });
    at = end;
  }
  return pages;
}

function parseOpusTags(packet: Buffer): { vendor: Buffer; comments: string[] } {
  if (packet.toString('latin1', 0, 8) !== 'OpusTags') throw new ContainerError('the Ogg stream has no OpusTags packet where expected');
  const vendorLength = packet.readUInt32LE(8);
  const vendor = packet.subarray(12, 12 + vendorLength);
  let at = 12 + vendorLength;
  const count = packet.readUInt32LE(at);
  at += 4;
  const comments: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = packet.readUInt32LE(at);
    comments.push(packet.toString('utf8', at + 4, at + 4 + n));
    at += 4 + n;
  }
  return { vendor, comments };
}

function opusTagsPacket(vendor: Buffer, comments: string[]): Buffer {
  const parts = [Buffer.from('OpusTags', 'latin1'), u32le(vendor.length), vendor, u32le(comments.length)];
  for (const c of comments) {
    const b = Buffer.from(c, 'utf8');
    parts.push(u32le(b.length), b);
  }
  return Buffer.concat(parts);
}

/** The tags page (page 1, holding exactly the OpusTags packet) rebuilt with `edit` applied to its comments. */
function rewriteOggTags(file: Buffer, edit: (comments: string[]) => string[]): { bytes: Buffer; pageAt: number; packetAt: number } {
  const pages = oggPages(file);
  const page = pages[1];
  if (!page) throw new ContainerError('the Ogg stream has no tags page');
  const segments = file[page.at + 26]!;
  const lacing = file.subarray(page.at + 27, page.at + 27 + segments);
  if (lacing.length === 0 || lacing[lacing.length - 1] === 255) throw new ContainerError('the Ogg tags packet spans pages (not written by Tunesmith)');
  const packet = file.subarray(page.at + 27 + segments, page.end);
  const { vendor, comments } = parseOpusTags(packet);
  const newPacket = opusTagsPacket(vendor, edit(comments));
  const newLacing: number[] = [];
  for (let n = newPacket.length; ; n -= 255) {
    newLacing.push(Math.min(255, n));
    if (n < 255) break;
  }
  if (newLacing.length > 255) throw new ContainerError('the Ogg tags would not fit one page');
  const header = Buffer.from(file.subarray(page.at, page.at + 27));
  header[26] = newLacing.length;
  const newPage = Buffer.concat([header, Buffer.from(newLacing), newPacket]);
  newPage.writeUInt32LE(0, 22);
  newPage.writeUInt32LE(oggCrc(newPage), 22);
  return { bytes: Buffer.concat([file.subarray(0, page.at), newPage, file.subarray(page.end)]), pageAt: page.at, packetAt: page.at + 27 + newLacing.length };
}

const withoutKeys = (comments: string[], keys: string[]) => comments.filter((c) => !keys.some((k) => c.toUpperCase().startsWith(`${k}=`)));

// ---------------------------------------------------------------- WAV

interface Chunk {
  id: string;
  data: Buffer;
}

function wavChunks(file: Buffer): Chunk[] {
  if (file.length < 12 || file.toString('latin1', 0, 4) !== 'RIFF' || file.toString('latin1', 8, 12) !== 'WAVE') throw new ContainerError('not a RIFF WAVE file');
  const chunks: Chunk[] = [];
  for (let at = 12; at < file.length; ) {
    if (at + 8 > file.length) throw new ContainerError('the WAV file is truncated (in a chunk header)');
    const id = file.toString('latin1', at, at + 4);
    const size = file.readUInt32LE(at + 4);
    if (at + 8 + size > file.length) throw new ContainerError(`the WAV file is truncated (its ${id.trim()} chunk is cut off)`);
    chunks.push({ id, data: file.subarray(at + 8, at + 8 + size) });
    at += 8 + size + (size & 1);
  }
  return chunks;
}

function writeWav(chunks: Chunk[]): Buffer {
  const parts: Buffer[] = [];
  for (const c of chunks) {
    const head = Buffer.alloc(8);
    head.write(c.id, 0, 'latin1');
    head.writeUInt32LE(c.data.length, 4);
    parts.push(head, c.data);
    if (c.data.length & 1) parts.push(Buffer.alloc(1));
  }
  const body = Buffer.concat(parts);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length + 4, 4);
  riff.write('WAVE', 8, 'latin1');
  return Buffer.concat([riff, body]);
}

/** INFO sub-chunks of a LIST chunk, or null if it is not a LIST/INFO. */
function infoFields(list: Buffer): Chunk[] | null {
  if (list.toString('latin1', 0, 4) !== 'INFO') return null;
  const fields: Chunk[] = [];
  for (let at = 4; at + 8 <= list.length; ) {
    const size = list.readUInt32LE(at + 4);
    fields.push({ id: list.toString('latin1', at, at + 4), data: list.subarray(at + 8, at + 8 + size) });
    at += 8 + size + (size & 1);
  }
  return fields;
}

function infoChunk(fields: Chunk[]): Buffer {
  const parts: Buffer[] = [Buffer.from('INFO', 'latin1')];
  for (const f of fields) {
    const head = Buffer.alloc(8);
    head.write(f.id, 0, 'latin1');
    head.writeUInt32LE(f.data.length, 4);
    parts.push(head, f.data);
    if (f.data.length & 1) parts.push(Buffer.alloc(1));
  }
  return Buffer.concat(parts);
}

/** The `smpl` chunk: unity note 60, one forward loop over [start, start + length) (its end frame is inclusive). */
function smplChunk(loop: LoopPoints, sampleRate: number): Buffer {
  const b = Buffer.alloc(36 + 24);
  b.writeUInt32LE(0, 0); // manufacturer
  b.writeUInt32LE(0, 4); // product
  b.writeUInt32LE(Math.round(1e9 / sampleRate), 8); // sample period, ns
  b.writeUInt32LE(60, 12); // MIDI unity note
  b.writeUInt32LE(0, 16); // pitch fraction
  b.writeUInt32LE(0, 20); // SMPTE format
  b.writeUInt32LE(0, 24); // SMPTE offset
  b.writeUInt32LE(1, 28); // loops
  b.writeUInt32LE(0, 32); // sampler data
  b.writeUInt32LE(0, 36); // cue point id
  b.writeUInt32LE(0, 40); // type: forward
  b.writeUInt32LE(loop.startFrame, 44);
  b.writeUInt32LE(loop.startFrame + loop.lengthFrames - 1, 48);
  b.writeUInt32LE(0, 52); // fraction
  b.writeUInt32LE(0, 56); // play count: forever
  return b;
}

function wavSampleRate(chunks: Chunk[]): number {
  const fmt = chunks.find((c) => c.id === 'fmt ');
  if (!fmt || fmt.data.length < 16) throw new ContainerError('the WAV file has no format chunk');
  return fmt.data.readUInt32LE(4);
}

/** Chunks with `extra` placed just before `data` (metadata first, as a streaming reader wants it). */
function beforeData(chunks: Chunk[], extra: Chunk): Chunk[] {
  const i = chunks.findIndex((c) => c.id === 'data');
  return i < 0 ? [...chunks, extra] : [...chunks.slice(0, i), extra, ...chunks.slice(i)];
}

// ---------------------------------------------------------------- MP3 (ID3v2.3)

const syncsafe = (n: number) => Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);

function id3Frames(file: Buffer): { frames: Chunk[]; tagEnd: number; version: number } {
  if (file.toString('latin1', 0, 3) !== 'ID3') return { frames: [], tagEnd: 0, version: 3 };
  const version = file[3]!;
  if (version !== 3 && version !== 4) throw new ContainerError(`ID3v2.${version} tags are not supported`);
  if (file[5]! & 0xc0) throw new ContainerError('ID3 tags with unsynchronisation or an extended header are not supported');
  const size = ((file[6]! & 0x7f) << 21) | ((file[7]! & 0x7f) << 14) | ((file[8]! & 0x7f) << 7) | (file[9]! & 0x7f);
  const tagEnd = 10 + size;
  if (tagEnd > file.length) throw new ContainerError('the ID3 tag runs past the end of the file');
  const frames: Chunk[] = [];
  for (let at = 10; at + 10 <= tagEnd && file[at] !== 0; ) {
    const n = version === 4 ? ((file[at + 4]! & 0x7f) << 21) | ((file[at + 5]! & 0x7f) << 14) | ((file[at + 6]! & 0x7f) << 7) | (file[at + 7]! & 0x7f) : file.readUInt32BE(at + 4);
    if (at + 10 + n > tagEnd) throw new ContainerError('an ID3 frame runs past the end of its tag');
    frames.push({ id: file.toString('latin1', at, at + 4), data: file.subarray(at, at + 10 + n) });
    at += 10 + n;
  }
  return { frames, tagEnd, version };
}

const TXXX_DESCRIPTION = Buffer.from(`${MANIFEST_TAG}\0`, 'latin1');

function isOurTxxx(frame: Chunk): boolean {
  return frame.id === 'TXXX' && frame.data[10] === 0 && frame.data.subarray(11, 11 + TXXX_DESCRIPTION.length).equals(TXXX_DESCRIPTION);
}

// ---------------------------------------------------------------- MIDI

function varInt(value: number): Buffer {
  const groups = [value & 0x7f];
  for (let rest = value >>> 7; rest; rest >>>= 7) groups.unshift((rest & 0x7f) | 0x80);
  return Buffer.from(groups);
}

const MIDI_PREFIX = `${MANIFEST_TAG} `;

/** Where the first track's events start (after MThd and the first MTrk header). */
function midiFirstTrack(file: Buffer): { lengthAt: number; eventsAt: number } {
  if (file.length < 22 || file.toString('latin1', 0, 4) !== 'MThd') throw new ContainerError('not a MIDI file');
  const headerEnd = 8 + file.readUInt32BE(4);
  if (file.toString('latin1', headerEnd, headerEnd + 4) !== 'MTrk') throw new ContainerError('the MIDI file has no first track');
  return { lengthAt: headerEnd + 4, eventsAt: headerEnd + 8 };
}

// ---------------------------------------------------------------- PNG

const PNG_SIGNATURE = 8;

/** PNG chunks (at: where the chunk's length field is), bounds-checked; with `checkCrc` every CRC too. */
function pngChunks(file: Buffer, checkCrc = false): { at: number; type: string; length: number }[] {
  const chunks: { at: number; type: string; length: number }[] = [];
  for (let at = PNG_SIGNATURE; at < file.length; ) {
    if (at + 12 > file.length) throw new ContainerError('the PNG file is truncated (in a chunk header)');
    const length = file.readUInt32BE(at);
    const type = file.toString('latin1', at + 4, at + 8);
    if (at + 12 + length > file.length) throw new ContainerError(`the PNG file is truncated (its ${type} chunk is cut off)`);
    if (checkCrc && crc32(file.subarray(at + 4, at + 8 + length)) !== file.readUInt32BE(at + 8 + length)) throw new ContainerError(`the PNG ${type} chunk fails its checksum`);
    chunks.push({ at, type, length });
    at += 12 + length;
    if (type === 'IEND' && at !== file.length) throw new ContainerError('the PNG file has bytes after its end');
  }
  return chunks;
}

// ---------------------------------------------------------------- public

/** Put the envelope text into the file's tags (replacing any there); returns where the text lies. */
export function embedEnvelope(kind: FileKind, file: Uint8Array, envelope: string): Embedded {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const text = Buffer.from(envelope, 'latin1');
  switch (kind) {
    case 'ogg': {
      const key = `${MANIFEST_TAG}=`;
      const out = rewriteOggTags(bytes, (comments) => [...withoutKeys(comments, [MANIFEST_TAG]), `${key}${envelope}`]);
      const start = out.bytes.indexOf(`${key}{`, out.packetAt, 'latin1') + key.length;
      return { bytes: out.bytes, start, end: start + text.length };
    }
    case 'wav': {
      const chunks = wavChunks(bytes);
      const listIndex = chunks.findIndex((c) => c.id === 'LIST' && infoFields(c.data));
      const fields = listIndex >= 0 ? infoFields(chunks[listIndex]!.data)!.filter((f) => f.id !== 'ISBJ') : [];
      const list: Chunk = { id: 'LIST', data: infoChunk([...fields, { id: 'ISBJ', data: Buffer.concat([text, Buffer.alloc(1)]) }]) };
      const rest = chunks.filter((_, i) => i !== listIndex);
      const out = writeWav(beforeData(rest, list));
      const start = out.indexOf(Buffer.concat([Buffer.from('ISBJ', 'latin1'), u32le(text.length + 1)])) + 8;
      return { bytes: out, start, end: start + text.length };
    }
    case 'mp3': {
      const { frames, tagEnd } = id3Frames(bytes);
      const value = Buffer.concat([Buffer.from([0]), TXXX_DESCRIPTION, text]);
      const head = Buffer.alloc(10);
      head.write('TXXX', 0, 'latin1');
      head.writeUInt32BE(value.length, 4);
      const kept = frames.filter((f) => !isOurTxxx(f)).map((f) => f.data);
      const body = Buffer.concat([...kept, head, value]);
      const tagHeader = Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([3, 0, 0]), syncsafe(body.length)]);
      const out = Buffer.concat([tagHeader, body, bytes.subarray(tagEnd)]);
      const start = 10 + body.length - text.length;
      return { bytes: out, start, end: start + text.length };
    }
    case 'png': {
      // A tEXt chunk (keyword, NUL, Latin-1 text) just before IEND, replacing one of ours.
      const chunks = pngChunks(bytes);
      const keyword = Buffer.from(`${MANIFEST_TAG}\0`, 'latin1');
      const ours = chunks.find((c) => c.type === 'tEXt' && bytes.subarray(c.at + 8, c.at + 8 + keyword.length).equals(keyword));
      const kept = ours ? Buffer.concat([bytes.subarray(0, ours.at), bytes.subarray(ours.at + 12 + ours.length)]) : bytes;
      const iend = pngChunks(kept).find((c) => c.type === 'IEND');
      if (!iend) throw new ContainerError('the PNG file has no IEND chunk');
      const data = Buffer.concat([Buffer.from('tEXt', 'latin1'), keyword, text]);
      const chunk = Buffer.alloc(12 + data.length - 4);
      chunk.writeUInt32BE(data.length - 4, 0);
      data.copy(chunk, 4);
      chunk.writeUInt32BE(crc32(data), 4 + data.length);
      const out = Buffer.concat([kept.subarray(0, iend.at), chunk, kept.subarray(iend.at)]);
      const start = iend.at + 8 + keyword.length;
      return { bytes: out, start, end: start + text.length };
    }
    case 'midi': {
      const { lengthAt, eventsAt } = midiFirstTrack(bytes);
      const stripped = stripMidiEnvelope(bytes) ?? bytes;
      const payload = Buffer.concat([Buffer.from(MIDI_PREFIX, 'latin1'), text]);
      const event = Buffer.concat([Buffer.from([0, 0xff, 0x01]), varInt(payload.length), payload]);
      const out = Buffer.concat([stripped.subarray(0, eventsAt), event, stripped.subarray(eventsAt)]);
      out.writeUInt32BE(stripped.readUInt32BE(lengthAt) + event.length, lengthAt);
      const start = eventsAt + event.length - text.length;
      return { bytes: out, start, end: start + text.length };
    }
  }
}

/** Write `envelope` over the placeholder at [start, end) (same length); Ogg gets the page's CRC redone. */
export function replaceEnvelope(kind: FileKind, embedded: Embedded, envelope: string): Buffer {
  const text = Buffer.from(envelope, 'latin1');
  if (text.length !== embedded.end - embedded.start) throw new Error('the signed envelope changed length');
  const out = Buffer.from(embedded.bytes);
  text.copy(out, embedded.start);
  if (kind === 'ogg') {
    const page = oggPages(out).find((p) => p.at <= embedded.start && embedded.start < p.end)!;
    out.writeUInt32LE(0, page.at + 22);
    out.writeUInt32LE(oggCrc(out.subarray(page.at, page.end)), page.at + 22);
  }
  if (kind === 'png') {
    const chunk = pngChunks(out).find((c) => c.at <= embedded.start && embedded.start < c.at + 12 + c.length)!;
    out.writeUInt32BE(crc32(out.subarray(chunk.at + 4, chunk.at + 8 + chunk.length)), chunk.at + 8 + chunk.length);
  }
  return out;
}

/** The MIDI file as scoreToMidi wrote it: the manifest event taken out again; null when there is none. */
export function stripMidiEnvelope(file: Uint8Array): Buffer | null {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const { lengthAt, eventsAt } = midiFirstTrack(bytes);
  if (bytes[eventsAt] !== 0 || bytes[eventsAt + 1] !== 0xff || bytes[eventsAt + 2] !== 0x01) return null;
  let length = 0;
  let at = eventsAt + 3;
  for (let i = 0; i < 4; i++) {
    const b = bytes[at++];
    if (b === undefined) return null;
    length = length * 128 + (b & 0x7f);
    if (!(b & 0x80)) break;
  }
  if (bytes.toString('latin1', at, at + MIDI_PREFIX.length) !== MIDI_PREFIX || at + length > bytes.length) return null;
  const eventLength = at + length - eventsAt;
  const out = Buffer.concat([bytes.subarray(0, eventsAt), bytes.subarray(eventsAt + eventLength)]);
  out.writeUInt32BE(bytes.readUInt32BE(lengthAt) - eventLength, lengthAt);
  return out;
}

/** Where an envelope's text lies in a file, found by its shape alone (so a damaged container is still read). */
export function findEnvelope(file: Uint8Array): { text: string; start: number; end: number } | null {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const start = bytes.indexOf('{"manifest":{', 0, 'latin1');
  if (start < 0) return null;
  const sigAt = bytes.indexOf('"sig":"', start, 'latin1');
  if (sigAt < 0) return null;
  const end = bytes.indexOf('"}', sigAt + 7, 'latin1');
  if (end < 0 || end - start > 64 * 1024) return null;
  return { text: bytes.toString('latin1', start, end + 2), start, end: end + 2 };
}

/**
 * The SHA-256 an audio file's manifest records: every byte except the envelope text at
 * [start, end), and for Ogg the CRC of the page holding it (set to zero).
 */
export function audioDigest(kind: AudioFormat | 'png', file: Uint8Array, start: number, end: number): string {
  const bytes = Buffer.from(file);
  if (kind === 'png') {
    // The tEXt chunk's CRC follows the envelope (it changes with the envelope).
    if (end + 4 <= bytes.length) bytes.writeUInt32BE(0, end);
  }
  if (kind === 'ogg') {
    // The page holding the envelope starts at the last capture pattern before it.
    const pageAt = bytes.lastIndexOf('OggS', start, 'latin1');
    if (pageAt >= 0 && pageAt + 26 <= bytes.length) bytes.writeUInt32LE(0, pageAt + 22);
  }
  return sha256(bytes.subarray(0, start), bytes.subarray(end));
}

/** Add loop points (Ogg comments, WAV smpl chunk); other formats have no standard place and are returned as they are. */
export function addLoopPoints(kind: AudioFormat, file: Uint8Array, loop: LoopPoints): Buffer {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (kind === 'ogg') {
    return rewriteOggTags(bytes, (comments) => [...withoutKeys(comments, ['LOOPSTART', 'LOOPLENGTH']), `LOOPSTART=${loop.startFrame}`, `LOOPLENGTH=${loop.lengthFrames}`]).bytes;
  }
  if (kind === 'wav') {
    const chunks = wavChunks(bytes).filter((c) => c.id !== 'smpl');
    return writeWav(beforeData(chunks, { id: 'smpl', data: smplChunk(loop, wavSampleRate(chunks)) }));
  }
  return bytes;
}

/** Loop points as stored by addLoopPoints, or null. */
export function readLoopPoints(kind: AudioFormat, file: Uint8Array): LoopPoints | null {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (kind === 'ogg') {
    const page = oggPages(bytes)[1];
    if (!page) return null;
    const segments = bytes[page.at + 26]!;
    const { comments } = parseOpusTags(bytes.subarray(page.at + 27 + segments, page.end));
    const value = (k: string) => comments.find((c) => c.toUpperCase().startsWith(`${k}=`))?.slice(k.length + 1);
    const start = value('LOOPSTART');
    const length = value('LOOPLENGTH');
    return start !== undefined && length !== undefined ? { startFrame: Number(start), lengthFrames: Number(length) } : null;
  }
  if (kind === 'wav') {
    const smpl = wavChunks(bytes).find((c) => c.id === 'smpl');
    if (!smpl || smpl.data.readUInt32LE(28) < 1) return null;
    const start = smpl.data.readUInt32LE(44);
    return { startFrame: start, lengthFrames: smpl.data.readUInt32LE(48) - start + 1 };
  }
  return null;
}

/** Structural integrity beyond the hash: every Ogg page's CRC; WAV chunk sizes tiling the file. */
export function checkStructure(kind: AudioFormat | 'png', file: Uint8Array): void {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (kind === 'png') pngChunks(bytes, true);
  if (kind === 'ogg') oggPages(bytes, true);
  if (kind === 'wav') {
    wavChunks(bytes);
    if (bytes.readUInt32LE(4) !== bytes.length - 8) throw new ContainerError('the WAV file\'s RIFF size does not match its length');
  }
  if (kind === 'mp3') id3Frames(bytes);
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

/** The samples of a WAV file (its data chunk), as written. */
export function wavData(file: Uint8Array): Buffer {
  const data = wavChunks(Buffer.from(file.buffer, file.byteOffset, file.byteLength)).find((c) => c.id === 'data');
  if (!data) throw new ContainerError('the WAV file has no data chunk');
  return data.data;
}
