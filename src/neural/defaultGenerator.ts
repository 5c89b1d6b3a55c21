/**
 * The generator every caller (CLI, worker, bot) composes with by default: the trained melody LSTM
 * in models/melody and the Groove MIDI drum library in models/drums, loaded once per process. Both
 * are 4/4 (POP909 and nearly all of Groove MIDI), so pieces in 3/4 or 6/8 keep the rule-based
 * melody and drums; the MIDI's generator field says which wrote each piece.
 *
 * TUNESMITH_MELODY=rules forces the rule-based generator (the baseline), TUNESMITH_ACCOMP=rules the
 * rule-based chords and bass under the neural melody; a model that fails to
 * load is logged and the rules take over, so a damaged install still composes.
 */
import { RuleBasedMelody, type MelodyGenerator } from '../core/generator.ts';
import type { Plan } from '../core/plan/plan.ts';
import { STEP } from '../core/parts/context.ts';
import { varyByMotifs } from '../core/parts/variation.ts';
import { DEFAULT_GROOVE_PATH, GROOVES_VERSION, GrooveLibrary, grooveDrums } from './drums.ts';
import { neuralMelodyGenerator } from './generator.ts';
import { loadMelodyModel } from './melodyModel.ts';
import { DEFAULT_MODEL_DIR } from './modelFiles.ts';
import { LEARNED_ACCOMPANIMENT_STYLES } from '../core/catalog/accompaniment.ts';
import { ACCOMP_TONIC_BIAS, learnedAccompaniment } from './accompGenerator.ts';
import { loadAccompModel, type AccompModel } from './accompModel.ts';
import { DEFAULT_ACCOMP_DIR } from './accompModelFiles.ts';

export type MelodyChoice = 'neural' | 'rules';

/** The model's bar: 16 sixteenths. */
const MODEL_STEPS_PER_BAR = 16;

export function modelFitsPlan(plan: Plan): boolean {
  return Math.round(plan.barTicks / STEP) === MODEL_STEPS_PER_BAR;
}

/** The accompaniment model serves 4/4 plans of the styles the catalog lists for it. */
export function accompFitsPlan(plan: Plan): boolean {
  return modelFitsPlan(plan) && LEARNED_ACCOMPANIMENT_STYLES.includes(plan.style.id);
}

/**
 * The learned parts where they fit the plan's meter, rules elsewhere: the melody model, drums
 * retrieved from the Groove MIDI library (4/4 only too: it holds 5 beats and no fills in 3/4 or 6/8),
 * and, for the styles in LEARNED_ACCOMPANIMENT_STYLES, the accompaniment model's chords and bass.
 */
export function meterAwareGenerator(
  neural: MelodyGenerator,
  grooves: GrooveLibrary | null,
  fallback: MelodyGenerator = RuleBasedMelody,
  accomp: AccompModel | null = null,
): MelodyGenerator {
  const drumsName = grooves ? `+${GROOVES_VERSION}` : '';
  const useAccomp = (plan: Plan) => accomp !== null && accompFitsPlan(plan);
  return {
    name: `${neural.name}${drumsName}`,
    nameFor: (plan) => (modelFitsPlan(plan) ? `${neural.name}${drumsName}${useAccomp(plan) ? `+${accomp!.version}` : ''}` : fallback.name),
    melody: (plan, rng, untilTick) => (modelFitsPlan(plan) ? neural.melody(plan, rng, untilTick) : fallback.melody(plan, rng, untilTick)),
    vary: (plan, request, rng) => {
      const chosen = modelFitsPlan(plan) ? neural : fallback;
      return (chosen.vary ?? varyByMotifs)(plan, request, rng);
    },
    drums: (plan, rng) => (grooves && modelFitsPlan(plan) ? grooveDrums(plan, rng, grooves) : null),
    accompaniment: (plan, rng, lead, keyRetry = 0) => (useAccomp(plan) ? learnedAccompaniment(accomp!, plan, lead, rng, { tonicBias: ACCOMP_TONIC_BIAS * keyRetry }) : null),
  };
}

export function melodyChoiceFromEnv(env: NodeJS.ProcessEnv = process.env): MelodyChoice {
  const v = (env.TUNESMITH_MELODY ?? 'neural').trim().toLowerCase();
  if (v === 'rules' || v === 'neural') return v;
  throw new Error(`TUNESMITH_MELODY must be "neural" or "rules", not "${env.TUNESMITH_MELODY}".`);
}

export function accompChoiceFromEnv(env: NodeJS.ProcessEnv = process.env): MelodyChoice {
  const v = (env.TUNESMITH_ACCOMP ?? 'neural').trim().toLowerCase();
  if (v === 'rules' || v === 'neural') return v;
  throw new Error(`TUNESMITH_ACCOMP must be "neural" or "rules", not "${env.TUNESMITH_ACCOMP}".`);
}

let cached: Promise<MelodyGenerator> | undefined;

export interface GeneratorLog {
  info(msg: string): void;
  warn(msg: string): void;
}

/** Quiet unless something is wrong (the CLI's choice: its summary names the generator). */
const QUIET: GeneratorLog = { info: () => {}, warn: (m) => console.error(m) };

/**
 * This process's default generator, memoised: the weights load once (about 0.1 s) and the first
 * caller's options decide. `log` hears which generator was chosen and why.
 */
export function defaultMelodyGenerator(opts: { log?: GeneratorLog; modelDir?: string; accompDir?: string; choice?: MelodyChoice; accompChoice?: MelodyChoice } = {}): Promise<MelodyGenerator> {
  const log = opts.log ?? QUIET;
  cached ??= (async () => {
    const choice = opts.choice ?? melodyChoiceFromEnv();
    if (choice === 'rules') {
      log.info(`melody: ${RuleBasedMelody.name} (TUNESMITH_MELODY=rules)`);
      return RuleBasedMelody;
    }
    try {
      const start = performance.now();
      const model = await loadMelodyModel(opts.modelDir ?? DEFAULT_MODEL_DIR);
      const grooves = GrooveLibrary.load();
      let accomp: AccompModel | null = null;
      if ((opts.accompChoice ?? accompChoiceFromEnv()) === 'neural') {
        try {
          accomp = await loadAccompModel(opts.accompDir ?? DEFAULT_ACCOMP_DIR);
        } catch (err) {
          log.warn(`accompaniment: could not load the model in ${opts.accompDir ?? DEFAULT_ACCOMP_DIR} (${(err as Error).message}); rule-based chords and bass`);
        }
      }
      const drums = grooves ? `drums: ${GROOVES_VERSION} (${grooves.clips.length} clips)` : `drums: rules (no ${DEFAULT_GROOVE_PATH})`;
      const chords = accomp ? `chords and bass: ${accomp.version} for ${LEARNED_ACCOMPANIMENT_STYLES.join(', ')}` : 'chords and bass: rules';
      log.info(`melody: ${model.version} (2×${model.meta.config.hidden} LSTM), ${drums}, ${chords}; loaded in ${Math.round(performance.now() - start)} ms; ${RuleBasedMelody.name} and rule drums for meters other than 4/4`);
      return meterAwareGenerator(neuralMelodyGenerator(model), grooves, RuleBasedMelody, accomp);
    } catch (err) {
      log.warn(`melody: could not load the model in ${opts.modelDir ?? DEFAULT_MODEL_DIR} (${(err as Error).message}); composing with ${RuleBasedMelody.name}`);
      return RuleBasedMelody;
    }
  })();
  return cached;
}

/** Test hook: forget the memoised generator. */
export function resetDefaultMelodyGenerator(): void {
  cached = undefined;
}
