declare const MODEL_LENS_VERSION: string | undefined;

/** The package version, put in by the build (esbuild `define`). */
export const modelLensVersion: string = typeof MODEL_LENS_VERSION === 'string' ? MODEL_LENS_VERSION : 'dev';
