/**
 * The targets of issue 11 and which styles each applies to, judged over a style's pieces.
 *
 *   themeReturn      every piece of 45 s or more: returnShare ≥ 50 % (a piece with no returning
 *                    section, or whose returning sections have no 4-bar unit, fails)
 *   contrast         pooled over the style's pieces: contrasting units matching the theme < 20 %
 *   fourOnTheFloor   styles whose drumFeel is four-on-floor or synthwave: pooled share of drum
 *                    bars with a kick on every beat ≥ 80 % (no drum bars at all fails)
 *   noDrumKit        cinematic, classical-piano, ambient, waltz: no kit note in any piece
 *   barLineGaps      styles with sustained accompaniment (a pad, or a comp pattern other than
 *                    pulse, arpeggio and strum): pooled share of bar lines with a gap < 2 %
 *   dropouts         every style: no drop-out in any piece (0 per minute)
 *   leadAbove        every piece: lead median − accompaniment top-voice median ≥ 3 semitones
 *                    (a piece without chords or pad passes; REGISTER_SPLITS may document a style
 *                    whose lead sits in a separate register instead — none is documented yet)
 *   polyphony        every piece: 2.5 ≤ average notes sounding at once ≤ 4.5
 *   loudnessRange    pieces of 60 s or more in the epic, energetic and dark moods: LRA ≥ 5 LU and
 *                    loudest − quietest section ≥ 3 LU, every such piece
 *   melodyOverlap    pop-like styles (POP_LIKE): mean overlapping area of the neural melodies
 *                    against POP909 above the rules' — judged pooled over all pop-like pieces,
 *                    shown per style
 */
import { StyleCatalog, type Style } from '../../core/catalog/index.ts';
import type { Metrics } from '../../neural/metrics.ts';
import type { AudioMeasures, MidiMeasures } from './measurePiece.ts';

export const TARGETS = {
  themeReturn: { minShare: 0.5, minDurationSec: 45 },
  contrast: { maxShare: 0.2 },
  fourOnTheFloor: { minShare: 0.8 },
  barLineGaps: { maxShare: 0.02 },
  dropouts: { maxPerMinute: 0 },
  leadAbove: { minSemitones: 3 },
  polyphony: { min: 2.5, max: 4.5 },
  loudnessRange: { minLra: 5, minSectionSpread: 3, minDurationSec: 60, moods: ['epic', 'energetic', 'dark'] as readonly string[] },
} as const;

export const NO_KIT_STYLES: readonly string[] = ['cinematic', 'classical-piano', 'ambient', 'waltz'];
/** Styles whose melodies are pop songs' melodies, compared with POP909. */
export const POP_LIKE: readonly string[] = ['lofi', 'synthwave', 'chiptune', 'rock', 'edm', 'folk', 'hiphop', 'funk'];
/** Styles whose lead is documented to sit in a register apart from the accompaniment (none yet). */
export const REGISTER_SPLITS: Readonly<Record<string, { leadBelowBy: number }>> = {};

export function wantsFourOnTheFloor(style: Style): boolean {
  return style.drumFeel === 'four-on-floor' || style.drumFeel === 'synthwave';
}

export function hasSustainedAccompaniment(style: Style): boolean {
  return style.instruments.pad !== null || !['pulse', 'arpeggio', 'strum'].includes(style.comp);
}

export interface PieceRecord {
  style: string;
  mood: string;
  seed: number;
  durationSec: number;
  bpm: number;
  meter: string;
  generator: string;
  sections: string[];
  midi: MidiMeasures;
  audio: AudioMeasures | null;
  /** Melody metrics of the rule-based melody for the same request (pop-like styles only). */
  rulesMelody?: Metrics | null;
}

export type Verdict = 'pass' | 'FAIL' | 'n/a';

export interface Judgement {
  verdict: Verdict;
  /** What was measured, in a few words (shown in the table). */
  value: string;
}

export type MeasureName = 'themeReturn' | 'contrast' | 'fourOnTheFloor' | 'noDrumKit' | 'barLineGaps' | 'dropouts' | 'leadAbove' | 'polyphony' | 'loudnessRange';
export const MEASURES: readonly MeasureName[] = ['themeReturn', 'contrast', 'fourOnTheFloor', 'noDrumKit', 'barLineGaps', 'dropouts', 'leadAbove', 'polyphony', 'loudnessRange'];

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const verdict = (ok: boolean): Verdict => (ok ? 'pass' : 'FAIL');
const NA = (value = '—'): Judgement => ({ verdict: 'n/a', value });

function pooled(pieces: readonly PieceRecord[], part: (p: PieceRecord) => [number, number]): { num: number; den: number } {
  let num = 0;
  let den = 0;
  for (const p of pieces) {
    const [a, b] = part(p);
    num += a;
    den += b;
  }
  return { num, den };
}

export function judge(measure: MeasureName, styleId: string, pieces: readonly PieceRecord[]): Judgement {
  const style = StyleCatalog.style(styleId);
  switch (measure) {
    case 'themeReturn': {
      const eligible = pieces.filter((p) => p.durationSec >= TARGETS.themeReturn.minDurationSec);
      if (!eligible.length) return NA();
      const shares = eligible.map((p) => p.midi.themeReturn.returnShare ?? 0);
      const ok = shares.filter((s) => s >= TARGETS.themeReturn.minShare).length;
      const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
      return { verdict: verdict(ok === eligible.length), value: `${ok}/${eligible.length} pieces ≥50%, mean ${pct(mean)}, min ${pct(Math.min(...shares))}` };
    }
    case 'contrast': {
      const { num, den } = pooled(pieces, (p) => p.midi.themeReturn.contrasting.reduce(([a, b], s) => [a + s.matched, b + s.units], [0, 0]));
      if (!den) return NA('no contrasting units');
      return { verdict: verdict(num / den < TARGETS.contrast.maxShare), value: `${pct(num / den)} (${num}/${den} units)` };
    }
    case 'fourOnTheFloor': {
      if (!wantsFourOnTheFloor(style)) return NA();
      const { num, den } = pooled(pieces, (p) => [p.midi.fourOnTheFloor.fourOnTheFloorBars, p.midi.fourOnTheFloor.drumBars]);
      if (!den) return { verdict: 'FAIL', value: 'no drum bars' };
      return { verdict: verdict(num / den >= TARGETS.fourOnTheFloor.minShare), value: `${pct(num / den)} of ${den} drum bars` };
    }
    case 'noDrumKit': {
      if (!NO_KIT_STYLES.includes(styleId)) return NA();
      const withKit = pieces.filter((p) => p.midi.drumKit.kitNotes > 0).length;
      const notes = pieces.reduce((a, p) => a + p.midi.drumKit.kitNotes, 0);
      return { verdict: verdict(withKit === 0), value: withKit ? `kit in ${withKit}/${pieces.length} pieces (${notes} notes)` : `none in ${pieces.length} pieces` };
    }
    case 'barLineGaps': {
      const { num, den } = pooled(pieces, (p) => [p.midi.barLineGaps.gaps, p.midi.barLineGaps.barLines]);
      const value = `${(den ? (100 * num) / den : 0).toFixed(1)}% (${num}/${den})`;
      if (!hasSustainedAccompaniment(style)) return NA(value);
      return { verdict: verdict(den > 0 && num / den < TARGETS.barLineGaps.maxShare), value };
    }
    case 'dropouts': {
      const rendered = pieces.filter((p) => p.audio);
      if (!rendered.length) return NA('not rendered');
      const events = rendered.reduce((a, p) => a + p.audio!.dropouts.dropouts, 0);
      const minutes = rendered.reduce((a, p) => a + (p.audio!.dropouts.frames * 0.025) / 60, 0);
      const hit = rendered.filter((p) => p.audio!.dropouts.dropouts > 0).length;
      return { verdict: verdict(events === 0), value: `${(events / minutes).toFixed(2)}/min (${events} in ${hit}/${rendered.length} pieces)` };
    }
    case 'leadAbove': {
      const split = REGISTER_SPLITS[styleId];
      const values = pieces.map((p) => p.midi.leadAbove.aboveBy);
      const ok = pieces.filter((p) => {
        const l = p.midi.leadAbove;
        if (l.leadMedian === null) return false;
        if (l.aboveBy === null) return true;
        return l.aboveBy >= TARGETS.leadAbove.minSemitones || (split !== undefined && -l.aboveBy >= split.leadBelowBy);
      }).length;
      const finite = values.filter((v): v is number => v !== null);
      const med = finite.length ? [...finite].sort((a, b) => a - b)[finite.length >> 1]! : null;
      return { verdict: verdict(ok === pieces.length), value: `${ok}/${pieces.length} pieces ≥3, median ${med === null ? '—' : med.toFixed(1)} st` };
    }
    case 'polyphony': {
      const values = pieces.map((p) => p.midi.polyphony);
      const ok = values.filter((v) => v >= TARGETS.polyphony.min && v <= TARGETS.polyphony.max).length;
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      return { verdict: verdict(ok === values.length), value: `mean ${mean.toFixed(2)} (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}), ${ok}/${values.length} in range` };
    }
    case 'loudnessRange': {
      const t = TARGETS.loudnessRange;
      const eligible = pieces.filter((p) => p.audio && p.durationSec >= t.minDurationSec && t.moods.includes(p.mood));
      if (!eligible.length) return NA(pieces.some((p) => p.audio) ? 'no eligible piece' : 'not rendered');
      const ok = eligible.filter((p) => p.audio!.lraLu >= t.minLra && (p.audio!.sectionSpreadLu ?? 0) >= t.minSectionSpread).length;
      const lra = eligible.map((p) => p.audio!.lraLu);
      const spread = eligible.map((p) => p.audio!.sectionSpreadLu ?? 0);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      return { verdict: verdict(ok === eligible.length), value: `${ok}/${eligible.length} ok; LRA mean ${mean(lra).toFixed(1)} LU, sections ${mean(spread).toFixed(1)} LU` };
    }
  }
}
