/** Thrown when a stack setting in the environment or on the command line is invalid (a profile name, a port). */
export class StackSettingsError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'StackSettingsError';
  }
}

/** Thrown when a service the profile needs is taken by something the stack cannot use or stop. */
export class StackConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackConflictError';
  }
}

/** Thrown when a service cannot use its folder in the state folder (permissions, data of another version). */
export class StackStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackStateError';
  }
}
