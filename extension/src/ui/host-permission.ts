// Optional host access for custom endpoints: the pattern an endpoint needs, and giving it back
// once no endpoint uses it (least privilege).

/** The permission pattern covering an endpoint origin (match patterns cover every port). */
export function hostPattern(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}

/**
 * Gives back the optional host access of an endpoint no longer in use, unless an endpoint still
 * in use needs the same pattern or the manifest requires it anyway. Returns a note for the
 * status line ('' when nothing was given back).
 */
export async function releaseHostPermission(previous: string, inUse: readonly (string | undefined)[]): Promise<string> {
  const pattern = hostPattern(previous);
  const required = chrome.runtime.getManifest().host_permissions ?? [];
  const stillNeeded = inUse.some((origin) => origin !== undefined && hostPattern(origin) === pattern);
  if (stillNeeded || required.includes(pattern)) {
    return '';
  }
  try {
    const removed = await chrome.permissions.remove({ origins: [pattern] });
    return removed ? ` Access to ${pattern} was given back.` : '';
  } catch (error) {
    console.warn('Keysmith: could not give back host access:', error);
    return ` (Could not give back access to ${pattern}: ${error instanceof Error ? error.message : String(error)})`;
  }
}
