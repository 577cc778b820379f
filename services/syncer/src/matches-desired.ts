// Pure: does an object as the API server returned it already hold everything we would apply? Server-side apply of the
// same content changes nothing but still costs a request; a resync over hundreds of objects skips those writes.

/** True when every field of `desired` (recursively; arrays element by element) equals the one in `current`. */
export function matchesDesired(desired: unknown, current: unknown): boolean {
  if (Array.isArray(desired))
    return (
      Array.isArray(current) &&
      desired.length === current.length &&
      desired.every((item, i) => matchesDesired(item, current[i]))
    );
  if (desired !== null && typeof desired === 'object') {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return false;
    return Object.entries(desired).every(([key, value]) =>
      matchesDesired(value, (current as Record<string, unknown>)[key]),
    );
  }
  return desired === current;
}
