/**
 * Loudness policy: every file lands at −14 LUFS integrated (the level streaming services and
 * Discord's loudest clips sit at), with peaks kept under −1 dBTP.
 */
import type { LoudnessResult } from './loudness.ts';

export const TARGET_LUFS = -14;
export const TRUE_PEAK_CEILING_DB = -1;
/**
 * We measure sample peaks; inter-sample (true) peaks of 48 kHz music run up to about 1 dB higher,
 * so the limiter engages, and limits sample peaks, that much below the true-peak ceiling.
 */
export const TRUE_PEAK_ALLOWANCE_DB = 1;
/** Don't lift near-silence into audible hiss: a piece this quiet is left quieter than the target. */
export const MAX_GAIN_DB = 40;

export interface GainPlan {
  gainDb: number;
  /** Sample-peak ceiling for ffmpeg's limiter, present only when the gain would push peaks over. */
  limitDbfs?: number;
  /** Loudness after the gain (before any limiting), LUFS; -Infinity for silence. */
  expectedLufs: number;
}

export function planGain(measured: LoudnessResult): GainPlan {
  if (!Number.isFinite(measured.integratedLufs)) return { gainDb: 0, expectedLufs: -Infinity };
  const gainDb = Math.min(MAX_GAIN_DB, TARGET_LUFS - measured.integratedLufs);
  const limitDbfs = TRUE_PEAK_CEILING_DB - TRUE_PEAK_ALLOWANCE_DB;
  const needsLimiter = measured.samplePeakDb + gainDb > limitDbfs;
  return { gainDb, expectedLufs: measured.integratedLufs + gainDb, ...(needsLimiter ? { limitDbfs } : {}) };
}
