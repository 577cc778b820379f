// Parses and validates configuration once at start-up into a typed object. Nothing else reads process.env.
// A missing or malformed variable stops the process with one line naming it (and never printing its value).
import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsInt, Max, Min, validateSync, type ValidationError } from 'class-validator';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Turns "true"/"false"/"1"/"0" into booleans; anything else stays a string and fails @IsBoolean. */
export const EnvBoolean = (): PropertyDecorator =>
  Transform(({ value }) => {
    if (value === undefined || typeof value === 'boolean') return value;
    const text = String(value).toLowerCase();
    return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : value;
  });

/** Turns a decimal string into a number; anything else becomes NaN and fails @IsInt. */
export const EnvInteger = (): PropertyDecorator =>
  Transform(({ value }) =>
    value === undefined || typeof value === 'number'
      ? value
      : /^-?\d+$/.test(String(value))
        ? Number(value)
        : Number.NaN,
  );

/** An integer variable within [min, max]; every failure says so in one message naming the variable. */
export const EnvIntegerInRange =
  (min: number, max: number): PropertyDecorator =>
  (target, key) => {
    const message = `${String(key)} must be an integer from ${min} to ${max}`;
    for (const decorate of [Max(max, { message }), Min(min, { message }), IsInt({ message }), EnvInteger()])
      decorate(target, key);
  };

function firstMessage(error: ValidationError): string {
  const constraints = Object.values(error.constraints ?? {});
  return constraints[0] ?? 'is invalid';
}

/**
 * Builds an instance of `schema` from the environment. Property names are the variable names, so the error can
 * name the variable exactly. Defaults are the class's property initialisers.
 */
export function loadConfig<T extends object>(schema: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const defaults = new schema() as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults))
    raw[key] = env[key] !== undefined && env[key] !== '' ? env[key] : defaults[key];
  const instance = plainToInstance(schema, raw);
  const errors = validateSync(instance, {
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
  });
  const first = errors[0];
  if (first) {
    const present = env[first.property] !== undefined && env[first.property] !== '';
    const what = present ? firstMessage(first).replace(new RegExp(`^${first.property} `), '') : 'is required';
    throw new ConfigError(first.property, `invalid configuration: ${first.property} ${what}`);
  }
  return instance;
}

/** For main.ts: load the config or print one line and exit with status 78 (EX_CONFIG). */
export function loadConfigOrExit<T extends object>(schema: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
