/**
 * A bounded Standard MIDI File reader: the only place a MIDI file from outside (a Discord
 * attachment, a file given to `npm run verify`) is parsed.
 *
 * Why not @tonejs/midi's parser: it takes any file as given. Measured on files a stranger could
 * post, it hangs or blows up: a division of 0 or an SMPTE division, a tempo of 1 µs per quarter,
 * 20,000+ tracks, hundreds of thousands of notes (it matches note-offs with `shift()` and
 * `findIndex` + `splice` over the whole track: quadratic in the notes). Here the work is bounded
 * by size BEFORE anything is parsed (bytes, the header's track count, its division), every event
 * costs O(1) (note-offs matched through a FIFO per channel and pitch), and the number of events,
 * notes and tracks is capped while reading. Every refusal is one sentence a person can act on.
 *
 * What it returns is what the rest of Tunesmith reads from a MIDI file, with @tonejs/midi's
 * meanings (so `midiToScore` reads the same score from our own files as before): the first
 * track's name, tempos and time signatures (from every track), its text, marker, cue and lyric events, and per track
 * its name, channel (of its notes), first program, notes (note-on matched to the first later
 * note-off of the same pitch, in order), control changes and end tick. A format-1 file's first
 * track is dropped when it has no notes, as @tonejs/midi does.
 */

/** Refused or unreadable: said in words a person can act on. */
export class MidiReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MidiReadError';
  }
}

export interface MidiLimits {
  maxBytes: number;
  maxTracks: number;
  /** Channel and meta events in the whole file. */
  maxEvents: number;
  maxNotes: number;
  /** Tempo bounds in microseconds per quarter note (1 µs is 60,000,000 bpm). */
  minMicrosPerQuarter: number;
  maxMicrosPerQuarter: number;
  /** Longest allowed file in seconds at its own tempo map. */
  maxSeconds: number;
}

/**
 * Room for everything Tunesmith writes (a 300 s piece at 240 bpm: ~30,000 notes in ~250 KB, 8
 * tracks, tempo 40–240 bpm) with a wide margin, and no room for what hangs a parser.
 */
export const DEFAULT_MIDI_LIMITS: MidiLimits = {
  maxBytes: 4 * 1024 * 1024,
  maxTracks: 64,
  maxEvents: 400_000,
  maxNotes: 100_000,
  minMicrosPerQuarter: 60_000, // 1000 bpm
  maxMicrosPerQuarter: 6_000_000, // 10 bpm
  maxSeconds: 3600,
};

export interface MidiNote {
  midi: number;
  ticks: number;
  durationTicks: number;
  /** 0–1 as @tonejs/midi gives it (velocity byte / 127). */
  velocity: number;
}

export interface MidiCC {
  number: number;
  ticks: number;
  /** 0–1 (value byte / 127). */
  value: number;
}

export interface MidiTrack {
  name: string;
  channel: number;
  /** The first program change, 0 if none. */
  program: number;
  notes: MidiNote[];
  controlChanges: Record<number, MidiCC[]>;
  endOfTrackTicks: number;
}

export interface MidiMeta {
  type: 'text' | 'copyrightNotice' | 'trackName' | 'instrumentName' | 'lyrics' | 'marker' | 'cuePoint';
  ticks: number;
  text: string;
}

export interface MidiFile {
  format: number;
  ppq: number;
  name: string;
  tempos: { ticks: number; bpm: number }[];
  timeSignatures: { ticks: number; timeSignature: [number, number] }[];
  meta: MidiMeta[];
  tracks: MidiTrack[];
}

/** The text-like events @tonejs/midi keeps in its header: those of the first track. */
const HEADER_META = new Set<MidiMeta['type']>(['text', 'cuePoint', 'marker', 'lyrics']);
const META_TYPES: Record<number, MidiMeta['type']> = { 1: 'text', 2: 'copyrightNotice', 3: 'trackName', 4: 'instrumentName', 5: 'lyrics', 6: 'marker', 7: 'cuePoint' };

/** The checks that need only the first 14 bytes: run before any parsing. */
export function checkMidiHeader(bytes: Uint8Array, limits: MidiLimits = DEFAULT_MIDI_LIMITS): { format: number; tracks: number; ppq: number } {
  if (bytes.length > limits.maxBytes) throw new MidiReadError(`The MIDI file is too large (${kib(bytes.length)}; at most ${kib(limits.maxBytes)} is read).`);
  if (bytes.length < 14 || ascii(bytes, 0, 4) !== 'MThd') throw new MidiReadError('This is not a MIDI file (it does not start with a MIDI header).');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(4);
  if (headerLength < 6 || 8 + headerLength > bytes.length) throw new MidiReadError('The MIDI file is damaged (its header has the wrong length).');
  const format = view.getUint16(8);
  const tracks = view.getUint16(10);
  const division = view.getUint16(12);
  if (format > 2) throw new MidiReadError(`The MIDI file has format ${format}; only formats 0, 1 and 2 exist.`);
  if (division & 0x8000) throw new MidiReadError('The MIDI file counts time in SMPTE frames; only files timed in ticks per quarter note are read.');
  if (division === 0) throw new MidiReadError('The MIDI file says 0 ticks per quarter note, which has no meaning.');
  if (tracks === 0) throw new MidiReadError('The MIDI file has no tracks.');
  if (tracks > limits.maxTracks) throw new MidiReadError(`The MIDI file declares ${tracks} tracks; at most ${limits.maxTracks} are read.`);
  // Every track needs at least its 8-byte chunk header and an end-of-track event.
  if (8 + headerLength + tracks * 12 > bytes.length) throw new MidiReadError(`The MIDI file declares ${tracks} tracks but is too short to hold them (truncated?).`);
  return { format, tracks, ppq: division };
}

/** Parse a MIDI file within `limits`; throws MidiReadError on anything refused or unreadable. */
export function readMidi(bytes: Uint8Array, limits: MidiLimits = DEFAULT_MIDI_LIMITS): MidiFile {
  const header = checkMidiHeader(bytes, limits);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: MidiFile = { format: header.format, ppq: header.ppq, name: '', tempos: [], timeSignatures: [], meta: [], tracks: [] };
  const budget = { events: 0, notes: 0 };
  let at = 8 + view.getUint32(4);
  const rawTracks: MidiTrack[] = [];
  for (let t = 0; t < header.tracks; t++) {
    if (at + 8 > bytes.length) throw new MidiReadError(`The MIDI file ends before track ${t + 1} of ${header.tracks} (truncated?).`);
    const id = ascii(bytes, at, 4);
    const length = view.getUint32(at + 4);
    const start = at + 8;
    const end = start + length;
    if (end > bytes.length) throw new MidiReadError(`Track ${t + 1} of the MIDI file runs past the end of the file (truncated?).`);
    if (id !== 'MTrk') {
      // Unknown chunks are skipped, as the standard says; they still count against the track limit.
      t--;
      at = end;
      if (++budget.events > limits.maxEvents) throw new MidiReadError('The MIDI file has too many chunks.');
      continue;
    }
    rawTracks.push(readTrack(bytes, start, end, t, out, budget, limits));
    at = end;
  }
  out.tempos.sort((a, b) => a.ticks - b.ticks);
  out.timeSignatures.sort((a, b) => a.ticks - b.ticks);
  out.meta.sort((a, b) => a.ticks - b.ticks);
  checkLength(out, rawTracks, limits);
  out.tracks = header.format === 1 && rawTracks[0] && rawTracks[0].notes.length === 0 ? rawTracks.slice(1) : rawTracks;
  return out;
}

function readTrack(bytes: Uint8Array, start: number, end: number, index: number, out: MidiFile, budget: { events: number; notes: number }, limits: MidiLimits): MidiTrack {
  const track: MidiTrack = { name: '', channel: 0, program: 0, notes: [], controlChanges: {}, endOfTrackTicks: 0 };
  let sawProgram = false;
  let sawName = false;
  let tick = 0;
  let status = 0;
  let p = start;
  /** Pending note-ons per channel × 128 + pitch: FIFO of note indices (first on is matched first). */
  const pending = new Map<number, number[]>();
  const heads = new Map<number, number>();
  const damaged = () => new MidiReadError(`Track ${index + 1} of the MIDI file is damaged (an event runs past its end).`);
  const varInt = (): number => {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      if (p >= end) throw damaged();
      const b = bytes[p++]!;
      value = value * 128 + (b & 0x7f);
      if (!(b & 0x80)) return value;
    }
    throw new MidiReadError(`Track ${index + 1} of the MIDI file is damaged (a number longer than four bytes).`);
  };
  const byte = (): number => {
    if (p >= end) throw damaged();
    return bytes[p++]!;
  };
  while (p < end) {
    if (++budget.events > limits.maxEvents) throw new MidiReadError(`The MIDI file has more than ${limits.maxEvents.toLocaleString('en')} events; at most that many are read.`);
    tick += varInt();
    let b = byte();
    if (b === 0xff) {
      const type = byte();
      const length = varInt();
      if (p + length > end) throw damaged();
      const body = bytes.subarray(p, p + length);
      p += length;
      const metaType = META_TYPES[type];
      if (metaType) {
        const text = latin1(body);
        if (metaType === 'trackName') {
          if (!sawName) track.name = text;
          sawName = true;
          if (index === 0) out.name = text;
        } else if (index === 0 && HEADER_META.has(metaType)) out.meta.push({ type: metaType, ticks: tick, text });
      } else if (type === 0x51) {
        if (length !== 3) throw new MidiReadError(`Track ${index + 1} of the MIDI file has a damaged tempo event.`);
        const micros = (body[0]! << 16) | (body[1]! << 8) | body[2]!;
        if (micros < limits.minMicrosPerQuarter || micros > limits.maxMicrosPerQuarter) {
          throw new MidiReadError(
            `The MIDI file sets a tempo of ${micros} µs per quarter note (${bpmText(micros)} bpm); tempos from ${bpmText(limits.maxMicrosPerQuarter)} to ${bpmText(limits.minMicrosPerQuarter)} bpm are read.`,
          );
        }
        out.tempos.push({ ticks: tick, bpm: 60_000_000 / micros });
      } else if (type === 0x58) {
        if (length < 2) throw new MidiReadError(`Track ${index + 1} of the MIDI file has a damaged time signature.`);
        out.timeSignatures.push({ ticks: tick, timeSignature: [body[0]!, 2 ** Math.min(body[1]!, 6)] });
      } else if (type === 0x2f) {
        track.endOfTrackTicks = tick;
        break;
      }
      continue;
    }
    if (b === 0xf0 || b === 0xf7) {
      const length = varInt();
      if (p + length > end) throw damaged();
      p += length;
      continue;
    }
    let first: number;
    if (b & 0x80) {
      status = b;
      first = byte();
    } else {
      if (!status) throw new MidiReadError(`Track ${index + 1} of the MIDI file is damaged (data with no status byte).`);
      first = b;
      b = status;
    }
    const kind = b & 0xf0;
    const channel = b & 0x0f;
    if (kind === 0xc0 || kind === 0xd0) {
      if (kind === 0xc0 && !sawProgram) {
        track.program = first & 0x7f;
        sawProgram = true;
      }
      continue;
    }
    const second = byte();
    if (kind === 0x90 && second > 0) {
      if (++budget.notes > limits.maxNotes) throw new MidiReadError(`The MIDI file has more than ${limits.maxNotes.toLocaleString('en')} notes; at most that many are read.`);
      track.channel = channel;
      const key = channel * 128 + first;
      const note: MidiNote = { midi: first, ticks: tick, durationTicks: -1, velocity: second / 127 };
      track.notes.push(note);
      let queue = pending.get(key);
      if (!queue) pending.set(key, (queue = []));
      queue.push(track.notes.length - 1);
    } else if (kind === 0x80 || kind === 0x90) {
      const key = channel * 128 + first;
      const queue = pending.get(key);
      const head = heads.get(key) ?? 0;
      if (queue && head < queue.length) {
        const note = track.notes[queue[head]!]!;
        note.durationTicks = tick - note.ticks;
        heads.set(key, head + 1);
      }
    } else if (kind === 0xb0) {
      (track.controlChanges[first] ??= []).push({ number: first, ticks: tick, value: second / 127 });
    }
  }
  // Notes never switched off are dropped, as @tonejs/midi drops them.
  track.notes = track.notes.filter((n) => n.durationTicks >= 0);
  track.notes.sort((a, b) => a.ticks - b.ticks); // stable: already in order, O(n)
  return track;
}

/** The file's length in seconds at its tempo map, bounded (a sane tempo with absurd tick counts is still absurd). */
function checkLength(file: MidiFile, tracks: MidiTrack[], limits: MidiLimits): void {
  const lastTick = Math.max(0, ...tracks.map((t) => Math.max(t.endOfTrackTicks, t.notes.at(-1) ? t.notes.at(-1)!.ticks + t.notes.at(-1)!.durationTicks : 0)));
  let seconds = 0;
  let from = 0;
  let bpm = 120;
  for (const tempo of file.tempos) {
    if (tempo.ticks >= lastTick) break;
    seconds += ((tempo.ticks - from) / file.ppq) * (60 / bpm);
    from = tempo.ticks;
    bpm = tempo.bpm;
  }
  seconds += ((lastTick - from) / file.ppq) * (60 / bpm);
  if (seconds > limits.maxSeconds) throw new MidiReadError(`The MIDI file lasts ${Math.round(seconds)} s; at most ${limits.maxSeconds} s are read.`);
}

const ascii = (bytes: Uint8Array, at: number, n: number) => String.fromCharCode(...bytes.subarray(at, at + n));
const kib = (n: number) => (n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);
const bpmText = (micros: number) => String(Math.round((60_000_000 / micros) * 100) / 100);

/** One character per byte, as midi-file reads text. */
function latin1(body: Uint8Array): string {
  let s = '';
  for (let i = 0; i < body.length; i += 8192) s += String.fromCharCode(...body.subarray(i, i + 8192));
  return s;
}
