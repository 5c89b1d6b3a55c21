/**
 * Three-letter labels for the GM drum map, short enough for the piano roll's left gutter.
 * Keys without a label are shown by number.
 */
const SHORT: Record<number, string> = {
  35: 'BD2', 36: 'BD', 37: 'RIM', 38: 'SD', 39: 'CLP', 40: 'SD2', 41: 'LFT', 42: 'CHH',
  43: 'HFT', 44: 'PHH', 45: 'LT', 46: 'OHH', 47: 'LMT', 48: 'HMT', 49: 'CR1', 50: 'HT',
  51: 'RD1', 52: 'CHN', 53: 'BEL', 54: 'TMB', 55: 'SPL', 56: 'COW', 57: 'CR2', 59: 'RD2',
  60: 'HBG', 61: 'LBG', 62: 'MCG', 63: 'HCG', 64: 'LCG', 69: 'CAB', 70: 'MRC', 75: 'CLV',
};

export function drumLabel(pitch: number): string {
  return SHORT[pitch] ?? String(pitch);
}
