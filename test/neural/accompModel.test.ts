/**
 * Tests against the committed model in models/accomp: the generation contract (determinism, key and
 * range masks), its place in the composer, and a fast evaluation so a broken or untrained model
 * cannot land (held-out loss below the per-slot base rate; composed pieces in key with
 * accompaniment-like metrics).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RuleBasedMelody } from '../../src/core/generator.ts';
import { compose } from '../../src/core/compose.ts';
import { STEP } from '../../src/core/parts/context.ts';
import { scoreToMidi } from '../../src/midi/scoreToMidi.ts';
import { accompEvalRequests, accompNll, baseRateNll, generatorWithAccompaniment } from '../../src/neural/accompEvaluate.ts';
import { accompMetrics } from '../../src/neural/accompMetrics.ts';
import { AccompMarkov } from '../../src/neural/accompMarkov.ts';
import { loadAccompModel, type AccompModel } from '../../src/neural/accompModel.ts';
import { MIN_SLOT_PITCH, type AccompPiece, type AccompStepInput } from '../../src/neural/accompRepresentation.ts';
import { controlCheck } from '../../src/neural/evaluate.ts';
import { meterAwareGenerator } from '../../src/neural/defaultGenerator.ts';
import { neuralMelodyGenerator } from '../../src/neural/generator.ts';
import { loadMelodyModel, type LstmMelodyModel } from '../../src/neural/melodyModel.ts';
import { makeRequest } from '../support/requests.ts';

let model: AccompModel;
let melody: LstmMelodyModel;
beforeAll(async () => {
  model = await loadAccompModel();
  melody = await loadMelodyModel();
});

// Am F C G, one bar each, common key C major; a melody note on every beat.
const CHORDS = [
  { root: 9, pcs: [9, 0, 4] },
  { root: 5, pcs: [5, 9, 0] },
  { root: 0, pcs: [0, 4, 7] },
  { root: 7, pcs: [7, 11, 2] },
];
const mask = (pcs: number[]) => pcs.reduce((m, pc) => m | (1 << pc), 0);
const SCALE = mask([0, 2, 4, 5, 7, 9, 11]);
function steps(bars: number): AccompStepInput[] {
  return Array.from({ length: bars * 16 }, (_, s) => {
    const c = CHORDS[Math.floor(s / 16) % 4]!;
    return { pos: s % 16, root: c.root, chroma: mask(c.pcs), melPc: c.pcs[(s >> 2) % 3]!, melOn: s % 4 === 0 ? 1 : 0, mode: 0, intensity: 1 };
  });
}

describe('accompaniment model generation', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const opts = { steps: steps(8), allowed: steps(8).map(() => SCALE), seed: 5 };
    const a = model.generate(opts);
    expect(model.generate(opts)).toEqual(a);
    expect(model.generate({ ...opts, seed: 6 })).not.toEqual(a);
    expect(a.on).toHaveLength(128);
    expect(a.on.flat().length).toBeGreaterThan(20); // it plays
  });

  it('keeps onsets to the allowed pitch classes, chord tones in the left hand, and inside the range', () => {
    const st = steps(16);
    const allowed = st.map((s) => s.chroma | SCALE);
    const allowedLow = st.map((s) => s.chroma);
    const roll = model.generate({ steps: st, allowed, allowedLow, seed: 9, highestPitch: 70, lowestPitch: 36 });
    roll.on.forEach((slots, t) => {
      for (const k of slots) {
        const pitch = MIN_SLOT_PITCH + k;
        expect(pitch).toBeLessThanOrEqual(70);
        expect(pitch).toBeGreaterThanOrEqual(36);
        expect((allowed[t]! >> (pitch % 12)) & 1).toBe(1);
        if (pitch <= 55) expect((allowedLow[t]! >> (pitch % 12)) & 1).toBe(1);
      }
    });
    // A sustain only continues a note that sounded at the previous step.
    roll.sus.forEach((slots, t) => {
      for (const k of slots) expect(t > 0 && (roll.on[t - 1]!.includes(k) || roll.sus[t - 1]!.includes(k))).toBe(true);
    });
  });

  it('sustain bias holds notes longer; groove bias makes each bar’s onset steps repeat the bar before', () => {
    const st = steps(16);
    const allowed = st.map(() => SCALE);
    const held = (r: ReturnType<AccompModel['generate']>) => r.sus.flat().length / Math.max(1, r.on.flat().length);
    const repeat = (r: ReturnType<AccompModel['generate']>) => {
      let same = 0;
      for (let t = 16; t < r.on.length; t++) if ((r.on[t]!.length > 0) === (r.on[t - 16]!.length > 0)) same++;
      return same / (r.on.length - 16);
    };
    let [plainHeld, pedalHeld, plainRepeat, grooveRepeat] = [0, 0, 0, 0];
    for (const seed of [1, 2, 3, 4]) {
      plainHeld += held(model.generate({ steps: st, allowed, seed }));
      pedalHeld += held(model.generate({ steps: st, allowed, seed, sustainBias: 1 }));
      plainRepeat += repeat(model.generate({ steps: st, allowed, seed }));
      grooveRepeat += repeat(model.generate({ steps: st, allowed, seed, grooveBias: 1 }));
    }
    expect(pedalHeld).toBeGreaterThan(plainHeld * 1.2);
    expect(grooveRepeat).toBeGreaterThan(plainRepeat + 0.1 * 4);
  });

  it('tonic bias leans the onsets toward the tonic triad (what compose’s key-guard retries use)', () => {
    const st = steps(16);
    const allowed = st.map((s) => s.chroma | SCALE);
    const tonicMask = mask([0, 4, 7]);
    const share = (r: ReturnType<AccompModel['generate']>) => {
      const pcs = r.on.flat().map((k) => (MIN_SLOT_PITCH + k) % 12);
      return pcs.filter((pc) => (tonicMask >> pc) & 1).length / Math.max(1, pcs.length);
    };
    let [plain, leaning] = [0, 0];
    for (const seed of [1, 2, 3, 4]) {
      const plainRoll = model.generate({ steps: st, allowed, seed, tonicMask });
      // No bias means the mask changes nothing: a piece in key at the first draw keeps its bytes.
      expect(plainRoll).toEqual(model.generate({ steps: st, allowed, seed }));
      plain += share(plainRoll);
      leaning += share(model.generate({ steps: st, allowed, seed, tonicMask, tonicBias: 1 }));
    }
    expect(leaning).toBeGreaterThan(plain + 0.05 * 4);
  });

  it('writes a 60 s piece quickly (generous bound for a loaded machine; the benchmark is in the card)', () => {
    const long = steps(24); // 60 s at 96 bpm
    const allowed = long.map(() => SCALE);
    model.generate({ steps: long, allowed, seed: 1 }); // warm-up
    const t0 = performance.now();
    model.generate({ steps: long, allowed, seed: 2 });
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});

describe('accompaniment in the composer', () => {
  it('writes the chords and bass of hiphop pieces, names itself in the MIDI, and gives the same bytes for the same seed', async () => {
    const gen = meterAwareGenerator(neuralMelodyGenerator(melody), null, RuleBasedMelody, model);
    const req = makeRequest({ style: 'hiphop', durationSec: 30, seed: 42 });
    const a = await compose(req, gen);
    expect(a.score.meta.generator).toBe('tunesmith-composer@1+melody-lstm@1+accomp-lstm@1');
    const rules = await compose(req, meterAwareGenerator(neuralMelodyGenerator(melody), null));
    const chords = a.score.tracks.find((t) => t.role === 'harmony')!.notes;
    expect(chords).not.toEqual(rules.score.tracks.find((t) => t.role === 'harmony')!.notes);
    const bass = a.score.tracks.find((t) => t.role === 'bass')!.notes;
    expect(bass.length).toBeGreaterThan(8);
    // In the bass register: the model's own notes up to C3, the arranger's (bars it takes over:
    // quiet ones, and ones the model leaves mostly silent) as high as its own bass line goes.
    const rulesBassTop = Math.max(...rules.score.tracks.find((t) => t.role === 'bass')!.notes.map((n) => n.pitch));
    for (const n of bass) expect(n.pitch).toBeLessThanOrEqual(Math.max(48, rulesBassTop));
    // The comping stays under the lead's median pitch.
    const lead = a.score.tracks.find((t) => t.role === 'lead')!.notes.map((n) => n.pitch).sort((x, y) => x - y);
    const leadMedian = lead[Math.floor(lead.length / 2)]!;
    const music = chords.filter((n) => n.tick < a.plan.finalTick);
    for (const n of music) expect(n.pitch).toBeLessThan(leadMedian);
    const b = await compose(req, gen);
    expect(Buffer.from(scoreToMidi(b.score).bytes).equals(Buffer.from(scoreToMidi(a.score).bytes))).toBe(true);
    // Jazz keeps the rule-based arranger.
    const jazz = await compose(makeRequest({ style: 'jazz', meter: '4/4', durationSec: 20 }), gen);
    expect(jazz.score.meta.generator).not.toContain('accomp');
  });
});

describe('fast evaluation (a few pieces)', () => {
  it('composed pieces are in key and their accompaniment looks like one', async () => {
    const requests = accompEvalRequests(6, 11);
    const gen = generatorWithAccompaniment(neuralMelodyGenerator(melody), 'model', { model, markov: null as unknown as AccompMarkov });
    let keyHits = 0;
    for (const req of requests) {
      const c = await controlCheck(req, gen);
      expect(c.tempo && c.meter && c.length).toBe(true);
      if (c.key) keyHits++;
      const { score, plan } = await compose(req, gen);
      const len = Math.round(plan.finalTick / STEP);
      const notes = score.tracks
        .filter((t) => t.role === 'harmony' || t.role === 'bass')
        .flatMap((t) => t.notes)
        .filter((n) => n.tick < plan.finalTick)
        .map((n) => ({ pitch: n.pitch, onset: Math.round(n.tick / STEP), duration: Math.max(1, Math.round(n.durationTicks / STEP)) }));
      const m = accompMetrics(notes, len, (s) => {
        const i = plan.chords.findIndex((c) => c.startTick <= s * STEP && s * STEP < c.endTick);
        return { mask: i < 0 ? 0 : mask(plan.chords[i]!.pcs.map((pc) => ((pc % 12) + 12) % 12)), span: i };
      });
      // POP909 held-out 20-bar excerpts: polyphony 3.2 ± 0.3, 16 ± 5 onsets a bar, 93 % chord tones.
      expect(m.polyphony).toBeGreaterThan(1.2);
      expect(m.polyphony).toBeLessThan(6);
      expect(m.onsetDensity).toBeGreaterThan(4);
      expect(m.onsetDensity).toBeLessThan(40);
      expect(m.chordToneRatio).toBeGreaterThan(0.75);
      expect(m.pitchRange).toBeGreaterThan(12);
    }
    expect(keyHits).toBe(requests.length);
  }, 120_000);

  // Held-out loss needs the prepared splits: built here from ../shared/datasets when absent (~1 min).
  const dataDir = join(import.meta.dirname, '../../data/accomp');
  const datasets = join(import.meta.dirname, '../../../shared/datasets/pop909/POP909');
  const prepared = () => existsSync(join(dataDir, 'test.json'));
  it.runIf(prepared() || existsSync(datasets))('beats the per-slot base rate on held-out loss', () => {
    if (!prepared()) {
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/prepare-accomp.ts'], { cwd: join(import.meta.dirname, '../..'), stdio: 'ignore', timeout: 240_000 });
    }
    const load = (s: string) => JSON.parse(readFileSync(join(dataDir, `${s}.json`), 'utf8')) as AccompPiece[];
    const test = load('test').slice(0, 12);
    const lstm = accompNll(model, test, 512);
    const base = baseRateNll(load('train').slice(0, 200), test, 512);
    // Measured: the shipped model 5.4 nats/step, the base rate 13.2; the export after 30 training steps
    // (10.8) fails this bound, an untrained one (15.9 at step 1) more so.
    expect(lstm).toBeLessThan(base * 0.75);
  }, 300_000);
});
