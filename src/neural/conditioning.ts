/**
 * From a request (style, mood, tempo, key) to the model's conditioning bins, and from a Score's
 * chord spans to one StepChord per 16th step.
 *
 * The bins' thresholds are tertiles of the POP909 training pieces (written into model.json by the
 * trainer, computed by scripts/prepare-data.ts):
 *   tempo    — the song's beat rate (bpm)
 *   density  — note-ons per bar over an 8-bar block
 *   register — mean melody pitch over an 8-bar block, in the common key (tonic C)
 * A mood expresses itself through the attributes it maps to (src/core/catalog/moods.ts):
 * the planner has already placed the tempo by the mood's tempoPosition; density = the style's
 * notes per beat × the mood's densityScale, binned by its tertiles over every style × mood pair of
 * the catalog (quantile matching: the catalog's notes-per-beat figures are on another scale than
 * POP909's note rates, so "the k-th third" is what carries over); register = the style's lead
 * centre + the mood's registerShift; mode = the mood's mode (major/minor family).
 */
import { Chord, Note } from 'tonal';
import { StyleCatalog } from '../core/catalog/index.ts';
import { PPQ, type Score } from '../core/score.ts';
import type { MelodyConditioning, StepChord } from './melodyModel.ts';
import type { ModelJson } from './modelFiles.ts';
import { binOf, modeFamily, shiftToC } from './representation.ts';

export interface ConditioningRequest {
  styleId: string;
  moodId: string;
  bpm: number;
  mode: string;
  keyTonicPc: number;
  /** Beats per bar (4 in 4/4) for the density figure. */
  beatsPerBar?: number;
}

export interface DerivedAttributes {
  /** Style notes per beat × mood density scale. */
  density: number;
  registerPitch: number;
}

export function attributesFor(req: Pick<ConditioningRequest, 'styleId' | 'moodId'>): DerivedAttributes {
  const style = StyleCatalog.style(req.styleId);
  const mood = StyleCatalog.mood(req.moodId);
  return { density: style.density * mood.densityScale, registerPitch: style.leadCentre + mood.registerShift };
}

/** Tertiles of style density × mood density scale over the whole catalog. */
export function catalogDensityThresholds(): number[] {
  const all = StyleCatalog.styles.flatMap((s) => StyleCatalog.moods.map((m) => s.density * m.densityScale)).sort((a, b) => a - b);
  return [all[Math.floor(all.length / 3)]!, all[Math.floor((2 * all.length) / 3)]!];
}

export function conditioningFor(meta: ModelJson, req: ConditioningRequest): MelodyConditioning {
  const a = attributesFor(req);
  const c = meta.conditioning;
  return {
    style: req.styleId,
    mode: req.mode,
    tempoBin: binOf(req.bpm, c.tempoThresholds),
    densityBin: binOf(a.density, catalogDensityThresholds()),
    // The register thresholds are measured after transposing the tonic to C.
    registerBin: binOf(a.registerPitch + shiftToC(req.keyTonicPc), c.registerThresholds),
  };
}

export function stepChordOf(symbol: string): StepChord | null {
  const ch = Chord.get(symbol);
  if (ch.empty || !ch.tonic) return null;
  const chroma = new Array<number>(12).fill(0);
  for (const n of ch.notes) {
    const pc = Note.chroma(n);
    if (pc !== undefined && pc !== null && !Number.isNaN(pc)) chroma[pc] = 1;
  }
  const root = Note.chroma(ch.tonic);
  if (root === undefined || root === null || Number.isNaN(root)) return null;
  return { rootPc: root, chroma };
}

/** One StepChord (or null) per 16th step from tick 0 to `endTick` (default score.endTick). */
export function chordsPerStep(score: Pick<Score, 'chords' | 'endTick' | 'ppq'>, endTick = score.endTick): (StepChord | null)[] {
  const stepTicks = (score.ppq ?? PPQ) / 4;
  const n = Math.round(endTick / stepTicks);
  const out: (StepChord | null)[] = new Array(n).fill(null);
  for (const span of score.chords) {
    const c = stepChordOf(span.symbol);
    const a = Math.max(0, Math.round(span.startTick / stepTicks));
    const b = Math.min(n, Math.round(span.endTick / stepTicks));
    for (let s = a; s < b; s++) out[s] = c;
  }
  return out;
}

/** The mood → attributes → bins table for the model card (at a style's default tempo). */
export function moodTable(meta: ModelJson, styleId = 'lofi', keyTonicPc = 0): string {
  const style = StyleCatalog.style(styleId);
  const rows = [
    `Style ${styleId}: ${style.density} notes/beat, lead centre ${style.leadCentre}, ${style.tempo.min}–${style.tempo.max} bpm; catalog density tertiles ${catalogDensityThresholds().map((x) => x.toFixed(3)).join(' / ')}; key C.`,
    '',
    '| mood | modes | tempo position → bpm (tempo bin) | density × → density (bin) | register shift → pitch (bin) | mode family |',
    '|---|---|---|---|---|---|',
  ];
  for (const mood of StyleCatalog.moods) {
    const mode = mood.modes[0] ?? 'major';
    const bpm = style.tempo.min + mood.tempoPosition * (style.tempo.max - style.tempo.min);
    const req = { styleId, moodId: mood.id, bpm, mode, keyTonicPc };
    const a = attributesFor(req);
    const c = conditioningFor(meta, req);
    rows.push(
      `| ${mood.id} | ${mood.modes.join(', ')} | ${mood.tempoPosition} → ${bpm.toFixed(0)} (${c.tempoBin}) | ${mood.densityScale} → ${a.density.toFixed(2)} (${c.densityBin}) | ${mood.registerShift >= 0 ? '+' : ''}${mood.registerShift} → ${a.registerPitch} (${c.registerBin}) | ${modeFamily(mode) ? 'minor' : 'major'} (${mode}) |`,
    );
  }
  return rows.join('\n');
}
