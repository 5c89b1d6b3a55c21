/**
 * request → plan: key, meter, tempo, exact timing, form, harmony and instrumentation.
 * Pure: the same request (seed included) always gives the same plan.
 */
import { StyleCatalog, type Energy, type Mood, type Style, type StyleInstrumentation } from '../catalog/index.ts';
import { isBassProgram, isPadProgram } from '../catalog/instruments.ts';
import { isMinorish } from '../keys.ts';
import type { CompositionRequest } from '../request.ts';
import type { Rng } from '../rng.ts';
import { PPQ, secondsToTicks, ticksPerBar, ticksPerBeat, type KeySignature, type Meter } from '../score.ts';
import { planForm, type PlannedSection } from './form.ts';
import { dominantChord, resolveNumeral, tonicChord, type PlannedChord } from './harmony.ts';
import { planTiming, type Timing } from './timing.ts';

export interface ChordEvent extends PlannedChord {
  startTick: number;
  endTick: number;
  /** Index of the section this chord belongs to ('ending' = sections.length). */
  section: number;
}

export interface Plan {
  request: CompositionRequest;
  style: Style;
  mood: Mood;
  energy: Energy;
  key: KeySignature;
  meter: Meter;
  timing: Timing;
  bpm: number;
  barTicks: number;
  beatTicks: number;
  sections: PlannedSection[];
  chords: ChordEvent[];
  instruments: StyleInstrumentation;
  /** Tick of the final tonic chord's downbeat (= loop length for loops). */
  finalTick: number;
  /** Tick where the final chord's notes stop (non-loop); equals finalTick for loops. */
  finalOffTick: number;
  /** Length of the whole piece in ticks (the requested duration exactly). */
  totalTicks: number;
  /** Human-readable notes about choices the plan made (tempo nudges etc.). */
  notes: string[];
}

const MAJOR_TONICS = ['C', 'D', 'Eb', 'E', 'F', 'G', 'A', 'Bb'];
const MINOR_TONICS = ['A', 'B', 'C', 'D', 'E', 'F#', 'G'];

function parseMeter(text: string): Meter {
  const [n, d] = text.split('/').map(Number);
  return { numerator: n ?? 4, denominator: d ?? 4 };
}

function chooseKey(request: CompositionRequest, style: Style, mood: Mood, rng: Rng): KeySignature {
  if (request.key) return request.key;
  const mode = mood.modes.find((m) => style.modes.includes(m)) ?? style.modes[0] ?? 'major';
  const tonic = rng.pick(isMinorish(mode) ? MINOR_TONICS : MAJOR_TONICS);
  return { tonic, mode };
}

function chooseTempo(request: CompositionRequest, style: Style, mood: Mood, energy: Energy, rng: Rng): number {
  if (request.tempo !== null) return request.tempo;
  const { min, max } = style.tempo;
  const energyShift = energy === 'high' ? 0.15 : energy === 'low' ? -0.15 : 0;
  const position = Math.min(1, Math.max(0, mood.tempoPosition + energyShift + rng.float(-0.08, 0.08)));
  return Math.round(min + position * (max - min));
}

/** The style's instruments, with the user's instruments assigned to roles. */
export function chooseInstruments(style: Style, requested: CompositionRequest['instruments']): StyleInstrumentation {
  const out: StyleInstrumentation = { ...style.instruments };
  const melodic = requested.filter((i) => !isBassProgram(i.program));
  for (const inst of requested) if (isBassProgram(inst.program)) out.bass = inst.program;
  const pads = melodic.filter((i) => isPadProgram(i.program));
  const others = melodic.filter((i) => !isPadProgram(i.program));
  const front = others.length ? others : pads;
  if (front[0]) out.lead = front[0].program;
  // One named instrument usually means "this is the sound I want": it plays the chords too.
  out.harmony = front[1]?.program ?? front[0]?.program ?? out.harmony;
  if (others.length && pads[0]) out.pad = pads[0].program;
  return out;
}

function chooseProgressions(style: Style, mood: Mood, key: KeySignature, rng: Rng): string[][] {
  const vocab = isMinorish(key.mode) ? style.progressions.minor : style.progressions.major;
  const favoured = vocab.filter((p) => mood.favouredOpenings.includes(p[0] ?? ''));
  const verse = rng.pick(favoured.length ? favoured : vocab);
  const rest = vocab.filter((p) => p !== verse);
  const chorus = rest.length ? rng.pick(rest) : verse;
  const bridgePool = rest.filter((p) => p !== chorus);
  const bridge = bridgePool.length ? rng.pick(bridgePool) : chorus;
  return [verse, chorus, bridge];
}

/** Shaping a caller may ask for beyond the request: `cadenceTo`, the key the music goes on in after the piece (its last chord is that key's dominant). */
export interface PieceShape {
  cadenceTo?: KeySignature;
}

export function planPiece(request: CompositionRequest, rng: Rng, shape: PieceShape = {}): Plan {
  const style = StyleCatalog.style(request.style);
  const mood = StyleCatalog.mood(request.mood);
  const energy: Energy = request.energy ?? mood.energy;
  const key = chooseKey(request, style, mood, rng.fork('key'));
  const meter = parseMeter(request.meter ?? style.meters[0] ?? '4/4');
  const wantedBpm = chooseTempo(request, style, mood, energy, rng.fork('tempo'));
  const timing = planTiming({
    durationSec: request.durationSec,
    meter,
    bpm: wantedBpm,
    tempoFixed: request.tempo !== null,
    tempoRange: { min: Math.min(style.tempo.min, wantedBpm), max: Math.max(style.tempo.max, wantedBpm) },
    loop: request.loop,
  });
  const notes: string[] = [];
  if (timing.tempoAdjusted) notes.push(`tempo set to ${timing.bpm.toFixed(2)} bpm so ${timing.bars} bars loop in exactly ${request.durationSec} s`);

  const barTicks = ticksPerBar(meter);
  const beatTicks = ticksPerBeat(meter);
  const sections = planForm(timing.bars, request.loop, { forms: style.forms, rng: rng.fork('form') });
  const progressions = chooseProgressions(style, mood, key, rng.fork('progressions'));
  const chords = planChords({ sections, progressions, style, key, barTicks, loop: request.loop, cadenceTo: shape.cadenceTo });

  const finalTick = timing.bars * barTicks;
  const totalTicks = request.loop ? finalTick : secondsToTicks(request.durationSec, timing.bpm);
  const finalOffTick = request.loop ? finalTick : finalTick + secondsToTicks(timing.finalHoldSec, timing.bpm);
  if (!request.loop) {
    chords.push({ ...tonicChord(key), startTick: finalTick, endTick: finalOffTick, section: sections.length });
  }
  return {
    request,
    style,
    mood,
    energy,
    key,
    meter,
    timing,
    bpm: timing.bpm,
    barTicks,
    beatTicks,
    sections,
    chords,
    instruments: { ...chooseInstruments(style, request.instruments), ...(request.drums !== undefined ? { drums: request.drums } : {}) },
    finalTick,
    finalOffTick,
    totalTicks,
    notes,
  };
}

/** Lay each section's progression over its bars; cadence into the ending (or back to the top). */
function planChords(opts: {
  sections: PlannedSection[];
  progressions: string[][];
  style: Style;
  key: KeySignature;
  barTicks: number;
  loop: boolean;
  cadenceTo?: KeySignature | undefined;
}): ChordEvent[] {
  const { sections, progressions, style, key, barTicks } = opts;
  const chords: ChordEvent[] = [];
  const span = Math.max(1, style.harmonicRhythm) * barTicks;
  const step = style.harmonicRhythm < 1 ? barTicks * style.harmonicRhythm : span;
  sections.forEach((section, index) => {
    const numerals = progressions[section.progression] ?? progressions[0]!;
    const start = section.startBar * barTicks;
    const end = (section.startBar + section.bars) * barTicks;
    let i = 0;
    for (let tick = start; tick < end; tick += step, i++) {
      const numeral = numerals[i % numerals.length]!;
      const chord = resolveNumeral(numeral, key, style.chordFlavor, style.diatonic);
      chords.push({ ...chord, startTick: tick, endTick: Math.min(end, tick + step), section: index });
    }
  });
  // Cadence: the last chord before the ending (or the loop point) is the dominant, so the
  // final tonic — or the loop's first bar — arrives as a resolution.
  const last = chords[chords.length - 1];
  // Going on in another key (the radio's planned modulation): end on its dominant, which prepares the next key's first chord.
  if (last && opts.cadenceTo) chords[chords.length - 1] = { ...last, ...dominantChord(opts.cadenceTo, style.chordFlavor, style.diatonic) };
  else if (last && chords.length >= 2) {
    const dominant = dominantChord(key, style.chordFlavor, style.diatonic);
    const firstIsTonic = chords[0]!.rootPc === tonicChord(key).rootPc;
    if (!opts.loop || firstIsTonic) chords[chords.length - 1] = { ...last, ...dominant };
  }
  return chords;
}

export { PPQ };
