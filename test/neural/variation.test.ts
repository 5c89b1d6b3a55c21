/**
 * The LSTM's phrase variation: teacher forcing keeps the given steps, the composer's returns match
 * the theme's statement, and contrasting sections stay apart (the committed model in models/melody).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../../src/core/compose.ts';
import type { MelodyGenerator } from '../../src/core/generator.ts';
import { freshUntil } from '../../src/core/parts/lead.ts';
import { planPiece } from '../../src/core/plan/plan.ts';
import { createRng } from '../../src/core/rng.ts';
import { conditioningFor, stepChordOf } from '../../src/neural/conditioning.ts';
import { meterAwareGenerator } from '../../src/neural/defaultGenerator.ts';
import { neuralMelodyGenerator, notesToSteps, variationWindows } from '../../src/neural/generator.ts';
import { loadMelodyModel, type LstmMelodyModel } from '../../src/neural/melodyModel.ts';
import { STEP_HOLD, STEP_REST } from '../../src/neural/representation.ts';
import { makeRequest } from '../support/requests.ts';
import { progressionCount, themeFigures } from '../support/themeUnits.ts';

let model: LstmMelodyModel;
let generator: MelodyGenerator;
beforeAll(async () => {
  model = await loadMelodyModel();
  generator = meterAwareGenerator(neuralMelodyGenerator(model), null);
});

describe('teacher forcing (GenerateOptions.fixed)', () => {
  it('keeps every fixed step as given and samples the rest', async () => {
    const chords = Array.from({ length: 64 }, (_, s) => stepChordOf(['C', 'Am', 'F', 'G'][Math.floor(s / 16)]!));
    const conditioning = conditioningFor(model.meta, { styleId: 'folk', moodId: 'happy', bpm: 100, mode: 'major', keyTonicPc: 0 });
    const base = { chords, keyTonicPc: 0, mode: 'major', conditioning, seed: 3 };
    const free = (await model.generate(base)).steps;
    const fixed = free.map((p, s) => (s >= 24 && s < 40 ? null : p));
    for (let seed = 1; seed <= 5; seed++) {
      const { steps } = await model.generate({ ...base, seed, fixed });
      steps.forEach((p, s) => {
        if (s < 24) expect(p, `step ${s}`).toBe(free[s]);
        // After the window a kept hold may follow a sampled rest, and is then a rest.
        if (s >= 40 && !(free[s] === STEP_HOLD && p === STEP_REST)) expect(p, `step ${s}`).toBe(free[s]);
      });
    }
  });
});

describe('fresh material up to the last section that keeps it', () => {
  it('stops early: one sample written to a tick is the start of the same sample written whole', async () => {
    const plan = planPiece(makeRequest({ style: 'rock', mood: 'energetic', durationSec: 60, seed: 1 }), createRng(1));
    const until = freshUntil(plan);
    expect(until, 'rock 60 s seed 1 has returns after its last new material').toBeLessThan(plan.finalTick);
    const once = meterAwareGenerator(neuralMelodyGenerator(model, { keyAttempts: 1 }), null);
    const whole = await once.melody(plan, createRng(5));
    const early = await once.melody(plan, createRng(5), until);
    expect(early.length).toBeGreaterThan(0);
    expect(early.every((n) => n.tick < until)).toBe(true);
    expect(early.length).toBe(whole.filter((n) => n.tick < until).length);
    // Note for note, except that the stop may cut the last one short.
    expect(early.slice(0, -1)).toEqual(whole.slice(0, early.length - 1));
    const [last, same] = [early[early.length - 1]!, whole[early.length - 1]!];
    expect({ tick: last.tick, pitch: last.pitch }).toEqual({ tick: same.tick, pitch: same.pitch });
  });

  it('freshUntil is the end of the last first statement or whole rewrite, never a return', () => {
    for (const [style, seed] of [['rock', 1], ['lofi', 2], ['edm', 3], ['jazz', 4]] as const) {
      const plan = planPiece(makeRequest({ style, durationSec: 90, seed }), createRng(seed));
      const keeps = plan.sections.filter((s) => !s.break && s.material && (s.appearance === 1 || s.variation >= 1));
      const last = keeps[keeps.length - 1]!;
      expect(freshUntil(plan), style).toBe((last.startBar + last.bars) * plan.barTicks);
    }
  });
});

describe('variationWindows', () => {
  const grid = Array.from({ length: 64 }, (_, s) => (s % 4 === 0 ? 60 + (s % 7) : STEP_HOLD));
  it('rewrites about the set share of notes per unit, none at 0, all at 1', () => {
    expect(variationWindows(grid, 16, 0, createRng(1)).some(Boolean)).toBe(false);
    expect(variationWindows(grid, 16, 1, createRng(1)).every(Boolean)).toBe(true);
    for (let seed = 1; seed <= 10; seed++) {
      const w = variationWindows(grid, 16, 0.25, createRng(seed));
      const rewritten = grid.filter((p, s) => p >= 0 && w[s]).length;
      expect(rewritten).toBe(4); // a quarter of the unit's 16 notes
    }
  });
});

describe('neural vary', () => {
  it('at amount 0 gives back the placed phrase, note for note', async () => {
    const plan = planPiece(makeRequest({ style: 'lofi', durationSec: 60, seed: 9 }), createRng(9));
    const phrase = await generator.melody(plan, createRng(2));
    const bar = plan.barTicks;
    const from = plan.sections[1]!.startBar * bar;
    const src = phrase.filter((n) => n.tick >= from && n.tick < from + 4 * bar);
    const at = plan.sections[3]!.startBar * bar;
    const placed = src.map((n) => ({ ...n, tick: n.tick - from + at }));
    const out = await generator.vary!(plan, { placed, source: { startTick: from, endTick: from + 4 * bar }, startTick: at, endTick: at + 4 * bar, amount: 0, before: [], section: plan.sections[3]! }, createRng(4));
    expect(notesToSteps(out, at, 64)).toEqual(notesToSteps(placed, at, 64));
  });

  it('composes pieces whose themes return and whose contrasting sections differ', async () => {
    for (const [style, durationSec, seed] of [['lofi', 60, 1], ['rock', 150, 2], ['edm', 90, 3], ['jazz', 120, 4], ['ambient', 60, 5]] as const) {
      const { score } = await compose(makeRequest({ style, mood: 'happy', durationSec, seed }), generator);
      expect(score.meta.generator).toContain(model.version);
      const f = themeFigures(score);
      const label = `${style} ${durationSec}s seed ${seed}: ${score.sections.map((s) => s.name).join(' ')}`;
      expect(f.themeReturn!, label).toBeGreaterThanOrEqual(0.5);
      expect(f.sharedAcrossContrast, label).toBeLessThan(0.2);
      if (durationSec >= 120) expect(progressionCount(score), label).toBeGreaterThanOrEqual(3);
    }
  });
});
