/**
 * Rewrites, in every coverage file of `directory`, the `file://` sources of source maps that have
 * more than one source to plain paths. Returns how many files it changed.
 */
export function bundleSourcesToPaths(directory: string): number;
