/**
 * The radio's musical planning (pure): the next section from the state of the radio and what the
 * room chose. A radio is a chain of sections of 15–30 s. Each one continues the one before:
 *  - `continue`: the same theme, its next bars (the theme composed longer with the same seed, as
 *    Extend does, and the next slice taken: see radioSection.ts);
 *  - `develop`: the same theme from its start with attributes moved: a planned modulation to a
 *    closely related key (dominant, subdominant, relative: they share all but one pitch class),
 *    a step of tempo drift, or what the room voted for;
 *  - `return`: an earlier theme comes back;
 *  - `new`: a new theme (a new seed) comes in.
 * A planned modulation is prepared: the planner looks one section ahead, and the section before
 * the change ends on the new key's dominant (SectionSpec.nextKey), so the first chord in the new
 * key comes as a resolution.
 * Tempos are kept to quarter notes lasting a whole number of 20 ms (bpm = 3000 / k), so every bar
 * line falls on an Opus packet boundary and sections join at sample-exact points.
 */
import { RADIO_CHOICE_IDS, RADIO_ENERGIES, RADIO_MOOD_NEAREST, RADIO_TEMPO_POSITION, RADIO_VALENCE_LADDER, type RadioChoice } from './catalog/radio.ts';
import { StyleCatalog, type Energy } from './catalog/index.ts';
import { isMinorish, tonicPitchClass } from './keys.ts';
import { barSeconds } from './plan/timing.ts';
import type { Meter } from './request.ts';
import { createRng, hashString } from './rng.ts';
import type { KeySignature } from './score.ts';

export { RADIO_CHOICE_IDS, type RadioChoice };

export const RADIO_SAMPLE_RATE = 48_000;
/** One Opus packet: 20 ms at 48 kHz. */
export const RADIO_PACKET_SAMPLES = 960;
/** Sections a theme runs for at most before it is developed, left or brought back. */
export const MAX_THEME_PARTS = 3;
/** Earlier themes remembered for returns. */
const MAX_THEMES = 6;
/** Fifths the key may wander from where the radio started. */
const MAX_FIFTHS_FROM_HOME = 2;

export type SectionKind = 'open' | 'continue' | 'develop' | 'return' | 'new';

export interface RadioState {
  style: string;
  mood: string;
  energy: Energy;
  key: KeySignature;
  /** The key the radio started in (modulations stay within reach of it). */
  home: KeySignature;
  /** A quarter note lasts beatUnits × 20 ms: bpm = 3000 / beatUnits. */
  beatUnits: number;
  meter: Meter;
  theme: { seed: number; part: number };
  /** Earlier themes' seeds, oldest first. */
  themes: number[];
  /** The next section's index and where it starts in the stream (samples). */
  index: number;
  startSample: number;
  /** Target length of a section in seconds (15–30). */
  sectionSec: number;
  /** The radio's own seed for its decisions. */
  seed: number;
}

export interface SectionSpec {
  index: number;
  kind: SectionKind;
  style: string;
  mood: string;
  energy: Energy;
  key: KeySignature;
  bpm: number;
  beatUnits: number;
  meter: Meter;
  bars: number;
  startSample: number;
  lengthSamples: number;
  themeSeed: number;
  themePart: number;
  /**
   * The key the next section is planned in, when it modulates: this section ends on that key's
   * dominant, so the next one's first chord arrives prepared. A room's choice is not planned:
   * the section before it is rendered already.
   */
  nextKey?: KeySignature;
  /** What changed and why, in words (for the panel and logs). */
  note: string;
}

export interface RadioStart {
  style: string;
  mood: string;
  energy?: Energy;
  seed: number;
  sectionSec?: number;
}

const TONIC_NAMES = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'] as const;

export function bpmOf(beatUnits: number): number {
  return 3000 / beatUnits;
}

/** The beat units that keep a style inside its tempo range. */
function unitRange(style: string): { min: number; max: number } {
  const t = StyleCatalog.style(style).tempo;
  return { min: Math.ceil(3000 / t.max), max: Math.floor(3000 / t.min) };
}

/** Where the tempo aims for this style and energy (in beat units). */
export function targetUnits(style: string, energy: Energy): number {
  const t = StyleCatalog.style(style).tempo;
  const bpm = t.min + (t.max - t.min) * RADIO_TEMPO_POSITION[energy];
  const { min, max } = unitRange(style);
  return Math.min(max, Math.max(min, Math.round(3000 / bpm)));
}

function modeFor(mood: string, style: string): 'major' | 'minor' {
  const wanted = StyleCatalog.mood(mood).modes.find((m) => StyleCatalog.style(style).modes.includes(m)) ?? StyleCatalog.mood(mood).modes[0] ?? 'major';
  return isMinorish(wanted) ? 'minor' : 'major';
}

function keyAt(pc: number, mode: 'major' | 'minor'): KeySignature {
  return { tonic: TONIC_NAMES[((pc % 12) + 12) % 12]!, mode };
}

/** The same pitches in the other mode (relative major/minor): the gentlest change of mode. */
function relative(key: KeySignature, mode: 'major' | 'minor'): KeySignature {
  const isMinor = key.mode === 'minor';
  if ((mode === 'minor') === isMinor) return key;
  const pc = tonicPitchClass(key);
  return keyAt(mode === 'minor' ? pc + 9 : pc + 3, mode);
}

/** Position on the circle of fifths of the key's relative major (C = 0, G = 1, F = −1). */
function fifths(key: KeySignature): number {
  const majorPc = key.mode === 'minor' ? (tonicPitchClass(key) + 3) % 12 : tonicPitchClass(key);
  const f = (majorPc * 7) % 12;
  return f > 6 ? f - 12 : f;
}

/** Closely related keys reachable from `key`: dominant, subdominant, relative (all sharing six pitch classes or more). */
export function relatedKeys(key: KeySignature): KeySignature[] {
  const pc = tonicPitchClass(key);
  const mode = key.mode === 'minor' ? 'minor' : 'major';
  return [keyAt(pc + 7, mode), keyAt(pc + 5, mode), relative(key, mode === 'minor' ? 'major' : 'minor')];
}

function stepMood(mood: string, by: number): string {
  const onLadder = RADIO_VALENCE_LADDER.includes(mood) ? mood : (RADIO_MOOD_NEAREST[mood] ?? 'calm');
  const at = RADIO_VALENCE_LADDER.indexOf(onLadder);
  return RADIO_VALENCE_LADDER[Math.min(RADIO_VALENCE_LADDER.length - 1, Math.max(0, at + by))]!;
}

function stepEnergy(energy: Energy, by: number): Energy {
  const at = RADIO_ENERGIES.indexOf(energy);
  return RADIO_ENERGIES[Math.min(RADIO_ENERGIES.length - 1, Math.max(0, at + by))]!;
}

/** Whole bars (an even number: phrases) lasting at least `sec`, fewest that do. */
export function barsFor(sec: number, beatUnits: number, meter: Meter): number {
  const bar = barSeconds(bpmOf(beatUnits), parseMeter(meter));
  let bars = Math.max(2, Math.ceil(sec / bar - 1e-9));
  if (bars % 2) bars++;
  while (bars > 2 && bars * bar > 30) bars -= 2;
  return bars;
}

export function parseMeter(meter: Meter): { numerator: number; denominator: number } {
  const [n, d] = meter.split('/').map(Number);
  return { numerator: n!, denominator: d! };
}

/** Samples in one bar (a whole number of Opus packets by construction). */
export function barSamples(beatUnits: number, meter: Meter): number {
  const m = parseMeter(meter);
  return (m.numerator * 4 * beatUnits * RADIO_PACKET_SAMPLES) / m.denominator;
}

export function startRadio(start: RadioStart): RadioState {
  const style = StyleCatalog.style(start.style);
  const rng = createRng(hashString(`radio:${start.seed}`));
  const energy = start.energy ?? StyleCatalog.mood(start.mood).energy;
  const key = keyAt(rng.int(0, 11), modeFor(start.mood, start.style));
  return {
    style: style.id,
    mood: start.mood,
    energy,
    key,
    home: key,
    beatUnits: targetUnits(style.id, energy),
    meter: (style.meters[0] ?? '4/4') as Meter,
    theme: { seed: rng.int(1, 2 ** 31), part: -1 },
    themes: [],
    index: 0,
    startSample: 0,
    sectionSec: Math.min(30, Math.max(15, start.sectionSec ?? 16)),
    seed: start.seed >>> 0,
  };
}

/** The state after a restart: same settings and place, the next section opens a theme afresh (nothing before it to continue). */
export function resumeRadio(state: RadioState): RadioState {
  return { ...state, theme: { seed: state.theme.seed, part: -1 }, startSample: 0 };
}

/** Describe a move of a value ("82 → 86 bpm"). */
const moved = (what: string, from: string, to: string) => (from === to ? '' : `${what} ${from} → ${to}`);

/**
 * The next section and the state after it. `choice` is what the room voted for in the window(s)
 * that closed before this section (null or []: no vote, or a tie).
 */
export function nextSection(state: RadioState, choice: RadioChoice | readonly RadioChoice[] | null = null, lookAhead = true): { spec: SectionSpec; state: RadioState } {
  const chosen: readonly RadioChoice[] = choice === null ? [] : typeof choice === 'string' ? [choice] : choice;
  const rng = createRng(hashString(`${state.seed}:${state.index}`));
  let { mood, energy, key, beatUnits } = state;
  let theme = { ...state.theme };
  let themes = [...state.themes];
  let kind: SectionKind;
  const notes: string[] = [];
  const newTheme = () => {
    themes = [...themes.filter((s) => s !== theme.seed), theme.seed].slice(-MAX_THEMES);
    theme = { seed: rng.int(1, 2 ** 31), part: 0 };
  };
  const modulate = () => {
    const options = relatedKeys(key).filter((k) => Math.abs(fifths(k) - fifths(state.home)) <= MAX_FIFTHS_FROM_HOME && modeFor(mood, state.style) === k.mode);
    const all = options.length ? options : relatedKeys(key).filter((k) => Math.abs(fifths(k) - fifths(state.home)) <= MAX_FIFTHS_FROM_HOME);
    if (all.length) key = rng.pick(all);
  };

  if (theme.part < 0) {
    kind = 'open';
    theme = { seed: theme.seed, part: 0 };
  } else if (chosen.length) {
    // Every choice of the windows that closed before this section, in order: each moves one step.
    kind = 'develop';
    theme = { seed: theme.seed, part: 0 };
    let renewed = false;
    for (const c of chosen) {
      if (c === 'calmer' || c === 'energy') {
        const by = c === 'calmer' ? -1 : 1;
        // At the end of the energy scale the tempo still moves a step, so the choice is heard.
        energy = stepEnergy(energy, by);
        const { min, max } = unitRange(state.style);
        beatUnits = Math.min(max, Math.max(min, beatUnits - by * 2));
      } else if (c === 'happier' || c === 'darker') {
        mood = stepMood(mood, c === 'happier' ? 1 : -1);
        key = relative(key, modeFor(mood, state.style));
      } else {
        kind = 'new';
        if (!renewed) newTheme();
        renewed = true;
        if (c === 'skip') modulate();
      }
    }
  } else if (theme.part + 1 < MAX_THEME_PARTS) {
    kind = 'continue';
    theme = { seed: theme.seed, part: theme.part + 1 };
  } else {
    const r = rng.next();
    const earlier = themes.filter((s) => s !== theme.seed);
    if (earlier.length && r < 0.35) {
      kind = 'return';
      const back = rng.pick(earlier);
      themes = [...themes.filter((s) => s !== back), theme.seed].slice(-MAX_THEMES);
      theme = { seed: back, part: 0 };
    } else if (r < 0.7) {
      kind = 'develop';
      theme = { seed: theme.seed, part: 0 };
      modulate();
      // Planned tempo drift: one step towards where this energy sits in the style's range.
      const aim = targetUnits(state.style, energy);
      const drift = rng.pick([-1, 1]);
      const { min, max } = unitRange(state.style);
      beatUnits = Math.min(max, Math.max(min, beatUnits === aim ? beatUnits + drift : beatUnits + Math.sign(aim - beatUnits)));
    } else {
      kind = 'new';
      newTheme();
    }
  }

  notes.push(
    moved('mood', state.mood, mood),
    moved('energy', state.energy, energy),
    moved('key', `${state.key.tonic} ${state.key.mode}`, `${key.tonic} ${key.mode}`),
    moved('tempo', `${Math.round(bpmOf(state.beatUnits))} bpm`, `${Math.round(bpmOf(beatUnits))} bpm`),
  );
  const bars = barsFor(state.sectionSec, beatUnits, state.meter);
  const lengthSamples = bars * barSamples(beatUnits, state.meter);
  const spec: SectionSpec = {
    index: state.index,
    kind,
    style: state.style,
    mood,
    energy,
    key,
    bpm: bpmOf(beatUnits),
    beatUnits,
    meter: state.meter,
    bars,
    startSample: state.startSample,
    lengthSamples,
    themeSeed: theme.seed,
    themePart: theme.part,
    note: [kindWords(kind, chosen), ...notes.filter(Boolean)].join('; '),
  };
  const after: RadioState = { ...state, mood, energy, key, beatUnits, theme, themes, index: state.index + 1, startSample: state.startSample + lengthSamples };
  // The next section as planned (no vote): if it moves to another key, this one prepares it.
  if (lookAhead) {
    const next = nextSection(after, null, false).spec.key;
    if (next.tonic !== key.tonic || next.mode !== key.mode) spec.nextKey = next;
  }
  return { spec, state: after };
}

function kindWords(kind: SectionKind, chosen: readonly RadioChoice[]): string {
  if (chosen.length) return `the room chose ${chosen.map((c) => (c === 'energy' ? 'more energy' : c === 'theme' ? 'a new theme' : c)).join(', then ')}`;
  return { open: 'the theme opens', continue: 'the theme goes on', develop: 'the theme is developed', return: 'an earlier theme returns', new: 'a new theme comes in' }[kind];
}

/** The winning choice of a window: the most votes, strictly more than any other (a tie moves nothing). */
export function tally(votes: Iterable<RadioChoice>): { choice: RadioChoice | null; counts: Partial<Record<RadioChoice, number>> } {
  const counts: Partial<Record<RadioChoice, number>> = {};
  for (const v of votes) counts[v] = (counts[v] ?? 0) + 1;
  const ranked = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const [first, second] = ranked;
  return { choice: first && (!second || first[1] > second[1]) ? (first[0] as RadioChoice) : null, counts };
}

export function isRadioChoice(text: string): text is RadioChoice {
  return (RADIO_CHOICE_IDS as readonly string[]).includes(text);
}
