// How much the canvas draws at a zoom. Texts are what make an SVG graph slow in Chromium (every <text>
// is laid out again at each zoom step), and under a few pixels on screen they are unreadable anyway.
// The canvas tells its viewport listeners the level, so a drawing that depends on it (say, group
// names instead of leaves at overview zoom) hooks in there rather than in the canvas's own loop.

/** far: boxes and lines only · titles: node titles · full: titles, shapes, params and edge labels. */
export type DetailLevel = 'far' | 'titles' | 'full';

/** Below this zoom a 12 px title is under 3 px on screen: no text is drawn at all. */
export const LABEL_MIN_SCALE = 0.25;
/** Below this zoom only titles are drawn (shapes, parameter counts and edge labels need more room). */
export const DETAIL_MIN_SCALE = 0.45;
/** More edge labels than this in the DOM would cost more than they tell. */
export const MAX_EDGE_LABELS = 400;

export function detailLevel(scale: number): DetailLevel {
  if (scale < LABEL_MIN_SCALE) return 'far';
  return scale < DETAIL_MIN_SCALE ? 'titles' : 'full';
}
